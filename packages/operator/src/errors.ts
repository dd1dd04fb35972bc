// Typed errors of @diva-dvt/operator. Every failure names what went wrong and where (the spec
// field, the option, the duty with its slot and validator); a failure of a part underneath (the
// beacon node, the signer) is the `cause`. No message contains key material.

/** The duties the runtime signs for; see ./signer.ts. */
export type SigningDutyType =
  | 'randao-reveal'
  | 'block'
  | 'attestation'
  | 'selection-proof'
  | 'aggregate'
  | 'sync-committee-message'
  | 'sync-committee-selection-proof'
  | 'sync-committee-contribution'
  | 'voluntary-exit'
  | 'builder-registration';

export type OperatorErrorDetails =
  | { readonly code: 'INVALID_SPEC'; readonly field: string; readonly reason: string }
  | { readonly code: 'PRESET_MISMATCH'; readonly specPreset: string; readonly sszPreset: string }
  | { readonly code: 'INVALID_OPTION'; readonly option: string; readonly reason: string }
  | { readonly code: 'ALREADY_STARTED' }
  | {
      readonly code: 'BEACON_NODE_FAILED';
      /** What the runtime asked for, e.g. `getSpec`. */
      readonly request: string;
    }
  | {
      readonly code: 'DUTY_FAILED';
      readonly duty: SigningDutyType;
      readonly validatorIndex: number;
      readonly slot: number;
      /** What the runtime was doing: asking the node, signing, publishing. */
      readonly stage: 'duties' | 'produce' | 'sign' | 'publish';
    }
  | {
      readonly code: 'UNSUPPORTED_FORK';
      readonly duty: SigningDutyType;
      readonly fork: string;
    }
  | {
      readonly code: 'UNEXPECTED_RESPONSE';
      readonly duty: SigningDutyType;
      /** The field of the node's answer that is not what the request asked for. */
      readonly field: string;
      readonly reason: string;
    }
  | { readonly code: 'UNKNOWN_VALIDATOR'; readonly validatorIndex: number }
  | {
      /** The committee reached no decision before the duty's deadline. */
      readonly code: 'CONSENSUS_TIMEOUT';
      readonly duty: SigningDutyType;
      readonly validatorIndex: number;
      readonly slot: number;
      /** The round this member was in. */
      readonly round: number;
    }
  | {
      /** Fewer than t valid partial signatures arrived before the duty's deadline. */
      readonly code: 'TOO_FEW_PARTIALS';
      readonly duty: SigningDutyType;
      readonly validatorIndex: number;
      readonly slot: number;
      readonly received: number;
      readonly threshold: number;
    }
  | { readonly code: 'CONSENSUS_CLOSED'; readonly duty: SigningDutyType; readonly slot: number }
  | {
      /** This node's slashing protection refused to sign the value the committee settled on. */
      readonly code: 'SLASHING_PROTECTION_REFUSED';
      readonly duty: SigningDutyType;
      readonly validatorIndex: number;
      readonly slot: number;
    }
  | {
      readonly code: 'COMBINE_FAILED';
      readonly validatorIndex: number;
      readonly duty: SigningDutyType;
      /** Share indices whose partial signatures did not verify. */
      readonly invalidShareIndices: readonly number[];
      readonly validCount: number;
      readonly threshold: number;
    }
  | {
      readonly code: 'INVALID_SLASHING_INPUT';
      /** The parameter at fault, e.g. `pubkey` or `requests[3].signingRoot`. */
      readonly field: string;
      readonly reason: string;
    }
  | {
      readonly code: 'INVALID_INTERCHANGE';
      /** The interchange field at fault, e.g. `data[0].signed_blocks[2].slot`. */
      readonly field: string;
      readonly reason: string;
    }
  | {
      readonly code: 'GENESIS_VALIDATORS_ROOT_MISMATCH';
      /** Where the other root came from: the database file or an interchange. */
      readonly source: 'database' | 'interchange';
      readonly expected: `0x${string}`;
      readonly actual: `0x${string}`;
    }
  | { readonly code: 'SLASHING_DB_CLOSED' }
  | {
      readonly code: 'SLASHING_DB_FAILED';
      /** What the database was doing, e.g. `open` or `checkAndRecordBlock`. */
      readonly operation: string;
    }
  | {
      readonly code: 'INVALID_CLUSTER_FILE';
      /** The file (or `<input>` when parsed from memory). */
      readonly file: string;
      /** The field at fault, e.g. `validators[2].members[5].publicShare`. */
      readonly field: string;
      readonly reason: string;
    }
  | {
      readonly code: 'INVALID_PEER';
      /** The entry's position in the list given to `setPeers`. */
      readonly index: number;
      /** The field at fault, e.g. `address` or `multiaddrs[1]`. */
      readonly field: string;
      readonly reason: string;
    }
  | {
      readonly code: 'FILE_ACCESS_FAILED';
      readonly path: string;
      readonly operation: 'read' | 'write' | 'watch';
    }
  | {
      /** A call that needs `start()` first (what it reads from the beacon node, a loaded file). */
      readonly code: 'NOT_STARTED';
      /** What was asked, e.g. `exit` or `current`. */
      readonly request: string;
    }
  | { readonly code: 'INVALID_PASSWORD_FILE'; readonly file: string; readonly reason: string }
  | {
      readonly code: 'INVALID_KEYSTORE';
      readonly file: string;
      /** What is wrong, never the key material. */
      readonly reason: string;
    }
  | {
      readonly code: 'WRONG_KEYSTORE_PASSWORD';
      readonly file: string;
      /** The password file, when the caller knows it. */
      readonly passwordFile?: string;
    }
  | {
      readonly code: 'MISSING_KEY_SHARE';
      /** Where the keystore was expected. */
      readonly file: string;
      readonly groupPublicKey: `0x${string}`;
      readonly shareIndex: number;
    }
  | {
      readonly code: 'KEY_SHARE_MISMATCH';
      readonly file: string;
      readonly groupPublicKey: `0x${string}`;
      readonly shareIndex: number;
    }
  | {
      readonly code: 'DATA_DIR_LOCKED';
      readonly dir: string;
      /** The process that holds the lock. */
      readonly pid: number;
    }
  | {
      readonly code: 'P2P_MESSAGE_TOO_LARGE';
      /** The operator the message was for. */
      readonly to: string;
      readonly bytes: number;
      readonly maxBytes: number;
    }
  | {
      readonly code: 'P2P_PEER_REFUSED';
      /** The peer's operator address or libp2p peer id. */
      readonly peer: string;
      readonly reason: string;
    }
  | {
      readonly code: 'P2P_START_FAILED';
      /** The addresses the network was asked to listen on. */
      readonly listen: readonly string[];
    }
  | {
      /** A Web3Signer signing request that does not fit the API (answered 400). */
      readonly code: 'INVALID_SIGN_REQUEST';
      /** The JSON path at fault, e.g. `attestation.target.epoch` or `fork_info`. */
      readonly field: string;
      readonly reason: string;
    }
  | {
      readonly code: 'WEB3SIGNER_LISTEN_FAILED';
      readonly host: string;
      readonly port: number;
    }
  | {
      /** An input file of the key tooling (operators file, interchange, password directory) is unusable. */
      readonly code: 'INVALID_INPUT_FILE';
      readonly file: string;
      /** The field at fault, e.g. `metadata.genesis_validators_root` or `pubkey`. */
      readonly field: string;
      readonly reason: string;
    }
  | {
      /** A validator public key the key store or database does not hold. */
      readonly code: 'UNKNOWN_PUBKEY';
      readonly pubkey: `0x${string}`;
      /** Where it was looked for (a directory, a database or cluster file). */
      readonly where: string;
    }
  | {
      /** A file this run would create exists already; nothing is overwritten. */
      readonly code: 'FILE_EXISTS';
      readonly path: string;
    }
  | {
      /** A DKG ceremony ended without keys; nothing was written. Retry once the culprits are fixed. */
      readonly code: 'DKG_CEREMONY_FAILED';
      /** Where it stopped: connect, deal, complain, justify, finish, deposit. */
      readonly stage: string;
      readonly reason: string;
      /** Operators missing or at fault (addresses), when known. */
      readonly culprits: readonly string[];
    }
  | {
      /** Equivocation evidence the contracts could not accept (not two conflicting signed proposals). */
      readonly code: 'INVALID_EVIDENCE';
      readonly field: string;
      readonly reason: string;
    }
  | {
      /** An evidence transaction was mined but reverted (its simulation had passed). */
      readonly code: 'EVIDENCE_REVERTED';
      readonly transaction: string;
    }
  | {
      /** A sealed keystore password this operator's identity key cannot open. */
      readonly code: 'UNSEAL_FAILED';
      readonly file: string;
      /** Why, never the content: sealed to another operator, or not authentic for this key. */
      readonly reason: string;
    }
  | {
      /** The execution node(s) did not answer what the chain components asked (the RPC error is the cause). */
      readonly code: 'CHAIN_READ_FAILED';
      /** What was asked, e.g. `eth_getLogs 100..5099`. */
      readonly request: string;
    };

export type OperatorErrorCode = OperatorErrorDetails['code'];

function describe(d: OperatorErrorDetails): string {
  switch (d.code) {
    case 'INVALID_SPEC':
      return `the beacon node's spec has an unusable ${d.field}: ${d.reason}`;
    case 'PRESET_MISMATCH':
      return `the beacon node runs the ${d.specPreset} preset but the SSZ types of this process are built for ${d.sszPreset} (set LODESTAR_PRESET before @diva-dvt/beacon-api loads)`;
    case 'INVALID_OPTION':
      return `invalid option ${d.option}: ${d.reason}`;
    case 'ALREADY_STARTED':
      return 'already started';
    case 'BEACON_NODE_FAILED':
      return `the beacon node did not answer ${d.request}`;
    case 'DUTY_FAILED':
      return `${d.duty} of validator ${d.validatorIndex} at slot ${d.slot} failed (${d.stage})`;
    case 'UNSUPPORTED_FORK':
      return `${d.duty} is not implemented for fork ${d.fork}`;
    case 'UNEXPECTED_RESPONSE':
      return `the beacon node's ${d.field} for ${d.duty} is unusable: ${d.reason}`;
    case 'CONSENSUS_TIMEOUT':
      return `${d.duty} of validator ${d.validatorIndex} at slot ${d.slot}: no committee decision by the deadline (round ${d.round})`;
    case 'TOO_FEW_PARTIALS':
      return `${d.duty} of validator ${d.validatorIndex} at slot ${d.slot}: ${d.received} partial signatures by the deadline, need ${d.threshold}`;
    case 'SLASHING_PROTECTION_REFUSED':
      return `${d.duty} of validator ${d.validatorIndex} at slot ${d.slot}: slashing protection refused to sign, and the committee decided nothing this node could publish`;
    case 'CONSENSUS_CLOSED':
      return `${d.duty} at slot ${d.slot}: the signer stopped before the committee decided`;
    case 'UNKNOWN_VALIDATOR':
      return `no key shares for validator ${d.validatorIndex}`;
    case 'COMBINE_FAILED':
      return `${d.duty} of validator ${d.validatorIndex}: only ${d.validCount} valid partial signatures, need ${d.threshold} (invalid: ${d.invalidShareIndices.join(', ') || 'none'})`;
    case 'INVALID_SLASHING_INPUT':
      return `invalid ${d.field}: ${d.reason}`;
    case 'INVALID_INTERCHANGE':
      return `invalid slashing-protection interchange at ${d.field}: ${d.reason}`;
    case 'GENESIS_VALIDATORS_ROOT_MISMATCH':
      return `the ${d.source} is for genesis_validators_root ${d.actual}, expected ${d.expected}`;
    case 'SLASHING_DB_CLOSED':
      return 'the slashing-protection database is not open';
    case 'SLASHING_DB_FAILED':
      return `the slashing-protection database failed (${d.operation})`;
    case 'INVALID_CLUSTER_FILE':
      return `invalid cluster file ${d.file} at ${d.field}: ${d.reason}`;
    case 'FILE_ACCESS_FAILED':
      return `cannot ${d.operation} ${d.path}`;
    case 'NOT_STARTED':
      return `${d.request} needs start() first`;
    case 'INVALID_PASSWORD_FILE':
      return `unusable password file ${d.file}: ${d.reason}`;
    case 'INVALID_KEYSTORE':
      return `unusable keystore ${d.file}: ${d.reason}`;
    case 'WRONG_KEYSTORE_PASSWORD':
      return `the password${d.passwordFile === undefined ? '' : ` in ${d.passwordFile}`} does not decrypt keystore ${d.file} (its crypto.checksum does not match)`;
    case 'MISSING_KEY_SHARE':
      return `no keystore for share ${d.shareIndex} of validator ${d.groupPublicKey}: expected ${d.file}`;
    case 'KEY_SHARE_MISMATCH':
      return `keystore ${d.file} does not hold share ${d.shareIndex} of validator ${d.groupPublicKey}: its public key is not the cluster file's publicShare`;
    case 'DATA_DIR_LOCKED':
      return `data directory ${d.dir} is in use by process ${d.pid}`;
    case 'INVALID_PEER':
      return `invalid peer at index ${d.index}, ${d.field}: ${d.reason}`;
    case 'P2P_MESSAGE_TOO_LARGE':
      return `a message of ${d.bytes} bytes for ${d.to} exceeds the network's limit of ${d.maxBytes} bytes`;
    case 'P2P_PEER_REFUSED':
      return `peer ${d.peer} refused: ${d.reason}`;
    case 'P2P_START_FAILED':
      return `the p2p network could not start listening on ${d.listen.join(', ') || '(no address)'}`;
    case 'INVALID_SIGN_REQUEST':
      return `invalid signing request at ${d.field}: ${d.reason}`;
    case 'WEB3SIGNER_LISTEN_FAILED':
      return `the Web3Signer API could not listen on ${d.host}:${d.port}`;
    case 'INVALID_INPUT_FILE':
      return `invalid ${d.file} at ${d.field}: ${d.reason}`;
    case 'UNKNOWN_PUBKEY':
      return `unknown pubkey ${d.pubkey}: not in ${d.where}`;
    case 'FILE_EXISTS':
      return `${d.path} exists already (nothing was overwritten)`;
    case 'DKG_CEREMONY_FAILED':
      return `the DKG ceremony failed at ${d.stage}: ${d.reason}${d.culprits.length > 0 ? ` (missing or faulty: ${d.culprits.join(', ')})` : ''}; nothing was written`;
    case 'INVALID_EVIDENCE':
      return `invalid evidence at ${d.field}: ${d.reason}`;
    case 'EVIDENCE_REVERTED':
      return `the evidence transaction ${d.transaction} reverted`;
    case 'UNSEAL_FAILED':
      return `cannot open the sealed keystore password ${d.file}: ${d.reason}`;
    case 'CHAIN_READ_FAILED':
      return `the execution node did not answer ${d.request}`;
  }
}

/** The one error class this package throws. */
export class OperatorError extends Error {
  override readonly name = 'OperatorError';
  readonly code: OperatorErrorCode;
  readonly details: OperatorErrorDetails;
  /** The message without the code prefix and without the cause, for logs that add their own context. */
  readonly shortMessage: string;

  constructor(details: OperatorErrorDetails, options?: { cause?: unknown }) {
    const shortMessage = describe(details);
    const cause = options?.cause;
    const because = cause === undefined ? '' : `: ${cause instanceof Error ? cause.message : String(cause)}`;
    super(`[${details.code}] ${shortMessage}${because}`, options);
    this.code = details.code;
    this.details = details;
    this.shortMessage = shortMessage;
  }
}

/** Narrows an unknown error to an `OperatorError`, optionally of one code. */
export function isOperatorError<C extends OperatorErrorCode>(
  error: unknown,
  code?: C,
): error is OperatorError & { code: C; details: Extract<OperatorErrorDetails, { code: C }> } {
  return error instanceof OperatorError && (code === undefined || error.code === code);
}
