// What an `OperatorNode` (./node.ts) is built from and what it reports: its components (every part
// injected, so the app builds them and tests swap them), its settings, and its status.
import type { BeaconApi } from '@diva-dvt/beacon-api';
import type { Bls, SecretKeyShare } from '@diva-dvt/bls-threshold';
import type { ProposalStore } from '@diva-dvt/consensus';
import type { Clock } from './clock.ts';
import type { CommitteeSource, ValidatorCommittee } from './committee/types.ts';
import type { EvidenceStore } from './evidence-store.ts';
import type { AddedKeyShares } from './keys/added-shares.ts';
import type { Logger } from './logger.ts';
import type { DutyOutcome } from './outcome.ts';
import type { P2pNetwork } from './p2p/types.ts';
import type { PeerClockOffsetsInit } from './runtime/clock-offsets.ts';
import type {
  CommitteeSignerComponents,
  CommitteeSignerInit,
  SigningEvent,
} from './runtime/committee-signer.ts';
import type { ProposalDomain } from './runtime/leader-proposal.ts';
import type { DueTimesBps, ValidatorClientInit } from './validator-client.ts';

export interface OperatorNodeComponents {
  readonly api: BeaconApi;
  readonly clock: Clock;
  readonly bls: Bls;
  readonly network: P2pNetwork;
  readonly committees: CommitteeSource;
  /** This operator's key shares by the validator's group public key (lower-case hex, no 0x). */
  readonly shares: ReadonlyMap<string, SecretKeyShare>;
  /**
   * Loads the shares of validators a new snapshot lists and `shares` lacks (e.g. `loadAddedKeyShares`
   * over the keys directory), so validators added at run time are served without a restart. A
   * failure leaves its validator out until the next snapshot. Absent: only `shares` are served.
   */
  readonly loadShares?: (committees: readonly ValidatorCommittee[]) => Promise<AddedKeyShares>;
  readonly guardFor: CommitteeSignerComponents['guardFor'];
  readonly proposals?: ProposalStore;
  /** Keeps leader equivocations provable on chain (with `proposalDomain`). */
  readonly evidence?: EvidenceStore;
  readonly logger?: Logger;
  readonly onOutcome?: (outcome: DutyOutcome) => void;
  /** Whether each published attestation was found on chain (see ValidatorClientInit). */
  readonly onInclusion?: ValidatorClientInit['onInclusion'];
  readonly onSigningEvent?: (event: SigningEvent) => void;
}

export interface OperatorNodeInit {
  /** This operator's 32-byte secp256k1 identity key. */
  readonly identityKey: Uint8Array;
  readonly graffiti?: Uint8Array;
  readonly dueBps?: DueTimesBps;
  readonly roundTimeoutMs?: number;
  /** The chain id and evidence contract PROPOSALs are signed for (EIP-712; see CommitteeSignerInit). */
  readonly proposalDomain?: ProposalDomain;
  /** Fault injection for devnets and tests (see CommitteeSignerInit.faults); never on a real network. */
  readonly faults?: CommitteeSignerInit['faults'];
  /** Fee recipient and gas limit per validator (blocks and builder registrations). */
  readonly proposerSettings?: ValidatorClientInit['proposerSettings'];
  /** The setting of every validator `proposerSettings` does not list (see ValidatorClientInit). */
  readonly defaultProposerSetting?: ValidatorClientInit['defaultProposerSetting'];
  /** Send builder registrations once per epoch (needs `proposerSettings`). */
  readonly builderRegistrations?: boolean;
  /** How the peers' clock offsets are measured (./runtime/clock-offsets.ts). */
  readonly clockOffsets?: PeerClockOffsetsInit;
  /**
   * The caller starts and stops the network (default false: `start()` starts it, `stop()` stops it),
   * e.g. when the chain lifecycle uses it before the beacon chain exists.
   */
  readonly networkStartedByCaller?: boolean;
  /**
   * Validators whose duties an external validator client drives through the Web3Signer API
   * (`remoteSignedValidators()`): the committee signer serves them, the built-in client does not
   * schedule them (the member would otherwise sign each duty twice, once per client).
   */
  readonly remoteSigned?: (groupPublicKey: Uint8Array) => boolean;
}

/** What the node runs now, for status pages and readiness. */
export interface OperatorNodeStatus {
  readonly started: boolean;
  /** Validators served with their beacon-chain index (undefined: not on chain yet). */
  readonly validators: readonly {
    readonly groupPublicKey: string;
    readonly validatorIndex?: number;
    /** Whether this node holds its key share (without one the validator is listed, not served). */
    readonly keyShare: boolean;
  }[];
  readonly peers: number;
  readonly connectedPeers: number;
}
