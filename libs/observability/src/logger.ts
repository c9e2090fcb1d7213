import pino, { type Logger } from 'pino';

export type { Logger };

/** Field paths never written to logs, whatever a caller passes. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'apiKey',
  '*.apiKey',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'credentials',
  '*.credentials',
];

/** JSON logs (pino) with secrets redacted; `destination` lets tests capture output. */
export function createLogger(options: { name: string; level?: string; destination?: pino.DestinationStream } = { name: 'agentry' }): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
