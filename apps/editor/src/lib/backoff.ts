/** Reconnect delay: exponential with a cap and "equal jitter". `random` in [0, 1) is passed in to keep this pure. */
export function reconnectDelay(attempt: number, random: number, baseMs = 500, maxMs = 15_000): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(exp / 2 + (exp / 2) * random);
}
