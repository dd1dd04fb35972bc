// Who signs for which validator: a validator's committee is its group key, its threshold and the
// operators holding its shares. A `CommitteeSource` says which validators this operator serves and
// may change while the node runs (validators added, operators replaced): the cluster file source
// (./cluster-file.ts) today, the contracts later.
import type { PeerInfo } from '../p2p/types.ts';

/** An operator's Ethereum address, lower-case `0x` hex (20 bytes). */
export type OperatorAddress = `0x${string}`;

export interface CommitteeMember {
  readonly operator: OperatorAddress;
  /** 1-based share index (the x of the member's share). */
  readonly shareIndex: number;
  /** 48-byte compressed G1 public share. */
  readonly publicShare: Uint8Array;
}

export interface ValidatorCommittee {
  /** 48-byte compressed G1 group (validator) public key. */
  readonly groupPublicKey: Uint8Array;
  readonly threshold: number;
  /** Ordered by share index. */
  readonly members: readonly CommitteeMember[];
  /** The validator's index on the beacon chain, when the source knows it. */
  readonly validatorIndex?: number;
}

export interface CommitteeSnapshot {
  /** Increases with every change. */
  readonly version: number;
  /** The committees of the validators this operator serves (it is a member of each). */
  readonly validators: readonly ValidatorCommittee[];
  /** Every operator this one shares a committee with (itself excluded). */
  readonly peers: readonly PeerInfo[];
}

export interface CommitteeSource {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The committees now (after `start()`). */
  current(): CommitteeSnapshot;
  /** Called with each new snapshot. */
  onChange(listener: (snapshot: CommitteeSnapshot) => void): void;
}
