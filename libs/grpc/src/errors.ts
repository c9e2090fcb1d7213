import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { DomainError, ErrorCodes, isDomainError, isErrorCode, type ErrorCode } from '@agentry/kernel';

const CODE_KEY = 'agentry-error-code';
// A `-bin` key carries bytes (base64 on the wire), so details may hold any text, not just ASCII.
const DETAILS_KEY = 'agentry-error-details-bin';

/** The one place where domain errors become gRPC statuses (STYLE.md). */
export function toServiceError(err: unknown): Partial<ServiceError> {
  const metadata = new Metadata();
  if (isDomainError(err)) {
    metadata.set(CODE_KEY, err.code);
    if (err.details) metadata.set(DETAILS_KEY, Buffer.from(JSON.stringify(err.details), 'utf8'));
    return { code: ErrorCodes[err.code].grpc, details: err.message, metadata };
  }
  metadata.set(CODE_KEY, 'INTERNAL');
  return { code: status.INTERNAL, details: 'internal error', metadata };
}

const statusToCode: Partial<Record<number, ErrorCode>> = {
  [status.INVALID_ARGUMENT]: 'VALIDATION_FAILED',
  [status.NOT_FOUND]: 'NOT_FOUND',
  [status.ALREADY_EXISTS]: 'ALREADY_EXISTS',
  [status.PERMISSION_DENIED]: 'PERMISSION_DENIED',
  [status.UNAUTHENTICATED]: 'UNAUTHENTICATED',
  [status.FAILED_PRECONDITION]: 'INVALID_TRANSITION',
  [status.ABORTED]: 'CONFLICT',
  [status.RESOURCE_EXHAUSTED]: 'RATE_LIMITED',
  [status.DEADLINE_EXCEEDED]: 'TIMEOUT',
  [status.UNAVAILABLE]: 'UNAVAILABLE',
  [status.DATA_LOSS]: 'CORRUPT_EVENT',
};

/** The inverse on the client side: a gRPC error becomes the DomainError the server raised. */
export function fromServiceError(err: ServiceError): DomainError {
  const rawCode = err.metadata?.get(CODE_KEY)[0]?.toString();
  const code: ErrorCode = isErrorCode(rawCode) ? rawCode : (statusToCode[err.code] ?? 'INTERNAL');
  let details: Record<string, unknown> | undefined;
  const rawDetails = err.metadata?.get(DETAILS_KEY)[0]?.toString('utf8');
  if (rawDetails) {
    try {
      details = JSON.parse(rawDetails) as Record<string, unknown>;
    } catch {
      details = undefined;
    }
  }
  return new DomainError(code, err.details || err.message, details, { cause: err });
}
