// The chain lifecycle's components, settings and events (./lifecycle.ts).
import type { BeaconApi } from '@diva-dvt/beacon-api';
import type { Bls } from '@diva-dvt/bls-threshold';
import type { WalletClientLike } from '@diva-dvt/contracts';
import type { Hash } from 'viem';
import type { KeystoreKdf } from '../keys/keystore.ts';
import type { Logger } from '../logger.ts';
import type { P2pNetwork } from '../p2p/types.ts';
import type { ChainAddresses, ChainReader } from './chain-reader.ts';
import type { ChainEvent } from './chain-state.ts';
import type { ConfirmationEvent } from './confirmations.ts';
import type { KeeperActionEvent } from './keepers.ts';
import type { ReportEvent } from './reports.ts';
import type { RpcWitness } from './rpc-witnesses.ts';
import type { ValidatorIndexLookup } from './validator-index.ts';

export interface ChainLifecycleComponents {
  /** Started here if it was not (idempotent); stopped by whoever created it. */
  readonly reader: ChainReader;
  /** Sends this operator's transactions: its account is the identity key's (`createChainClients`). */
  readonly wallet: WalletClientLike;
  /**
   * Started, with the identity key. The lifecycle sets its own peers (owner `'chain'`: the drawn
   * committees with this operator) and a ceremony's (owner `'dkg'`), beside any other owner's.
   */
  readonly network: P2pNetwork;
  readonly logger?: Logger;
  readonly bls?: Bls;
  /**
   * Each RPC URL's own client: a share keystore leaves the keys directory after a recorded resharing
   * only once all of them show the recording (./rpc-witnesses.ts). Default: each transport of the
   * wallet's viem `fallback` (`createChainClients` with several URLs), else the wallet's one URL.
   */
  readonly witnesses?: readonly RpcWitness[];
  /**
   * Keystores the node's share loader could not use, marked by `markUnusableKeystore` from its
   * `onUnusable` reports: a seat whose keystore is marked asks for a new share like one without.
   */
  readonly unusableKeystores?: ReadonlySet<string>;
}

export interface ChainLifecycleInit {
  /** This operator's secp256k1 identity key (32 bytes): the network's and the wallet's. */
  readonly identityKey: Uint8Array;
  readonly addresses: ChainAddresses;
  /** Ceremonies' outputs wait in `<stateDir>/dkg/` until the chain accepts them. */
  readonly stateDir: string;
  /** Where accepted shares go (`keystore-<group key>-<share index>.json`, what `loadKeyShares` reads). */
  readonly keysDir: string;
  /** The share keystores' password. */
  readonly password: string;
  /**
   * The node's start-up bundle of decrypted shares (`loadKeySharesCached`'s `cacheFile`): a share the
   * chain no longer gives this operator, or replaced by a resharing, leaves it too.
   */
  readonly shareCacheFile?: string;
  readonly kdf?: KeystoreKdf;
  /**
   * Blocks a `ReshareRecorded` must lie below every RPC's head before a share keystore it supersedes
   * leaves the keys directory (default 12: 12 s on a chain of 1 s blocks, a few minutes' margin at 12 s).
   */
  readonly retireDepth?: number;
  /**
   * How long a share keystore a resharing superseded stays in `<keysDir>/retired/` before it is
   * deleted (default 30 days; checked hourly).
   */
  readonly retiredKeepMs?: number;
  /** The ceremony file's network name (deposit data files; default `diva`). */
  readonly networkName?: string;
  /** Run the keepers (default true). */
  readonly keepers?: boolean;
  readonly connectTimeoutMs?: number;
  readonly phaseTimeoutMs?: number;
  /** Seat k (1-based) submits (k - 1) times this after t approvals are in, if no one did (default 4,000 ms). */
  readonly submitStaggerMs?: number;
  /** Before a failed ceremony of the same round (or resharing) runs again (default 30,000 ms). */
  readonly retryDelayMs?: number;
  readonly onEvent?: (event: ChainLifecycleEvent) => void;
  /**
   * Locates accepted validators on the beacon chain (./validator-index.ts) so this operator confirms
   * their withdrawal credentials for the 31 ETH top-up. Absent: it does not confirm.
   */
  readonly indexOf?: ValidatorIndexLookup;
  /**
   * This operator's beacon node, from which it computes, signs and exchanges the Accounting reports
   * (./reports.ts; needs `addresses.accounting`), once `ready()` (default: at once). Absent: it does
   * not report.
   */
  readonly reports?: { readonly api: BeaconApi; readonly ready?: () => boolean };
}

export type ChainLifecycleEvent =
  | { readonly type: 'ceremony-started'; readonly drawId: bigint; readonly round: number }
  | {
      readonly type: 'ceremony-done';
      readonly drawId: bigint;
      readonly round: number;
      readonly groupPublicKey: Uint8Array;
    }
  | {
      readonly type: 'ceremony-failed';
      readonly drawId: bigint;
      readonly round: number;
      readonly stage: string;
      readonly reason: string;
      readonly culprits: readonly string[];
    }
  | { readonly type: 'result-submitted'; readonly drawId: bigint; readonly transactionHash: Hash }
  | {
      readonly type: 'failure-reported';
      readonly drawId: bigint;
      readonly blockerShareIndex: number;
      readonly transactionHash: Hash;
    }
  /** A new share keystore in the keys directory (`generation`: of a recorded resharing). */
  | {
      readonly type: 'share-promoted';
      readonly drawId: bigint;
      readonly file: string;
      readonly generation?: number;
    }
  | { readonly type: 'reshare-started'; readonly drawId: bigint; readonly generation: number }
  | { readonly type: 'reshare-done'; readonly drawId: bigint; readonly generation: number }
  | {
      readonly type: 'reshare-failed';
      readonly drawId: bigint;
      readonly generation: number;
      readonly stage: string;
      readonly reason: string;
      readonly culprits: readonly string[];
    }
  | {
      readonly type: 'reshare-submitted';
      readonly drawId: bigint;
      readonly generation: number;
      readonly transactionHash: Hash;
    }
  | { readonly type: 'share-missing'; readonly drawId: bigint; readonly groupPublicKey: Uint8Array }
  /** This seat holds no share of the current generation: `requestShareRegeneration` sent. */
  | { readonly type: 'regeneration-requested'; readonly drawId: bigint; readonly transactionHash: Hash }
  | (Extract<ChainEvent, { type: 'reshare-requested' | 'exit-requested' }> & {})
  | ConfirmationEvent
  | ReportEvent
  | ({ readonly type: 'keeper' } & KeeperActionEvent);

/** What a DKG ceremony and a resharing take alike from the lifecycle's set-up. */
export function ceremonyOptions(init: ChainLifecycleInit, bls: Bls | undefined) {
  return {
    password: init.password,
    kdf: init.kdf ?? ('production' as const),
    ...(init.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: init.connectTimeoutMs }),
    ...(init.phaseTimeoutMs === undefined ? {} : { phaseTimeoutMs: init.phaseTimeoutMs }),
    ...(bls === undefined ? {} : { bls }),
  };
}
