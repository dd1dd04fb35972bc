/**
 * Typed errors of @diva-dvt/bls-threshold.
 *
 * Every malformed input throws a `BlsError` whose `details.code` says what was wrong and whose other
 * fields say where (which field, which position in a list, which share index). Verification of a
 * well-formed but wrong signature never throws: it returns `false`. No message ever contains secret
 * material: secret keys are described by field name only.
 */

/** Where in the caller's input a bad value sat. */
export interface BlsErrorLocation {
  /** Name of the argument or field, e.g. `publicKey`, `partials[3].signature`. */
  readonly field: string;
  /** Position in a list, when the value came from one. */
  readonly index?: number;
}

export type BlsErrorDetails =
  | ({
      readonly code: 'INVALID_LENGTH';
      readonly expected: number;
      readonly actual: number;
    } & BlsErrorLocation)
  | ({ readonly code: 'INVALID_ENCODING'; readonly reason: string } & BlsErrorLocation)
  | ({ readonly code: 'NOT_IN_SUBGROUP' } & BlsErrorLocation)
  | ({ readonly code: 'IDENTITY_POINT' } & BlsErrorLocation)
  | ({
      readonly code: 'INVALID_SCALAR';
      readonly reason: 'zero' | 'not below the group order r';
    } & BlsErrorLocation)
  | ({ readonly code: 'INVALID_TYPE'; readonly expected: string } & BlsErrorLocation)
  | ({ readonly code: 'EMPTY_INPUT' } & BlsErrorLocation)
  | ({
      readonly code: 'LENGTH_MISMATCH';
      readonly expected: number;
      readonly actual: number;
    } & BlsErrorLocation)
  | { readonly code: 'INVALID_THRESHOLD'; readonly threshold: number; readonly shareCount: number }
  | {
      readonly code: 'INVALID_SHARE_INDEX';
      readonly shareIndex: number;
      readonly shareCount: number | undefined;
      readonly index?: number;
      /** The argument that held it, when not a list of shares (e.g. `x`, `shareIndex`). */
      readonly field?: string;
    }
  | { readonly code: 'DUPLICATE_SHARE_INDEX'; readonly shareIndex: number; readonly index: number }
  | { readonly code: 'NOT_ENOUGH_PARTIALS'; readonly threshold: number; readonly received: number }
  | { readonly code: 'GROUP_KEY_MISMATCH' }
  | { readonly code: 'PUBLIC_SHARE_MISMATCH'; readonly shareIndex: number }
  | { readonly code: 'INVALID_PATH'; readonly path: string; readonly reason: string }
  | { readonly code: 'INVALID_SEED'; readonly reason: string }
  | { readonly code: 'BACKEND_UNSUPPORTED'; readonly backend: string; readonly operation: string };

export type BlsErrorCode = BlsErrorDetails['code'];

function describe(d: BlsErrorDetails): string {
  const at = 'field' in d ? `${d.field}${d.index === undefined ? '' : ` [${d.index}]`}` : '';
  switch (d.code) {
    case 'INVALID_LENGTH':
      return `${at}: expected ${d.expected} bytes, got ${d.actual}`;
    case 'INVALID_ENCODING':
      return `${at}: invalid point encoding (${d.reason})`;
    case 'NOT_IN_SUBGROUP':
      return `${at}: point is not in the prime-order subgroup`;
    case 'IDENTITY_POINT':
      return `${at}: point at infinity is not allowed here`;
    case 'INVALID_SCALAR':
      return `${at}: invalid scalar (${d.reason})`;
    case 'INVALID_TYPE':
      return `${at}: expected ${d.expected}`;
    case 'EMPTY_INPUT':
      return `${at}: must not be empty`;
    case 'LENGTH_MISMATCH':
      return `${at}: expected ${d.expected} items, got ${d.actual}`;
    case 'INVALID_THRESHOLD':
      return `threshold ${d.threshold} is invalid for ${d.shareCount} shares (need 1 <= t <= n)`;
    case 'INVALID_SHARE_INDEX':
      return `${d.field === undefined ? '' : `${d.field}: `}share index ${d.shareIndex}${d.index === undefined ? '' : ` (item ${d.index})`} is out of range 1..${d.shareCount ?? '2^32-1'}`;
    case 'DUPLICATE_SHARE_INDEX':
      return `share index ${d.shareIndex} appears more than once (item ${d.index})`;
    case 'NOT_ENOUGH_PARTIALS':
      return `need at least ${d.threshold} partial signatures, got ${d.received}`;
    case 'GROUP_KEY_MISMATCH':
      return 'valid partial signatures combine to a signature the group public key rejects: the public shares do not belong to that group key';
    case 'PUBLIC_SHARE_MISMATCH':
      return `the secret share of share index ${d.shareIndex} does not match public share ${d.shareIndex}`;
    case 'INVALID_PATH':
      return `invalid derivation path "${d.path}": ${d.reason}`;
    case 'INVALID_SEED':
      return `invalid seed: ${d.reason}`;
    case 'BACKEND_UNSUPPORTED':
      return `the ${d.backend} backend does not support ${d.operation}`;
  }
}

/** The one error class this package throws for bad input. */
export class BlsError extends Error {
  override readonly name = 'BlsError';
  readonly code: BlsErrorCode;
  readonly details: BlsErrorDetails;
  /** The message without the package prefix, for logs that add their own context. */
  readonly shortMessage: string;

  constructor(details: BlsErrorDetails, options?: { cause?: unknown }) {
    const shortMessage = describe(details);
    super(`[${details.code}] ${shortMessage}`, options);
    this.code = details.code;
    this.details = details;
    this.shortMessage = shortMessage;
  }
}

/** Narrows an unknown error to a `BlsError`, optionally of one code. */
export function isBlsError<C extends BlsErrorCode>(
  error: unknown,
  code?: C,
): error is BlsError & { code: C; details: Extract<BlsErrorDetails, { code: C }> } {
  return error instanceof BlsError && (code === undefined || error.code === code);
}
