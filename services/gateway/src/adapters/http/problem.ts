import type { NextFunction, Request, Response } from 'express';
import { DomainError, ErrorCodes, isDomainError } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';

/** RFC 9457 problem details with a stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: unknown;
}

const TITLES: Record<string, string> = {
  VALIDATION_FAILED: 'Validation failed',
  MALFORMED_REQUEST: 'Malformed request',
  UNAUTHENTICATED: 'Authentication required',
  INVALID_CREDENTIALS: 'Invalid credentials',
  TOKEN_EXPIRED: 'Token expired',
  PERMISSION_DENIED: 'Permission denied',
  NOT_FOUND: 'Not found',
  VERSION_CONFLICT: 'Version conflict',
  INVALID_TRANSITION: 'Invalid state transition',
  PAYLOAD_TOO_LARGE: 'Payload too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  RATE_LIMITED: 'Too many requests',
  QUOTA_EXCEEDED: 'Quota exceeded',
  UNAVAILABLE: 'Service unavailable',
  INTERNAL: 'Internal error',
};

/** A refusal whose HTTP status has no kernel error code (e.g. 422 for an infected upload). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}

export function problemFrom(err: DomainError, instance?: string): Problem {
  const status = ErrorCodes[err.code].http;
  const problem: Problem = {
    type: `https://agentry.dev/problems/${err.code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[err.code] ?? err.code.replace(/_/g, ' ').toLowerCase(),
    status,
    detail:
      status >= 500 && err.code === 'INTERNAL'
        ? 'an internal error occurred; the request id identifies it in the logs'
        : err.message,
    code: err.code,
    instance,
  };
  if (err.details && 'errors' in err.details) problem.errors = err.details.errors;
  else if (err.details && status < 500) problem.errors = undefined;
  return problem;
}

export function sendProblem(res: Response, problem: Problem): void {
  res.status(problem.status).type('application/problem+json').json(problem);
}

/** Express error handler: body-parser errors, DomainErrors and the unexpected, all as problem+json, never a stack trace. */
export function problemHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const requestId = String(res.getHeader('x-request-id') ?? '');
    if (err instanceof HttpProblem) {
      if (!res.headersSent)
        sendProblem(res, {
          type: `https://agentry.dev/problems/${err.code.toLowerCase().replace(/_/g, '-')}`,
          title: err.title,
          status: err.status,
          detail: err.message,
          code: err.code,
          instance: requestId,
        });
      return;
    }
    let domain: DomainError;
    const e = err as { type?: string; status?: number; message?: string };
    if (isDomainError(err)) domain = err;
    else if (e?.type === 'entity.parse.failed')
      domain = new DomainError('MALFORMED_REQUEST', 'the request body is not valid JSON');
    else if (e?.type === 'entity.too.large')
      domain = new DomainError('PAYLOAD_TOO_LARGE', 'the request body is too large');
    else if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported')
      domain = new DomainError('UNSUPPORTED_MEDIA_TYPE', e.message ?? 'unsupported encoding');
    else if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
      domain = new DomainError('MALFORMED_REQUEST', e.message ?? 'bad request');
    else domain = new DomainError('INTERNAL', 'internal error');
    if (domain.code === 'INTERNAL' || domain.code === 'UNAVAILABLE')
      logger.error({ err, requestId, path: req.path }, 'request failed');
    if (res.headersSent) return;
    sendProblem(res, problemFrom(domain, requestId));
  };
}
