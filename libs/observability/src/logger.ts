import { trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';
import { captureError } from './sentry';

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
      // trace_id/span_id of the active span, so logs and traces join up
      mixin() {
        const span = trace.getActiveSpan()?.spanContext();
        return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
      },
      hooks: {
        // errors logged with an `err` also go to Sentry (when SENTRY_DSN is set; scrubbed there)
        logMethod(args, method, level) {
          if (level >= 50) {
            const first = args[0] as unknown;
            const err = first instanceof Error ? first : (first as { err?: unknown } | undefined)?.err;
            if (err instanceof Error) captureError(err, { message: typeof args[1] === 'string' ? args[1] : undefined, service: options.name });
          }
          return method.apply(this, args);
        },
      },
    },
    options.destination,
  );
}
