import { DomainError, type NewEvent } from '@agentry/kernel';
import type { AppendOptions } from '../ports';

export function validateAppend(streamId: string, events: NewEvent[], options: AppendOptions, maxEvents = Infinity): void {
  if (typeof streamId !== 'string' || streamId.length === 0) throw new DomainError('VALIDATION_FAILED', 'streamId must be a non-empty string');
  if (!options || typeof options.tenantId !== 'string' || options.tenantId.length === 0) {
    throw new DomainError('VALIDATION_FAILED', 'append needs a tenantId', { streamId });
  }
  const ev = options.expectedVersion;
  if (ev !== 'any' && !(Number.isInteger(ev) && ev >= 0)) {
    throw new DomainError('VALIDATION_FAILED', `expectedVersion must be 'any' or an integer >= 0, got ${String(ev)}`, { streamId });
  }
  if (events.length > maxEvents) throw new DomainError('VALIDATION_FAILED', `at most ${maxEvents} events per append`, { streamId, count: events.length });
  for (const e of events) {
    if (typeof e?.type !== 'string' || e.type.length === 0) throw new DomainError('VALIDATION_FAILED', 'every event needs a type', { streamId });
  }
}

export function versionConflict(streamId: string, expected: number | 'any', actual: number): DomainError {
  return new DomainError('VERSION_CONFLICT', `stream ${streamId} is at version ${actual}, expected ${expected}`, { streamId, expected, actual });
}

export function leaseConflict(queue: string, id: string, why: string): DomainError {
  return new DomainError('CONFLICT', `lease on task ${queue}/${id} is not held: ${why}`, { queue, id });
}
