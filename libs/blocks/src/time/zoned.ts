/** Calendar fields of an instant in an IANA time zone, and strftime formatting, with Intl only. */
export interface ZonedParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  weekday: number; // 0 = Sunday
  offsetMinutes: number; // east of UTC
  timeZone: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws RangeError for an unknown time zone. */
export function zonedParts(date: Date, timeZone = 'UTC'): ZonedParts {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(date).map((p) => [p.type, p.value]));
  const offset = /GMT([+-])(\d{2}):?(\d{2})?/.exec(parts.timeZoneName ?? '');
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    millisecond: date.getUTCMilliseconds(),
    weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday),
    offsetMinutes: offset ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3] ?? 0)) : 0,
    timeZone,
  };
}

export function assertTimeZone(timeZone: string): void {
  zonedParts(new Date(0), timeZone);
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const pad = (n: number, width = 2): string => String(Math.abs(Math.trunc(n))).padStart(width, '0');

export function formatOffset(minutes: number, withColon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}${withColon ? ':' : ''}${pad(Math.abs(minutes) % 60)}`;
}

function dayOfYear(p: ZonedParts): number {
  return Math.round((Date.UTC(p.year, p.month - 1, p.day) - Date.UTC(p.year, 0, 1)) / 86_400_000) + 1;
}

/** Python's strftime directives (the ones agents use): %Y %y %m %d %e %H %I %M %S %f %p %a %A %b %B %j %z %Z %% and %F %T %D. */
export function strftime(date: Date, format: string, timeZone = 'UTC'): string {
  const p = zonedParts(date, timeZone);
  const d: Record<string, () => string> = {
    Y: () => String(p.year),
    y: () => pad(p.year % 100),
    m: () => pad(p.month),
    d: () => pad(p.day),
    e: () => String(p.day).padStart(2, ' '),
    H: () => pad(p.hour),
    I: () => pad(p.hour % 12 === 0 ? 12 : p.hour % 12),
    M: () => pad(p.minute),
    S: () => pad(p.second),
    f: () => pad(p.millisecond * 1000, 6),
    p: () => (p.hour < 12 ? 'AM' : 'PM'),
    a: () => DAYS[p.weekday].slice(0, 3),
    A: () => DAYS[p.weekday],
    w: () => String(p.weekday),
    b: () => MONTHS[p.month - 1].slice(0, 3),
    h: () => MONTHS[p.month - 1].slice(0, 3),
    B: () => MONTHS[p.month - 1],
    j: () => pad(dayOfYear(p), 3),
    z: () => formatOffset(p.offsetMinutes, false),
    Z: () => (timeZone === 'UTC' ? 'UTC' : timeZone),
    F: () => `${p.year}-${pad(p.month)}-${pad(p.day)}`,
    T: () => `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`,
    D: () => `${pad(p.month)}/${pad(p.day)}/${pad(p.year % 100)}`,
    '%': () => '%',
  };
  return format.replace(/%([A-Za-z%])/g, (whole, c: string) => (d[c] ? d[c]() : whole));
}

/** ISO 8601 in the zone, like Python's isoformat(): 2024-05-01T09:30:00+02:00 (with .ffffff when asked). */
export function isoInZone(date: Date, timeZone = 'UTC', withMicroseconds = false): string {
  const p = zonedParts(date, timeZone);
  const frac = withMicroseconds ? `.${pad(p.millisecond * 1000, 6)}` : '';
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${frac}${formatOffset(p.offsetMinutes, true)}`;
}

export function isoDateInZone(date: Date, timeZone = 'UTC'): string {
  const p = zonedParts(date, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/**
 * The instant for a wall-clock time in a zone (e.g. "2024-03-10 09:00" in America/New_York).
 * Two passes settle the offset across DST changes.
 */
export function fromZonedWallClock(
  fields: {
    year: number;
    month: number;
    day: number;
    hour?: number;
    minute?: number;
    second?: number;
    millisecond?: number;
  },
  timeZone: string,
): Date {
  const asUtc = Date.UTC(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
    fields.millisecond ?? 0,
  );
  let guess = asUtc - zonedParts(new Date(asUtc), timeZone).offsetMinutes * 60_000;
  guess = asUtc - zonedParts(new Date(guess), timeZone).offsetMinutes * 60_000;
  return new Date(guess);
}

/**
 * Parses an ISO 8601 date or date-time; without an offset it is read as wall-clock time in `timeZone`.
 * Also accepts a Unix timestamp in seconds (number or digits). Returns undefined when unparseable.
 */
export function parseDateTime(value: string | number, timeZone = 'UTC'): Date | undefined {
  if (typeof value === 'number' || /^\d{9,11}(\.\d+)?$/.test(value.trim())) return new Date(Number(value) * 1000);
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      value.trim(),
    );
  if (!m) {
    // RFC 2822 and similar carry their own zone; anything else would be read in the server's zone, so refuse it.
    if (!/(GMT|UTC|Z|[+-]\d{4})\s*$/i.test(value.trim())) return undefined;
    const fallback = new Date(value);
    return Number.isNaN(fallback.getTime()) ? undefined : fallback;
  }
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const fields = {
    year: +y,
    month: +mo,
    day: +d,
    hour: +(h ?? 0),
    minute: +(mi ?? 0),
    second: +(s ?? 0),
    millisecond: frac ? Math.round(Number(`0.${frac}`) * 1000) : 0,
  };
  const daysInMonth = new Date(Date.UTC(fields.year, fields.month, 0)).getUTCDate();
  if (
    fields.month < 1 ||
    fields.month > 12 ||
    fields.day < 1 ||
    fields.day > daysInMonth ||
    fields.hour > 23 ||
    fields.minute > 59 ||
    fields.second > 59
  )
    return undefined;
  if (!zone) return fromZonedWallClock(fields, timeZone);
  const utc = Date.UTC(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour,
    fields.minute,
    fields.second,
    fields.millisecond,
  );
  if (zone.toUpperCase() === 'Z') return new Date(utc);
  const zm = /([+-])(\d{2}):?(\d{2})/.exec(zone)!;
  const offset = (zm[1] === '-' ? -1 : 1) * (Number(zm[2]) * 60 + Number(zm[3]));
  return new Date(utc - offset * 60_000);
}
