// The typed form of Web3Signer's eth2 signing requests (`POST /api/v1/eth2/sign/{pubkey}`, the
// remote-signing API of ethereum/remote-signing-api and Consensys/web3signer) and the backend
// interface behind the API. The server parses and validates the JSON, recomputes the signing root
// from the typed body, checks any fee-recipient proof, and hands the backend one `Web3SignerSignRequest`;
// the backend answers with a signature or a typed refusal. Two backends fit: the local one
// (./local-backend.ts: whole keys from EIP-2335 keystores, slashing protection) and, later, the
// operator runtime (the committee agrees on the value, the node answers with the combined signature).
import type {
  AnyBlock,
  AttestationData,
  BeaconBlockHeader,
  ContributionAndProof,
  DepositMessage,
  ElectraAggregateAndProof,
  Fork,
  Phase0AggregateAndProof,
  ValidatorRegistrationV1,
  VoluntaryExit,
} from '@diva-dvt/beacon-api/spec';
import type { SlashingRefusalReason } from '../slashing/types.ts';

/** The request types of the API (the JSON `type` field). */
export const WEB3SIGNER_REQUEST_TYPES = [
  'AGGREGATION_SLOT',
  'AGGREGATE_AND_PROOF',
  'AGGREGATE_AND_PROOF_V2',
  'ATTESTATION',
  'BLOCK',
  'BLOCK_V2',
  'DEPOSIT',
  'RANDAO_REVEAL',
  'VOLUNTARY_EXIT',
  'SYNC_COMMITTEE_MESSAGE',
  'SYNC_COMMITTEE_SELECTION_PROOF',
  'SYNC_COMMITTEE_CONTRIBUTION_AND_PROOF',
  'VALIDATOR_REGISTRATION',
] as const;
export type Web3SignerRequestType = (typeof WEB3SIGNER_REQUEST_TYPES)[number];

/** `fork_info`: the fork of the state the client signs against and the chain's identity. */
export interface Web3SignerForkInfo {
  readonly fork: {
    readonly previousVersion: Uint8Array;
    readonly currentVersion: Uint8Array;
    /** Web3Signer's get_domain: the previous version for messages of earlier epochs. */
    readonly epoch: number;
  };
  readonly genesisValidatorsRoot: Uint8Array;
}

/** One `proofs[i]` of a BLOCK_V2 request: a Merkle branch of the block body (Nimbus `--proven-block-property`). */
export interface BlockPropertyProof {
  /** Generalized index in the block body's tree. */
  readonly index: bigint;
  /** Sibling roots from the leaf up (the spec's `is_valid_merkle_branch` order). */
  readonly proof: readonly Uint8Array[];
}

interface WithForkInfo {
  readonly forkInfo: Web3SignerForkInfo;
}

/** A parsed, validated signing request. Values are @diva-dvt/beacon-api's (camelCase) SSZ values. */
export type Web3SignerRequest =
  | (WithForkInfo & { readonly type: 'AGGREGATION_SLOT'; readonly slot: number })
  | (WithForkInfo & {
      readonly type: 'AGGREGATE_AND_PROOF' | 'AGGREGATE_AND_PROOF_V2';
      /** The fork of the container (`phase0` for AGGREGATE_AND_PROOF; V2 names it in `version`). */
      readonly fork: Fork;
      readonly aggregateAndProof: Phase0AggregateAndProof | ElectraAggregateAndProof;
    })
  | (WithForkInfo & { readonly type: 'ATTESTATION'; readonly attestation: AttestationData })
  | (WithForkInfo & {
      readonly type: 'BLOCK' | 'BLOCK_V2';
      /** The block's fork (`phase0` for BLOCK; BLOCK_V2 names it in `beacon_block.version`). */
      readonly fork: Fork;
      /** The full block: BLOCK, and BLOCK_V2 before bellatrix; undefined otherwise. */
      readonly block?: AnyBlock;
      /** The header (derived from the block when a full block was sent): its root is the block root. */
      readonly blockHeader: BeaconBlockHeader;
      /** BLOCK_V2 `proofs`, empty when absent. */
      readonly proofs: readonly BlockPropertyProof[];
    })
  | {
      readonly type: 'DEPOSIT';
      readonly deposit: DepositMessage & { readonly genesisForkVersion: Uint8Array };
    }
  | (WithForkInfo & { readonly type: 'RANDAO_REVEAL'; readonly epoch: number })
  | (WithForkInfo & { readonly type: 'VOLUNTARY_EXIT'; readonly voluntaryExit: VoluntaryExit })
  | (WithForkInfo & {
      readonly type: 'SYNC_COMMITTEE_MESSAGE';
      readonly slot: number;
      readonly beaconBlockRoot: Uint8Array;
    })
  | (WithForkInfo & {
      readonly type: 'SYNC_COMMITTEE_SELECTION_PROOF';
      readonly slot: number;
      readonly subcommitteeIndex: number;
    })
  | (WithForkInfo & {
      readonly type: 'SYNC_COMMITTEE_CONTRIBUTION_AND_PROOF';
      readonly contributionAndProof: ContributionAndProof;
    })
  | {
      readonly type: 'VALIDATOR_REGISTRATION';
      readonly validatorRegistration: ValidatorRegistrationV1;
      /** The optional `epoch` field some clients send; not part of the signed message. */
      readonly epoch?: number;
    };

/** What a backend is asked: sign `signingRoot` (recomputed from `request`) with the key `pubkey`. */
export interface Web3SignerSignRequest {
  /** The validator's public key from the URL (48 bytes). */
  readonly pubkey: Uint8Array;
  /** The same, lower-case `0x` hex. */
  readonly pubkeyHex: `0x${string}`;
  readonly request: Web3SignerRequest;
  /** The signing root recomputed from `request` (32 bytes): what the signature is over. */
  readonly signingRoot: Uint8Array;
}

/** Why a backend does not sign; the server maps each to an HTTP status (see README). */
export type Web3SignerRefusal =
  /** No key for this public key (404). */
  | { readonly reason: 'UNKNOWN_KEY' }
  /** Slashing protection refuses (412). */
  | {
      readonly reason: 'SLASHING_PROTECTION';
      /**
       * The EIP-3076 rule that refused, or `REFUSED_BY_COMMITTEE_SIGNER_GUARD` when the committee
       * signer's guard refused without saying which rule.
       */
      readonly detail: SlashingRefusalReason | 'REFUSED_BY_COMMITTEE_SIGNER_GUARD';
    }
  /**
   * The committee decided another value for this duty (412): signing the client's value could
   * be slashable, and the decided value was signed and published by the node instead.
   */
  | { readonly reason: 'VALUE_DIFFERS'; readonly detail: string }
  /** The backend cannot sign now (no decision in time, too few partial signatures) (503). */
  | { readonly reason: 'UNAVAILABLE'; readonly detail: string };

export type Web3SignerSignResult =
  | { readonly ok: true /** 96 bytes, compressed G2. */; readonly signature: Uint8Array }
  | { readonly ok: false; readonly refusal: Web3SignerRefusal };

/** What a reload found: keys loaded and the files that failed (never key material). */
export interface Web3SignerReloadReport {
  readonly keyCount: number;
  readonly errors: readonly { readonly file: string; readonly reason: string }[];
}

/** The signer behind the API. */
export interface Web3SignerBackend {
  /** The validator public keys it signs for, lower-case `0x` hex (`GET /api/v1/eth2/publicKeys`). */
  publicKeys(): readonly `0x${string}`[];
  /** Signs a validated request or refuses; a thrown error answers 500. */
  sign(request: Web3SignerSignRequest): Promise<Web3SignerSignResult>;
  /** Picks up added and removed keys (`POST /reload`); absent when the key set is fixed. */
  reload?(): Promise<Web3SignerReloadReport>;
}
