import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { DomainError } from '@agentry/kernel';
import { fromServiceError, toServiceError } from '../src/errors';

describe('domain errors <-> gRPC status, in one place', () => {
  it('maps each domain code to its status and back without losing the code or details', () => {
    const cases: Array<[DomainError, number]> = [
      [new DomainError('NOT_FOUND', 'graph x not found'), status.NOT_FOUND],
      [new DomainError('VALIDATION_FAILED', 'bad', { errors: { n1: { f: 'm' } } }), status.INVALID_ARGUMENT],
      [new DomainError('VERSION_CONFLICT', 'newer version'), status.ABORTED],
      [new DomainError('INVALID_TRANSITION', 'already completed'), status.FAILED_PRECONDITION],
      [new DomainError('UNAUTHENTICATED', 'who are you'), status.UNAUTHENTICATED],
      [new DomainError('NOT_FOUND', 'graph 🙂 not found', { id: '🙂 ünïcode' }), status.NOT_FOUND],
    ];
    for (const [err, expected] of cases) {
      const wire = toServiceError(err);
      expect(wire.code).toBe(expected);
      const back = fromServiceError({ ...wire, message: String(wire.details), name: 'Error' } as ServiceError);
      expect(back.code).toBe(err.code);
      expect(back.message).toBe(err.message);
      expect(back.details).toEqual(err.details);
    }
  });

  it('hides unexpected errors behind INTERNAL without their message', () => {
    const wire = toServiceError(new Error('secret stack detail'));
    expect(wire.code).toBe(status.INTERNAL);
    expect(wire.details).toBe('internal error');
  });

  it('derives a code from the status when the server sent no metadata', () => {
    const back = fromServiceError({ code: status.UNAVAILABLE, details: 'connection refused', metadata: new Metadata(), message: 'x', name: 'Error' } as ServiceError);
    expect(back.code).toBe('UNAVAILABLE');
    expect(back.retryable).toBe(true);
  });
});
