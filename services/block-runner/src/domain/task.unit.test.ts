import { DomainError } from '@agentry/kernel';
import { effectiveAttempt, failureOf, failureOfErrorPin } from './task';

describe('node task rules', () => {
  it('a redelivered task is a new attempt', () => {
    expect(effectiveAttempt({ attempt: 1 }, 1)).toBe(1);
    expect(effectiveAttempt({ attempt: 1 }, 2)).toBe(2);
    expect(effectiveAttempt({ attempt: 3 }, 2)).toBe(4);
  });

  it('maps thrown values to failures with a code and a retryable flag', () => {
    expect(failureOf(new DomainError('VALIDATION_FAILED', 'bad'))).toEqual({
      message: 'bad',
      code: 'VALIDATION_FAILED',
      retryable: false,
    });
    expect(failureOf(new DomainError('UNAVAILABLE', 'down'))).toEqual({
      message: 'down',
      code: 'UNAVAILABLE',
      retryable: true,
    });
    expect(failureOf(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toEqual({
      message: 'refused',
      code: 'ECONNREFUSED',
      retryable: true,
    });
    expect(failureOf('plain')).toEqual({ message: 'plain', retryable: true });
    expect(failureOfErrorPin({ why: 'x' })).toEqual({ message: '{"why":"x"}', code: 'BLOCK_ERROR', retryable: true });
  });
});
