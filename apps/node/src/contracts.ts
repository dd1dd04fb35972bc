// The `contracts` section of diva-node's configuration: committees come from the Diva contracts
// instead of a cluster file, and the node takes part in the lifecycle they drive (DKG when a
// committee is drawn with it, approvals, the 31 ETH confirmation, keepers, and with an accounting
// address the Accounting reports once the beacon node answers). The lifecycle needs no
// beacon node (committees are drawn and keys generated before a validator exists on the beacon
// chain, on a devnet before the beacon chain itself exists), so it starts first, over the started
// p2p network; the operator node joins it once the beacon node answers. A validator the chain
// accepts is served as soon as its share keystore is promoted into the keys directory.
import { join } from 'node:path';
import type { BeaconApi } from '@diva-dvt/beacon-api';
import type { Bls } from '@diva-dvt/bls-threshold';
import {
  beaconValidatorIndex,
  ChainLifecycle,
  type ChainLifecycleEvent,
  type ChainReader,
  type CommitteeSource,
  createChainClients,
  createChainReader,
  createContractsCommitteeSource,
  createContractsEvidenceChain,
  depositOrderValidatorIndex,
  type EvidenceStore,
  type Logger,
  type P2pNetwork,
  type RequestedExit,
  readPasswordFile,
  submitDoubleSignedPartials,
  submitLeaderEquivocations,
  type ValidatorIndexLookup,
} from '@diva-dvt/operator';
import { getBlock } from 'viem/actions';
import type { ContractsConfig } from './config.ts';

export interface ChainParts {
  readonly reader: ChainReader;
  readonly committees: CommitteeSource;
  readonly lifecycle: ChainLifecycle;
  /** The beacon node answers from now on: validators are located there, no more by deposit order. */
  beaconReady(): void;
  /**
   * Proves the leader equivocations and double-signed key shares (double and surround votes, double
   * proposals) `store` keeps on the evidence contract (this operator pays and,
   * as the reporter, gets the contract's part of the slashed collateral), every `intervalMs`.
   */
  submitEvidence(store: EvidenceStore, intervalMs?: number): void;
  /** Called for each lifecycle event (the node applies committees on `share-promoted`). */
  onEvent(listener: (event: ChainLifecycleEvent) => void): void;
  /**
   * Called for each exit request concerning this operator's validators, those reported before the
   * call included (the lifecycle reads the chain from its start block before the node is started,
   * so requests made while the node was down arrive before anyone listens).
   */
  onExitRequested(listener: (event: RequestedExit) => void): void;
  /** The timestamp of an execution block (the exit epoch of a request is derived from it). */
  blockTimestampSec(blockNumber: bigint): Promise<bigint>;
  stop(): Promise<void>;
}

export async function startChainParts(parameters: {
  readonly config: ContractsConfig;
  readonly identityKey: Uint8Array;
  readonly network: P2pNetwork;
  readonly api: BeaconApi;
  readonly bls: Bls;
  readonly keysDir: string;
  readonly passwordFile: string;
  readonly dataDir: string;
  readonly logger: Logger;
  /** Keystores the node's share loader could not use (`markUnusableKeystore`): new shares are asked. */
  readonly unusableKeystores?: ReadonlySet<string>;
}): Promise<ChainParts> {
  const { config, network, logger } = parameters;
  const clients = createChainClients({
    rpcUrls: config.rpcUrls,
    chain: config.chainId,
    identityKey: parameters.identityKey,
  });
  const addresses = config.addresses;
  const reader = createChainReader({
    client: clients.public,
    addresses,
    pollingIntervalMs: config.pollingIntervalMs,
    logger,
  });
  const committees = createContractsCommitteeSource({ reader, self: network.address, logger });
  let beacon = false;
  const fromBeacon = beaconValidatorIndex(parameters.api);
  const fromDeposits =
    config.preGenesisIndices && addresses.depositContract !== undefined
      ? depositOrderValidatorIndex({
          client: clients.public,
          depositContract: addresses.depositContract,
          fromBlock: addresses.fromBlock,
          genesisForkVersion: { dkgResultRegistry: addresses.dkgResultRegistry },
          bls: parameters.bls,
        })
      : undefined;
  const indexOf: ValidatorIndexLookup = (v) =>
    beacon || fromDeposits === undefined ? fromBeacon(v) : fromDeposits(v);
  const listeners: ((event: ChainLifecycleEvent) => void)[] = [];
  const exitRequests: RequestedExit[] = [];
  const exitListeners: ((event: RequestedExit) => void)[] = [];
  listeners.push((event) => {
    if (event.type !== 'exit-requested') return;
    exitRequests.push(event);
    for (const l of exitListeners) l(event);
  });
  const lifecycle = new ChainLifecycle(
    {
      reader,
      wallet: clients.wallet,
      network,
      logger,
      bls: parameters.bls,
      ...(parameters.unusableKeystores === undefined
        ? {}
        : { unusableKeystores: parameters.unusableKeystores }),
    },
    {
      identityKey: parameters.identityKey,
      addresses,
      stateDir: parameters.dataDir,
      keysDir: parameters.keysDir,
      password: await readPasswordFile(parameters.passwordFile),
      // where start.ts keeps the decrypted shares' bundle: a share the chain takes away leaves it
      shareCacheFile: join(parameters.dataDir, 'key-shares.cache.json'),
      keepers: config.keepers,
      ...(config.fastKeystores ? { kdf: 'fast' as const } : {}),
      indexOf,
      // Accounting reports from this node's beacon node, once it answers
      ...(addresses.accounting === undefined
        ? {}
        : { reports: { api: parameters.api, ready: () => beacon } }),
      onEvent: (event) => {
        for (const l of listeners) l(event);
      },
    },
  );
  await lifecycle.start();
  let evidenceTimer: ReturnType<typeof setInterval> | undefined;
  return {
    submitEvidence(store, intervalMs = 60_000) {
      const slasher = addresses.evidenceSlasher;
      if (slasher === undefined || evidenceTimer !== undefined) return;
      const chain = createContractsEvidenceChain(clients.wallet, {
        evidenceSlasher: slasher,
        dkgResultRegistry: addresses.dkgResultRegistry,
      });
      let running = false;
      evidenceTimer = setInterval(() => {
        if (running) return;
        running = true;
        void submitLeaderEquivocations(store, chain)
          .then((results) => {
            for (const r of results) {
              const where = { operator: r.operator, instance: r.instance, round: r.round.toString() };
              if (r.status === 'proven')
                logger.info('leader equivocation proven on chain', { ...where, transaction: r.transaction });
              else if (r.status === 'not-a-member')
                logger.info('leader equivocation moot: the operator is no longer in the committee', where);
              else if (r.status === 'failed')
                logger.warn('leader equivocation not proven; tried again later', {
                  ...where,
                  error: r.error instanceof Error ? r.error.message : String(r.error),
                });
            }
          })
          .then(() => submitDoubleSignedPartials(store, chain))
          .then((results) => {
            for (const r of results) {
              const where = { operator: r.operator, instance: r.instance, shareIndex: r.shareIndex };
              if (r.status === 'proven')
                logger.info('double-signed key share proven on chain', {
                  ...where,
                  transaction: r.transaction,
                });
              else if (r.status === 'failed')
                logger.warn('double-signed key share not proven; tried again later', {
                  ...where,
                  error: r.error instanceof Error ? r.error.message : String(r.error),
                });
            }
          })
          .catch((e: unknown) =>
            logger.warn('evidence submission failed', { error: e instanceof Error ? e.message : String(e) }),
          )
          .finally(() => {
            running = false;
          });
      }, intervalMs);
      evidenceTimer.unref?.();
    },
    reader,
    committees,
    lifecycle,
    beaconReady() {
      beacon = true;
    },
    onEvent(listener) {
      listeners.push(listener);
    },
    onExitRequested(listener) {
      exitListeners.push(listener);
      for (const e of exitRequests) listener(e);
    },
    async blockTimestampSec(blockNumber) {
      return (await getBlock(clients.public, { blockNumber })).timestamp;
    },
    async stop() {
      if (evidenceTimer !== undefined) clearInterval(evidenceTimer);
      await lifecycle.stop();
      await committees.stop();
      await reader.stop();
    },
  };
}
