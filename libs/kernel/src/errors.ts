/**
 * Stable error codes. They cross every boundary unchanged: REST maps them to problem+json `code`,
 * gRPC maps them to a status (see libs/grpc), and clients may switch on them.
 */
export const ErrorCodes = {
  VALIDATION_FAILED: { http: 400, grpc: 3 /* INVALID_ARGUMENT */, retryable: false },
  MALFORMED_REQUEST: { http: 400, grpc: 3, retryable: false },
  UNAUTHENTICATED: { http: 401, grpc: 16, retryable: false },
  INVALID_CREDENTIALS: { http: 401, grpc: 16, retryable: false },
  TOKEN_EXPIRED: { http: 401, grpc: 16, retryable: false },
  PERMISSION_DENIED: { http: 403, grpc: 7, retryable: false },
  NOT_FOUND: { http: 404, grpc: 5, retryable: false },
  ALREADY_EXISTS: { http: 409, grpc: 6, retryable: false },
  CONFLICT: { http: 409, grpc: 10 /* ABORTED */, retryable: true },
  VERSION_CONFLICT: { http: 409, grpc: 10, retryable: true },
  INVALID_TRANSITION: { http: 409, grpc: 9 /* FAILED_PRECONDITION */, retryable: false },
  PAYLOAD_TOO_LARGE: { http: 413, grpc: 8, retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, grpc: 3, retryable: false },
  RATE_LIMITED: { http: 429, grpc: 8 /* RESOURCE_EXHAUSTED */, retryable: true },
  QUOTA_EXCEEDED: { http: 429, grpc: 8, retryable: false },
  BUDGET_EXCEEDED: { http: 429, grpc: 8, retryable: false },
  UNAVAILABLE: { http: 503, grpc: 14, retryable: true },
  TIMEOUT: { http: 504, grpc: 4 /* DEADLINE_EXCEEDED */, retryable: true },
  CORRUPT_EVENT: { http: 500, grpc: 15 /* DATA_LOSS */, retryable: false },
  INTERNAL: { http: 500, grpc: 13, retryable: false },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ErrorCodes, value);
}

/** A failure the caller can understand: a stable code, a human message, optional structured details. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { retryable?: boolean; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.retryable = options?.retryable ?? ErrorCodes[code].retryable;
    this.details = details;
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError || (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'DomainError' && isErrorCode((err as { code?: unknown }).code));
}

export const notFound = (what: string, id: string) => new DomainError('NOT_FOUND', `${what} ${id} not found`, { what, id });
