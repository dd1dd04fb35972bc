// DevnetError: code, typed details, a short message without the log tail, the cause, and a guard
// that narrows details by code.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { DevnetError, interopSecretKey, isDevnetError } from '../src/index.ts';

describe('DevnetError', () => {
  it('keeps the log tail in the message and out of the short message', () => {
    const e = new DevnetError({
      code: 'EARLY_EXIT',
      exitCode: 1,
      signal: null,
      logFile: '/tmp/lodestar.log',
      logTail: 'Error: unknown argument NOT_A_PARAM',
    });
    expect(e.shortMessage).toBe('Lodestar exited before its REST API answered (exit code 1, signal null)');
    expect(e.message).toBe(
      '[EARLY_EXIT] Lodestar exited before its REST API answered (exit code 1, signal null); log /tmp/lodestar.log, last lines:\nError: unknown argument NOT_A_PARAM',
    );
    expect(e.name).toBe('DevnetError');
  });

  it('narrows details by code, and is what the package throws for bad input', () => {
    const error: unknown = (() => {
      try {
        interopSecretKey(-1);
      } catch (e) {
        return e;
      }
    })();
    expect(isDevnetError(error, 'PORT_IN_USE')).toBe(false);
    expect(isDevnetError(new Error('x'))).toBe(false);
    expect(isDevnetError(error, 'INVALID_OPTION')).toBe(true);
    if (isDevnetError(error, 'INVALID_OPTION')) {
      expectTypeOf(error.details.option).toEqualTypeOf<string>();
      expect(error.details.option).toBe('index');
    }
  });
});
