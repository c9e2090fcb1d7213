/** Small value helpers shared by the blocks (AutoGPT-compatible coercions). */

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a string that holds JSON; anything else (or invalid JSON) is returned as it is. */
export function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const s = value.trim();
  if (!/^[[{"]|^-?\d|^(true|false|null)$/.test(s)) return value;
  try {
    return JSON.parse(s);
  } catch {
    return value;
  }
}

/** Number from a number or numeric string; undefined when it is not one. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.trim());
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

/** Sleeps, rejecting with the signal's reason when the signal aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('Aborted');
}

/** Python-like truthiness, which AutoGPT blocks rely on ("if not value"). */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

/** Predicate helpers for test cases. */
export const is = {
  string: (v: unknown): boolean => typeof v === 'string',
  matching:
    (re: RegExp) =>
    (v: unknown): boolean =>
      typeof v === 'string' && re.test(v),
  uuid: (v: unknown): boolean =>
    typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(v),
  numberBetween:
    (lo: number, hi: number) =>
    (v: unknown): boolean =>
      typeof v === 'number' && v >= lo && v <= hi,
};
