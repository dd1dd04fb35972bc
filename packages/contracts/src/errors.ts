// Typed errors of @diva-dvt/contracts.
//
// Everything this package refuses before or around a transaction throws a `DivaContractsError` whose
// `code` says what went wrong and whose `details` name the setting, field or block at fault. A contract's
// own refusal is not wrapped: every write action simulates with the ABI of every custom error of the
// system, so it comes back as viem's `ContractFunctionRevertedError` carrying the custom error's name and
// arguments, even when a contract called in between raised it.
import type { Address, Hash, Hex } from 'viem';

export type DivaContractsErrorDetails =
  | {
      readonly code: 'INVALID_SETTING';
      /** The deployDiva setting at fault, e.g. `withdrawalCredentialsType`. */
      readonly setting: string;
      readonly value: string;
      readonly expected: string;
    }
  | {
      readonly code: 'DEPLOYMENT_FAILED';
      /** The contract whose creation failed (`DivETH`, ...). */
      readonly contract: string;
      readonly hash: Hash;
    }
  | {
      readonly code: 'UNEXPECTED_ADDRESS';
      /** A contract whose address the deployment fixed in advance landed elsewhere (another transaction of the deployer interfered). */
      readonly contract: string;
      readonly expected: Address;
      readonly actual: Address;
    }
  | {
      readonly code: 'TRANSACTION_FAILED';
      /** `Contract.function` of the transaction that reverted on chain. */
      readonly call: string;
      readonly hash: Hash;
    }
  | { readonly code: 'BLOCK_NOT_FOUND'; readonly blockNumber: bigint }
  | { readonly code: 'BLOCK_HEADER_FIELD_MISSING'; readonly field: string; readonly blockNumber: string }
  | {
      readonly code: 'BLOCK_HEADER_HASH_MISMATCH';
      readonly blockNumber: string;
      readonly expected: string;
      readonly actual: Hex;
    }
  | {
      readonly code: 'TYPED_DATA_UNSUPPORTED';
      /** The signing function that needed `account.signTypedData`. */
      readonly signer: string;
    }
  | {
      readonly code: 'INVALID_LENGTH';
      /** The argument or field, e.g. `publicShares`. */
      readonly field: string;
      readonly index?: number;
      readonly expected: number;
      readonly actual: number;
    }
  | {
      readonly code: 'INVALID_POINT';
      /** The argument or field, e.g. `groupPublicKey`, `publicShares`. */
      readonly field: string;
      readonly index?: number;
      readonly reason: string;
    };

export type DivaContractsErrorCode = DivaContractsErrorDetails['code'];

function at(field: string, index: number | undefined): string {
  return index === undefined ? field : `${field}[${index}]`;
}

function describe(d: DivaContractsErrorDetails): string {
  switch (d.code) {
    case 'INVALID_SETTING':
      return `deployDiva: ${d.setting} must be ${d.expected}, got ${d.value}`;
    case 'DEPLOYMENT_FAILED':
      return `deployment of ${d.contract} failed (transaction ${d.hash})`;
    case 'UNEXPECTED_ADDRESS':
      return `${d.contract} was deployed at ${d.actual}, expected ${d.expected}`;
    case 'TRANSACTION_FAILED':
      return `${d.call} reverted (transaction ${d.hash})`;
    case 'BLOCK_NOT_FOUND':
      return `block ${d.blockNumber} not found`;
    case 'BLOCK_HEADER_FIELD_MISSING':
      return `block ${d.blockNumber}: header field ${d.field} is missing`;
    case 'BLOCK_HEADER_HASH_MISMATCH':
      return `block ${d.blockNumber}: header encoding hashes to ${d.actual}, not to the block hash ${d.expected}`;
    case 'TYPED_DATA_UNSUPPORTED':
      return `${d.signer}: the account cannot sign typed data`;
    case 'INVALID_LENGTH':
      return `${at(d.field, d.index)}: expected ${d.expected} bytes, got ${d.actual}`;
    case 'INVALID_POINT':
      return `${at(d.field, d.index)}: not a valid BLS12-381 point (${d.reason})`;
  }
}

/** The one error class @diva-dvt/contracts throws. */
export class DivaContractsError extends Error {
  override readonly name = 'DivaContractsError';
  readonly code: DivaContractsErrorCode;
  readonly details: DivaContractsErrorDetails;
  /** The message without the code prefix, for logs that add their own context. */
  readonly shortMessage: string;

  constructor(details: DivaContractsErrorDetails, options?: { cause?: unknown }) {
    const shortMessage = describe(details);
    super(`[${details.code}] ${shortMessage}`, options);
    this.code = details.code;
    this.details = details;
    this.shortMessage = shortMessage;
  }
}

/** Narrows an unknown error to a `DivaContractsError`, optionally of one code (and its details). */
export function isDivaContractsError<C extends DivaContractsErrorCode>(
  error: unknown,
  code?: C,
): error is DivaContractsError & { code: C; details: Extract<DivaContractsErrorDetails, { code: C }> } {
  return error instanceof DivaContractsError && (code === undefined || error.code === code);
}
