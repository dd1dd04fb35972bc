// The public types of the EIP-3076 slashing-protection database: its parameters, the signing
// requests it checks, its answers, and the interchange document it imports and exports.

/** Why a signing was refused. */
export type SlashingRefusalReason =
  /** At or below what an import says was already signed (slot, or source / target epoch). */
  | 'BELOW_WATERMARK'
  /** Below the lowest slot or epoch this database has recorded for the validator (EIP-3076 rules 2, 5, 6). */
  | 'BELOW_LOWEST_SIGNED'
  /** Another block (another signing root, or an unknown one) at the same slot. */
  | 'DOUBLE_PROPOSAL'
  /** Another attestation (another signing root, or an unknown one) with the same target epoch. */
  | 'DOUBLE_VOTE'
  /** The attestation would surround one already signed. */
  | 'SURROUNDING_VOTE'
  /** The attestation would be surrounded by one already signed. */
  | 'SURROUNDED_VOTE'
  /** The attestation's source epoch is after its target epoch (EIP-3076 refuses it). */
  | 'SOURCE_AFTER_TARGET';

/** The answer of a check-and-record: allowed (and durably recorded) or refused with a reason. */
export type SlashingCheckResult =
  | {
      readonly allowed: true;
      /** The same signing root was already recorded at this slot / target (a re-sign). */
      readonly repeat: boolean;
    }
  | { readonly allowed: false; readonly reason: SlashingRefusalReason };

export interface BlockSigningRequest {
  /** The validator's 48-byte BLS public key. */
  readonly pubkey: Uint8Array;
  readonly slot: number;
  /** The 32-byte signing root of the block. */
  readonly signingRoot: Uint8Array;
}

export interface AttestationSigningRequest {
  /** The validator's 48-byte BLS public key. */
  readonly pubkey: Uint8Array;
  readonly sourceEpoch: number;
  readonly targetEpoch: number;
  /** The 32-byte signing root of the attestation data. */
  readonly signingRoot: Uint8Array;
}

export interface SlashingProtectionParameters {
  /** The database file (created when missing); `:memory:` for a database that is not durable. */
  readonly path: string;
  /** The chain's 32-byte genesis_validators_root; a file made for another chain is refused. */
  readonly genesisValidatorsRoot: Uint8Array;
}

/** The EIP-3076 interchange format, version 5. */
export interface SlashingInterchange {
  readonly metadata: {
    readonly interchange_format_version: '5';
    readonly genesis_validators_root: `0x${string}`;
  };
  readonly data: readonly {
    readonly pubkey: `0x${string}`;
    readonly signed_blocks: readonly { readonly slot: string; readonly signing_root?: `0x${string}` }[];
    readonly signed_attestations: readonly {
      readonly source_epoch: string;
      readonly target_epoch: string;
      readonly signing_root?: `0x${string}`;
    }[];
  }[];
}
