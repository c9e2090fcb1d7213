import { defineBlock } from '@agentry/block-sdk';
import { z } from 'zod';
import { is, sleep, toNumber } from '../util';
import {
  assertTimeZone,
  fromZonedWallClock,
  isoDateInZone,
  isoInZone,
  parseDateTime,
  strftime,
  zonedParts,
} from './zoned';

const timezone = () => z.string().default('UTC').describe('IANA time zone, e.g. "Europe/Paris"');
const strftimeFormat = (format: string) =>
  z.object({
    discriminator: z.literal('strftime'),
    format: z.string().default(format).describe('strftime format, e.g. %Y-%m-%d %H:%M:%S'),
    timezone: timezone(),
    use_user_timezone: z
      .boolean()
      .default(false)
      .describe("Use the user's time zone (not known to Agentry yet: the given timezone is used)"),
  });
const isoFormat = (extra: z.ZodRawShape = {}) =>
  z.object({
    discriminator: z.literal('iso8601'),
    timezone: timezone(),
    use_user_timezone: z.boolean().default(false),
    ...extra,
  });

function zoneError(tz: string): string | undefined {
  try {
    assertTimeZone(tz);
    return undefined;
  } catch {
    return `Unknown time zone: ${tz}`;
  }
}

export const GetCurrentDateBlock = defineBlock({
  id: 'b29c1b50-5d0e-4d9f-8f9d-1b0e6fcbf0b1',
  name: 'GetCurrentDateBlock',
  description: 'Yields the current date (minus `offset` days), formatted with strftime or as ISO 8601, in a time zone.',
  categories: ['TIME'],
  input: z.object({
    trigger: z.string().describe('Trigger any data to output the current date'),
    offset: z.union([z.int(), z.string()]).default(0).describe('Offset in days from the current date'),
    format_type: z
      .discriminatedUnion('discriminator', [strftimeFormat('%Y-%m-%d'), isoFormat()])
      .default({ discriminator: 'strftime', format: '%Y-%m-%d', timezone: 'UTC', use_user_timezone: false })
      .describe('Format type for date output (strftime with custom format or ISO 8601)'),
  }),
  output: z.object({ date: z.string().describe('Current date in the specified format (default: YYYY-MM-DD)') }),
  async *run(input) {
    const offset = toNumber(input.offset);
    if (offset === undefined || !Number.isInteger(offset)) {
      yield ['error', `Invalid offset: ${JSON.stringify(input.offset)}`];
      return;
    }
    const ft = input.format_type;
    const bad = zoneError(ft.timezone);
    if (bad) {
      yield ['error', bad];
      return;
    }
    const today = zonedParts(new Date(), ft.timezone);
    const day = fromZonedWallClock(
      { year: today.year, month: today.month, day: today.day - offset, hour: 12 },
      ft.timezone,
    );
    yield [
      'date',
      ft.discriminator === 'iso8601' ? isoDateInZone(day, ft.timezone) : strftime(day, ft.format, ft.timezone),
    ];
  },
  testCases: [
    { input: { trigger: 'Hello' }, output: [['date', is.matching(/^\d{4}-\d{2}-\d{2}$/)]] },
    {
      input: {
        trigger: 'x',
        offset: '7',
        format_type: { discriminator: 'strftime', format: '%d/%m/%Y', timezone: 'Asia/Tokyo' },
      },
      output: [['date', is.matching(/^\d{2}\/\d{2}\/\d{4}$/)]],
    },
    {
      input: { trigger: 'x', format_type: { discriminator: 'iso8601', timezone: 'America/New_York' } },
      output: [['date', is.matching(/^\d{4}-\d{2}-\d{2}$/)]],
    },
    { input: { trigger: 'x', offset: 'soon' }, output: [['error', 'Invalid offset: "soon"']] },
  ],
});

export const GetCurrentDateAndTimeBlock = defineBlock({
  id: '716a67b3-6760-42e7-86dc-18645c6e00fc',
  name: 'GetCurrentDateAndTimeBlock',
  description: 'Yields the current date and time, formatted with strftime or as ISO 8601, in a time zone.',
  categories: ['TIME'],
  input: z.object({
    trigger: z.string().describe('Trigger any data to output the current date and time'),
    format_type: z
      .discriminatedUnion('discriminator', [
        strftimeFormat('%Y-%m-%d %H:%M:%S'),
        isoFormat({ include_microseconds: z.boolean().default(false) }),
      ])
      .default({ discriminator: 'strftime', format: '%Y-%m-%d %H:%M:%S', timezone: 'UTC', use_user_timezone: false })
      .describe('Format type for date and time output (strftime with custom format or ISO 8601/RFC 3339)'),
  }),
  output: z.object({ date_time: z.string().describe('Current date and time in the specified format') }),
  async *run(input) {
    const ft = input.format_type;
    const bad = zoneError(ft.timezone);
    if (bad) {
      yield ['error', bad];
      return;
    }
    const now = new Date();
    yield [
      'date_time',
      ft.discriminator === 'iso8601'
        ? isoInZone(now, ft.timezone, Boolean((ft as { include_microseconds?: boolean }).include_microseconds))
        : strftime(now, ft.format, ft.timezone),
    ];
  },
  testCases: [
    { input: { trigger: 'Hello' }, output: [['date_time', is.matching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)]] },
    {
      input: { trigger: 'x', format_type: { discriminator: 'iso8601', timezone: 'Asia/Kolkata' } },
      output: [['date_time', is.matching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+05:30$/)]],
    },
    {
      input: { trigger: 'x', format_type: { discriminator: 'strftime', format: '%H', timezone: 'Mars/Olympus' } },
      output: [['error', 'Unknown time zone: Mars/Olympus']],
    },
  ],
});

const durationPart = () => z.union([z.int(), z.string()]).default(0);

export const CountdownTimerBlock = defineBlock({
  id: 'd67a9c52-5e4e-11e2-bcfd-0800200c9a71',
  name: 'CountdownTimerBlock',
  description:
    'Waits for the given duration, then yields `input_message`; repeats `repeat` times. Cancelling the execution stops the wait.',
  categories: ['TIME'],
  input: z.object({
    input_message: z.any().default('timer finished').describe('Message to output after the timer finishes'),
    seconds: durationPart().describe('Duration in seconds'),
    minutes: durationPart().describe('Duration in minutes'),
    hours: durationPart().describe('Duration in hours'),
    days: durationPart().describe('Duration in days'),
    repeat: z.int().min(0).default(1).describe('Number of times to repeat the timer'),
  }),
  output: z.object({ output_message: z.any().describe('Message after the timer finishes') }),
  async *run(input, ctx) {
    const parts = [input.seconds, input.minutes, input.hours, input.days].map(toNumber);
    if (parts.some((p) => p === undefined || p < 0)) {
      yield ['error', 'Durations must be non-negative numbers'];
      return;
    }
    const [s, m, h, d] = parts as number[];
    const totalMs = (s + m * 60 + h * 3600 + d * 86400) * 1000;
    for (let i = 0; i < input.repeat; i++) {
      if (totalMs > 0) await sleep(totalMs, ctx.signal);
      yield ['output_message', input.input_message];
    }
  },
  testCases: [
    { input: { input_message: 'Hello', seconds: 0 }, output: [['output_message', 'Hello']] },
    {
      input: { seconds: '0', repeat: 2 },
      output: [
        ['output_message', 'timer finished'],
        ['output_message', 'timer finished'],
      ],
    },
    { input: { seconds: '0.01', input_message: { done: true } }, output: [['output_message', { done: true }]] },
    { input: { minutes: 'ten' }, output: [['error', 'Durations must be non-negative numbers']] },
  ],
});

const MAX_WAIT_MS = 24 * 3600 * 1000;

export const WaitBlock = defineBlock({
  id: '50440924-37c5-4c67-bcc9-b8dc7db14b67',
  name: 'WaitBlock',
  description:
    'Waits `milliseconds` (at most 24 hours), then passes `value` on. Cancelling the execution stops the wait.',
  categories: ['TIME', 'LOGIC'],
  input: z.object({
    value: z.any().describe('The value to pass on after the wait'),
    milliseconds: z.int().min(0).max(MAX_WAIT_MS).describe('How long to wait'),
  }),
  output: z.object({ value: z.any() }),
  async *run(input, ctx) {
    await sleep(input.milliseconds, ctx.signal);
    yield ['value', input.value];
  },
  testCases: [{ input: { value: 'later', milliseconds: 5 }, output: [['value', 'later']] }],
});

const dateInput = () =>
  z
    .union([z.string(), z.number()])
    .describe('ISO 8601 date/time (or Unix seconds); without an offset it is read in `timezone`');

function readDate(value: string | number, tz: string): Date | string {
  const bad = zoneError(tz);
  if (bad) return bad;
  return parseDateTime(value, tz) ?? `Cannot parse date: ${JSON.stringify(value)}`;
}

export const FormatDateBlock = defineBlock({
  id: '03dc9a47-8dfc-406b-ab66-7e04cc57dfa0',
  name: 'FormatDateBlock',
  description: 'Formats a date/time with a strftime pattern (or "iso8601") in a time zone.',
  categories: ['TIME'],
  input: z.object({
    date: dateInput(),
    format: z.string().default('%Y-%m-%d %H:%M:%S').describe('strftime pattern, or "iso8601"'),
    timezone: timezone(),
  }),
  output: z.object({ formatted: z.string() }),
  async *run(input) {
    const date = readDate(input.date, input.timezone);
    if (typeof date === 'string') {
      yield ['error', date];
      return;
    }
    yield [
      'formatted',
      input.format.toLowerCase() === 'iso8601'
        ? isoInZone(date, input.timezone)
        : strftime(date, input.format, input.timezone),
    ];
  },
  testCases: [
    {
      input: { date: '2024-03-05T14:07:09Z', format: '%A %d %B %Y, %I:%M %p (%z)', timezone: 'Europe/Paris' },
      output: [['formatted', 'Tuesday 05 March 2024, 03:07 PM (+0100)']],
    },
    {
      input: { date: 1700000000, format: 'iso8601', timezone: 'UTC' },
      output: [['formatted', '2023-11-14T22:13:20+00:00']],
    },
    {
      input: { date: 'Tue, 05 Mar 2024 14:07:09 GMT', format: '%F %T', timezone: 'Asia/Kolkata' },
      output: [['formatted', '2024-03-05 19:37:09']],
    },
    { input: { date: '2024-02-30', format: '%F' }, output: [['error', 'Cannot parse date: "2024-02-30"']] },
    { input: { date: 'next tuesday-ish', format: '%F' }, output: [['error', 'Cannot parse date: "next tuesday-ish"']] },
  ],
});

export const ParseDateBlock = defineBlock({
  id: 'bbd29088-2b1b-4147-87cd-231d36f9c40d',
  name: 'ParseDateBlock',
  description:
    'Parses a date/time text into an ISO 8601 UTC timestamp, Unix seconds and its calendar fields in `timezone`.',
  categories: ['TIME'],
  input: z.object({ date: dateInput(), timezone: timezone() }),
  output: z.object({
    iso_utc: z.string(),
    unix_seconds: z.number(),
    components: z.object({
      year: z.int(),
      month: z.int(),
      day: z.int(),
      hour: z.int(),
      minute: z.int(),
      second: z.int(),
      weekday: z.string(),
      timezone: z.string(),
    }),
  }),
  async *run(input) {
    const date = readDate(input.date, input.timezone);
    if (typeof date === 'string') {
      yield ['error', date];
      return;
    }
    const p = zonedParts(date, input.timezone);
    yield ['iso_utc', date.toISOString()];
    yield ['unix_seconds', date.getTime() / 1000];
    yield [
      'components',
      {
        year: p.year,
        month: p.month,
        day: p.day,
        hour: p.hour,
        minute: p.minute,
        second: p.second,
        weekday: strftime(date, '%A', input.timezone),
        timezone: input.timezone,
      },
    ];
  },
  testCases: [
    {
      input: { date: '2024-07-01 09:30', timezone: 'America/New_York' },
      output: [
        ['iso_utc', '2024-07-01T13:30:00.000Z'],
        ['unix_seconds', 1719840600],
        [
          'components',
          {
            year: 2024,
            month: 7,
            day: 1,
            hour: 9,
            minute: 30,
            second: 0,
            weekday: 'Monday',
            timezone: 'America/New_York',
          },
        ],
      ],
    },
  ],
});

const UNITS = ['milliseconds', 'seconds', 'minutes', 'hours', 'days', 'weeks', 'months', 'years'] as const;

/** Adds an amount in a unit; days and longer follow the calendar in the zone (DST-safe), months clamp to the month's end. */
export function addToDate(date: Date, amount: number, unit: (typeof UNITS)[number], tz: string): Date {
  const fixed = { milliseconds: 1, seconds: 1e3, minutes: 6e4, hours: 3.6e6 } as Record<string, number>;
  if (unit in fixed) return new Date(date.getTime() + amount * fixed[unit]);
  const p = zonedParts(date, tz);
  let { year, month, day } = p;
  if (unit === 'days' || unit === 'weeks') day += amount * (unit === 'weeks' ? 7 : 1);
  else {
    const months = month - 1 + amount * (unit === 'years' ? 12 : 1);
    year += Math.floor(months / 12);
    month = (((months % 12) + 12) % 12) + 1;
    day = Math.min(day, new Date(Date.UTC(year, month, 0)).getUTCDate());
  }
  return fromZonedWallClock(
    { year, month, day, hour: p.hour, minute: p.minute, second: p.second, millisecond: p.millisecond },
    tz,
  );
}

export const DateAddBlock = defineBlock({
  id: '59ce6cba-f33b-4e0f-b2d3-d06c79d5b6b3',
  name: 'DateAddBlock',
  description:
    'Adds or subtracts an amount of time (milliseconds … years) to a date; days and longer follow the calendar of `timezone`.',
  categories: ['TIME'],
  input: z.object({
    date: dateInput(),
    operation: z.enum(['add', 'subtract']).default('add'),
    amount: z.number().describe('How much to add or subtract'),
    unit: z.enum(UNITS).default('days'),
    timezone: timezone(),
  }),
  output: z.object({ result: z.string().describe('ISO 8601 in `timezone`'), result_utc: z.string() }),
  async *run(input) {
    const date = readDate(input.date, input.timezone);
    if (typeof date === 'string') {
      yield ['error', date];
      return;
    }
    if (!['milliseconds', 'seconds', 'minutes', 'hours'].includes(input.unit) && !Number.isInteger(input.amount)) {
      yield ['error', `amount must be a whole number of ${input.unit}`];
      return;
    }
    const result = addToDate(
      date,
      input.operation === 'add' ? input.amount : -input.amount,
      input.unit,
      input.timezone,
    );
    yield ['result', isoInZone(result, input.timezone)];
    yield ['result_utc', result.toISOString()];
  },
  testCases: [
    {
      input: { date: '2024-01-31T10:00:00Z', amount: 1, unit: 'months' },
      output: [
        ['result', '2024-02-29T10:00:00+00:00'],
        ['result_utc', '2024-02-29T10:00:00.000Z'],
      ],
    },
    {
      name: 'calendar days across DST',
      input: { date: '2024-03-30 12:00', amount: 1, unit: 'days', timezone: 'Europe/Berlin' },
      output: [
        ['result', '2024-03-31T12:00:00+02:00'],
        ['result_utc', '2024-03-31T10:00:00.000Z'],
      ],
    },
    {
      input: { date: '2024-03-01T00:00:00Z', operation: 'subtract', amount: 90, unit: 'minutes' },
      output: [
        ['result', '2024-02-29T22:30:00+00:00'],
        ['result_utc', '2024-02-29T22:30:00.000Z'],
      ],
    },
  ],
});

export const ConvertTimezoneBlock = defineBlock({
  id: '11337c69-e043-4a84-8d54-bc1d48bf985b',
  name: 'ConvertTimezoneBlock',
  description: 'Converts a date/time to another time zone (a value without offset is read in `from_timezone`).',
  categories: ['TIME'],
  input: z.object({
    date: dateInput(),
    from_timezone: z.string().default('UTC'),
    to_timezone: z.string().describe('Target IANA time zone'),
    format: z.string().default('iso8601').describe('strftime pattern for `formatted`, or "iso8601"'),
  }),
  output: z.object({
    converted: z.string().describe('ISO 8601 with the target offset'),
    formatted: z.string(),
    offset_minutes: z.int(),
  }),
  async *run(input) {
    const bad = zoneError(input.to_timezone);
    const date = bad ?? readDate(input.date, input.from_timezone);
    if (typeof date === 'string') {
      yield ['error', date];
      return;
    }
    yield ['converted', isoInZone(date, input.to_timezone)];
    yield [
      'formatted',
      input.format.toLowerCase() === 'iso8601'
        ? isoInZone(date, input.to_timezone)
        : strftime(date, input.format, input.to_timezone),
    ];
    yield ['offset_minutes', zonedParts(date, input.to_timezone).offsetMinutes];
  },
  testCases: [
    {
      input: {
        date: '2024-06-01 09:00',
        from_timezone: 'Europe/London',
        to_timezone: 'Asia/Tokyo',
        format: '%H:%M %Z',
      },
      output: [
        ['converted', '2024-06-01T17:00:00+09:00'],
        ['formatted', '17:00 Asia/Tokyo'],
        ['offset_minutes', 540],
      ],
    },
    {
      input: { date: '2024-01-01T00:00:00Z', to_timezone: 'Nowhere/City' },
      output: [['error', 'Unknown time zone: Nowhere/City']],
    },
  ],
});

export const DateDifferenceBlock = defineBlock({
  id: '00b8a50c-c56a-46e4-91ea-918dc670a93c',
  name: 'DateDifferenceBlock',
  description: 'Time from `start` to `end` (negative when end is earlier) in seconds, minutes, hours and whole days.',
  categories: ['TIME'],
  input: z.object({ start: dateInput(), end: dateInput(), timezone: timezone() }),
  output: z.object({ seconds: z.number(), minutes: z.number(), hours: z.number(), days: z.int() }),
  async *run(input) {
    const start = readDate(input.start, input.timezone);
    const end = readDate(input.end, input.timezone);
    if (typeof start === 'string' || typeof end === 'string') {
      yield ['error', typeof start === 'string' ? start : (end as string)];
      return;
    }
    const seconds = (end.getTime() - start.getTime()) / 1000;
    yield ['seconds', seconds];
    yield ['minutes', seconds / 60];
    yield ['hours', seconds / 3600];
    yield ['days', Math.trunc(seconds / 86400)];
  },
  testCases: [
    {
      input: { start: '2024-01-01T00:00:00Z', end: '2024-01-03T12:00:00Z' },
      output: [
        ['seconds', 216000],
        ['minutes', 3600],
        ['hours', 60],
        ['days', 2],
      ],
    },
    {
      input: { start: '2024-01-02', end: '2024-01-01' },
      output: [
        ['seconds', -86400],
        ['minutes', -1440],
        ['hours', -24],
        ['days', -1],
      ],
    },
  ],
});
