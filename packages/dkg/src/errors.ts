/**
 * Typed errors of @diva-dvt/dkg. Malformed or unauthenticated input is reported with a `DkgError`
 * whose `details.code` says what was wrong and whose other fields say where (message kind, sender,
 * field). Protocol faults name the culprits by their operator address. Secrets never appear.
 */
export type DkgErrorDetails =
  | { readonly code: 'INVALID_CONFIG'; readonly field: string; readonly reason: string }
  | { readonly code: 'INVALID_KEY'; readonly field: string; readonly reason: string }
  | { readonly code: 'OVERSIZED_MESSAGE'; readonly size: number; readonly limit: number }
  | { readonly code: 'UNSUPPORTED_VERSION'; readonly version: number }
  | { readonly code: 'MALFORMED_MESSAGE'; readonly reason: string; readonly kind?: string }
  | { readonly code: 'WRONG_CEREMONY'; readonly ceremonyId: `0x${string}` }
  | { readonly code: 'UNKNOWN_SENDER'; readonly sender: `0x${string}` }
  | { readonly code: 'BAD_SIGNATURE'; readonly sender: `0x${string}`; readonly kind: string }
  | { readonly code: 'REPLAYED_MESSAGE'; readonly sender: `0x${string}`; readonly kind: string }
  | {
      readonly code: 'UNEXPECTED_MESSAGE';
      readonly sender: `0x${string}`;
      readonly kind: string;
      readonly reason: string;
    }
  | {
      readonly code: 'NOT_ENOUGH_QUALIFIED';
      readonly qualified: number;
      readonly threshold: number;
      readonly culprits: readonly `0x${string}`[];
    }
  | {
      readonly code: 'TRANSCRIPT_MISMATCH';
      readonly culprits: readonly `0x${string}`[];
      readonly signers: readonly `0x${string}`[];
    }
  | { readonly code: 'TRANSCRIPT_NOT_CERTIFIED'; readonly matching: number; readonly threshold: number }
  | { readonly code: 'OWN_SHARE_INVALID'; readonly culprits: readonly `0x${string}`[] };

export type DkgErrorCode = DkgErrorDetails['code'];

function describe(d: DkgErrorDetails): string {
  switch (d.code) {
    case 'INVALID_CONFIG':
      return `invalid ceremony config at ${d.field}: ${d.reason}`;
    case 'INVALID_KEY':
      return `invalid ${d.field}: ${d.reason}`;
    case 'OVERSIZED_MESSAGE':
      return `message of ${d.size} bytes exceeds the limit of ${d.limit}`;
    case 'UNSUPPORTED_VERSION':
      return `unsupported message version ${d.version}`;
    case 'MALFORMED_MESSAGE':
      return `malformed ${d.kind ?? 'message'}: ${d.reason}`;
    case 'WRONG_CEREMONY':
      return `message for another ceremony (${d.ceremonyId})`;
    case 'UNKNOWN_SENDER':
      return `sender ${d.sender} is not a participant of this ceremony`;
    case 'BAD_SIGNATURE':
      return `${d.kind} from ${d.sender} has an invalid signature`;
    case 'REPLAYED_MESSAGE':
      return `${d.kind} from ${d.sender} was already received`;
    case 'UNEXPECTED_MESSAGE':
      return `${d.kind} from ${d.sender} not expected: ${d.reason}`;
    case 'NOT_ENOUGH_QUALIFIED':
      return `only ${d.qualified} qualified dealers, need ${d.threshold}; disqualified: ${d.culprits.join(', ') || 'none'}`;
    case 'TRANSCRIPT_MISMATCH':
      return `transcripts differ (dealers ${d.culprits.join(', ') || 'unknown'}; certified by ${d.signers.join(', ')})`;
    case 'TRANSCRIPT_NOT_CERTIFIED':
      return `only ${d.matching} members signed this transcript, need ${d.threshold}`;
    case 'OWN_SHARE_INVALID':
      return `own share does not match the public commitments (dealers ${d.culprits.join(', ')})`;
  }
}

/** The one error class this package throws. */
export class DkgError extends Error {
  override readonly name = 'DkgError';
  readonly code: DkgErrorCode;
  readonly details: DkgErrorDetails;
  /** The message without the `[CODE]` prefix, for logs that add their own context. */
  readonly shortMessage: string;

  constructor(details: DkgErrorDetails, options?: { cause?: unknown }) {
    const shortMessage = describe(details);
    super(`[${details.code}] ${shortMessage}`, options);
    this.code = details.code;
    this.details = details;
    this.shortMessage = shortMessage;
  }
}

/** Narrows an unknown error to a `DkgError`, optionally of one code (then `details` is that code's). */
export function isDkgError<C extends DkgErrorCode>(
  error: unknown,
  code?: C,
): error is DkgError & { code: C; details: Extract<DkgErrorDetails, { code: C }> } {
  return error instanceof DkgError && (code === undefined || error.code === code);
}
