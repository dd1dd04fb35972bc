// The `contracts` section of diva-node's configuration: committees come from the Diva contracts
// instead of a cluster file, and the node takes part in the lifecycle they drive (DKG when a
// committee is drawn with it, approvals, the 31 ETH confirmation, keepers). The lifecycle needs no
// beacon node (committees are drawn and keys generated before a validator exists on the beacon
// chain, on a devnet before the beacon chain itself exists), so it starts first, over the started
// p2p network; the operator node joins it once the beacon node answers. A validator the chain
// accepts is served as soon as its share keystore is promoted into the keys directory.
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
  depositOrderValidatorIndex,
  type Logger,
  type P2pNetwork,
  readPasswordFile,
  type ValidatorIndexLookup,
} from '@diva-dvt/operator';
import type { ContractsConfig } from './config.ts';

export interface ChainParts {
  readonly reader: ChainReader;
  readonly committees: CommitteeSource;
  readonly lifecycle: ChainLifecycle;
  /** The beacon node answers from now on: validators are located there, no more by deposit order. */
  beaconReady(): void;
  /** Called for each lifecycle event (the node applies committees on `share-promoted`). */
  onEvent(listener: (event: ChainLifecycleEvent) => void): void;
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
  const lifecycle = new ChainLifecycle(
    { reader, wallet: clients.wallet, network, logger, bls: parameters.bls },
    {
      identityKey: parameters.identityKey,
      addresses,
      stateDir: parameters.dataDir,
      keysDir: parameters.keysDir,
      password: await readPasswordFile(parameters.passwordFile),
      keepers: config.keepers,
      ...(config.fastKeystores ? { kdf: 'fast' as const } : {}),
      indexOf,
      onEvent: (event) => {
        for (const l of listeners) l(event);
      },
    },
  );
  await lifecycle.start();
  return {
    reader,
    committees,
    lifecycle,
    beaconReady() {
      beacon = true;
    },
    onEvent(listener) {
      listeners.push(listener);
    },
    async stop() {
      await lifecycle.stop();
      await committees.stop();
      await reader.stop();
    },
  };
}
