/**
 * The one error class of @diva-dvt/consensus. State machines never throw on received messages (they
 * drop them with a counted reason); what throws is bad configuration, a message handed to
 * `decodeWire` that is not well formed, and a stand-in of the simulator given bytes of the wrong
 * length. `details.code` says what was wrong, the other fields say where.
 */
import type { DropReason } from './types.ts';

/** The part of a message that was not well formed. */
export type MessagePart = 'bytes' | 'header' | 'body' | 'signature' | 'certificate';

export type ConsensusErrorDetails =
  | {
      /** A message is not well formed; `reason` is the drop reason a state machine counts for it. */
      readonly code: 'MALFORMED_MESSAGE';
      readonly reason: Extract<DropReason, 'malformed' | 'oversized' | 'unsupported-version'>;
      readonly part: MessagePart;
      readonly problem: string;
    }
  | {
      /** A parameter of an instance or a simulation is out of its range. */
      readonly code: 'INVALID_PARAMETER';
      readonly field: string;
      readonly expected: string;
      readonly actual: string;
    }
  | {
      /** A protocol policy names no known protocol, or is not shaped as one. */
      readonly code: 'INVALID_POLICY';
      readonly field: string;
      readonly problem: string;
    }
  | {
      /** Bytes handed to a decoder have the wrong length. */
      readonly code: 'INVALID_LENGTH';
      readonly field: string;
      readonly expected: number;
      readonly actual: number;
    }
  | {
      /** A message was built with a body of another length than announced (a bug of the caller). */
      readonly code: 'BODY_LENGTH_MISMATCH';
      readonly announced: number;
      readonly written: number;
    };

export type ConsensusErrorCode = ConsensusErrorDetails['code'];

function describe(d: ConsensusErrorDetails): string {
  switch (d.code) {
    case 'MALFORMED_MESSAGE':
      return `${d.part}: ${d.problem}`;
    case 'INVALID_PARAMETER':
      return `${d.field} must be ${d.expected}, got ${d.actual}`;
    case 'INVALID_POLICY':
      return `protocol policy ${d.field}: ${d.problem}`;
    case 'INVALID_LENGTH':
      return `${d.field} must be ${d.expected} bytes, got ${d.actual}`;
    case 'BODY_LENGTH_MISMATCH':
      return `message body is ${d.written} bytes, not the ${d.announced} announced`;
  }
}

/** The one error class this package throws. */
export class ConsensusError extends Error {
  override readonly name = 'ConsensusError';
  readonly code: ConsensusErrorCode;
  readonly details: ConsensusErrorDetails;
  /** The message without the code prefix, for logs that add their own context. */
  readonly shortMessage: string;

  constructor(details: ConsensusErrorDetails, options?: { cause?: unknown }) {
    const shortMessage = describe(details);
    super(`[${details.code}] ${shortMessage}`, options);
    this.code = details.code;
    this.details = details;
    this.shortMessage = shortMessage;
  }
}

/** Narrows an unknown error to a `ConsensusError`, optionally of one code (its `details` too). */
export function isConsensusError<C extends ConsensusErrorCode>(
  error: unknown,
  code?: C,
): error is ConsensusError & { code: C; details: Extract<ConsensusErrorDetails, { code: C }> } {
  return error instanceof ConsensusError && (code === undefined || error.code === code);
}
