// OperatorError: code, typed details, a short message for logs, the cause, and a narrowing guard.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { isOperatorError, OperatorError } from '../src/index.ts';

describe('OperatorError', () => {
  it('carries code, details, a short message and the cause', () => {
    const cause = new Error('connect ECONNREFUSED');
    const e = new OperatorError(
      { code: 'DUTY_FAILED', duty: 'attestation', validatorIndex: 7, slot: 12, stage: 'publish' },
      { cause },
    );
    expect(e.name).toBe('OperatorError');
    expect(e.code).toBe('DUTY_FAILED');
    expect(e.shortMessage).toBe('attestation of validator 7 at slot 12 failed (publish)');
    expect(e.message).toBe(
      '[DUTY_FAILED] attestation of validator 7 at slot 12 failed (publish): connect ECONNREFUSED',
    );
    expect(e.cause).toBe(cause);
  });

  it('narrows details by code', () => {
    const e: unknown = new OperatorError({
      code: 'INVALID_SPEC',
      field: 'SLOTS_PER_EPOCH',
      reason: 'missing',
    });
    expect(isOperatorError(e)).toBe(true);
    expect(isOperatorError(e, 'PRESET_MISMATCH')).toBe(false);
    expect(isOperatorError(new Error('x'))).toBe(false);
    if (isOperatorError(e, 'INVALID_SPEC')) {
      expectTypeOf(e.details.field).toEqualTypeOf<string>();
      expect(e.details.field).toBe('SLOTS_PER_EPOCH');
    }
  });
});
