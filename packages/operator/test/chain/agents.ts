// The operators of the chain tests: each with its chain reader, contracts committee source and
// lifecycle agent over its own libp2p node, logging into one list (printed when DIVA_TEST_LOGS is set;
// no key material is ever logged), and the transactions that give an operator stake and collateral.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BeaconApi } from '@diva-dvt/beacon-api';
import { createBls, SecretKey } from '@diva-dvt/bls-threshold';
import {
  type DivaDeployment,
  deployDiva,
  depositCollateral,
  registerOperator,
  stake,
  type WalletClientLike,
} from '@diva-dvt/contracts';
import { divETHAbi } from '@diva-dvt/contracts/abis';
import { type Hex, hexToBytes, parseEther, toHex } from 'viem';
import { waitForTransactionReceipt, writeContract } from 'viem/actions';
import { foundry } from 'viem/chains';
import { expect } from 'vitest';
import { rpcWitnessesOf } from '../../src/chain/rpc-witnesses.ts';
import {
  ChainLifecycle,
  type ChainLifecycleEvent,
  type ChainReader,
  type CommitteeSource,
  createChainClients,
  createChainReader,
  createContractsCommitteeSource,
  depositOrderValidatorIndex,
} from '../../src/index.ts';
import { decryptKeystoreFile, type KeyShareLoadFailure } from '../../src/keys/keystore.ts';
import { loadKeySharesCached } from '../../src/keys/share-cache.ts';
import { peerIdOfPublicKey, publicKeyOf } from '../../src/p2p/identity.ts';
import { createNode, operatorKey, type TestNode } from '../helpers/p2p.ts';
import { type AnvilProcess, startAnvil } from './helpers.ts';

export interface Agent {
  readonly node: TestNode;
  reader: ChainReader;
  source: CommitteeSource;
  lifecycle: ChainLifecycle;
  readonly events: ChainLifecycleEvent[];
  readonly keysDir: string;
  readonly stateDir: string;
}

// What the components logged (key material never is); printed when DIVA_TEST_LOGS is set.
export const logs: string[] = [];
function log(index: number, level: string, message: string, fields?: object): void {
  const line = `${new Date().toISOString().slice(11, 23)} op${index} ${level} ${message} ${JSON.stringify(fields ?? {}, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`;
  logs.push(line);
  if (process.env.DIVA_TEST_LOGS) process.stderr.write(`${line}\n`);
}

/**
 * The `reshare-failed` events of `drawId` each agent emitted after its first `seen` events, one line
 * each (agent address, event), for a test's timeout message; '' when none.
 */
export function reshareFailuresSince(seen: ReadonlyMap<Agent, number>, drawId: bigint): string {
  const text = (e: ChainLifecycleEvent) => JSON.stringify(e, (_, v) => (typeof v === 'bigint' ? `${v}` : v));
  return [...seen]
    .flatMap(([a, n]) =>
      a.events
        .slice(n)
        .filter((e) => e.type === 'reshare-failed' && e.drawId === drawId)
        .map((e) => `${a.node.network.address.slice(0, 8)} ${text(e)}`),
    )
    .join('; ');
}

/** Sees every agent's lifecycle events as they happen (a test may act on one at once). */
export const agentEvents: { hook?: ((agent: Agent, event: ChainLifecycleEvent) => void) | undefined } = {};

/** A wallet of `key` on `url` (receipts polled every 100 ms). */
export function walletOf(url: string, key: Uint8Array): WalletClientLike {
  return createChainClients({ rpcUrls: [url], chain: foundry, identityKey: key, pollingIntervalMs: 100 })
    .wallet;
}

/** Stakes `stakeEth`, approves and locks `collateralEth` of it as collateral, each receipt checked. */
export async function lockCollateral(
  wallet: WalletClientLike,
  deployment: DivaDeployment,
  stakeEth: string,
  collateralEth: string,
): Promise<void> {
  const confirm = async (hash: Hex) =>
    expect((await waitForTransactionReceipt(wallet, { hash })).status).toBe('success');
  await confirm(await stake(wallet, { divETH: deployment.divETH, valueWei: parseEther(stakeEth) }));
  await confirm(
    await writeContract(wallet, {
      address: deployment.divETH,
      abi: divETHAbi,
      functionName: 'approve',
      args: [deployment.operatorRegistry, parseEther(collateralEth)],
      chain: foundry,
      account: wallet.account,
    }),
  );
  await confirm(
    await depositCollateral(wallet, {
      operatorRegistry: deployment.operatorRegistry,
      amountWei: parseEther(collateralEth),
    }),
  );
}

/** The genesis fork version the chain tests deploy with (deposit signatures are over it). */
export const GENESIS_FORK_VERSION = '0x10000910';
const bls = createBls();

export function startAgent(
  root: string,
  url: string,
  deployment: DivaDeployment,
  node: TestNode,
  index: number,
  /** This operator's beacon node for Accounting reports (none: it does not report). */
  beacon?: BeaconApi,
  /** Keystores its loader could not use (`markUnusableKeystore`). */
  unusableKeystores?: ReadonlySet<string>,
): Agent {
  // Operator 0 lists a dead RPC first: viem's fallback transport moves on to the live one.
  const rpcUrls = index === 0 ? ['http://127.0.0.1:9', url] : [url];
  const clients = createChainClients({
    rpcUrls,
    chain: foundry,
    identityKey: node.key,
    pollingIntervalMs: 100,
  });
  const logger = {
    debug: (m: string, f?: object) => log(index, 'debug', m, f),
    info: (m: string, f?: object) => log(index, 'info', m, f),
    warn: (m: string, f?: object) => log(index, 'warn', m, f),
    error: (m: string, f?: object) => log(index, 'error', m, f),
  };
  const reader = createChainReader({
    client: clients.public,
    addresses: deployment,
    pollingIntervalMs: 200,
    logger,
  });
  const keysDir = join(root, `op-${index}`, 'keys');
  const stateDir = join(root, `op-${index}`, 'state');
  const events: ChainLifecycleEvent[] = [];
  const source = createContractsCommitteeSource({ reader, self: node.network.address, logger });
  const lifecycle = new ChainLifecycle(
    {
      reader,
      wallet: clients.wallet,
      network: node.network,
      logger,
      // operator 0's dead URL would hold its share retirements back for ever (every configured RPC
      // must confirm a recording: ./reshare-retire.test.ts); the live one confirms them here
      ...(index === 0 ? { witnesses: rpcWitnessesOf(clients.wallet).slice(1) } : {}),
      ...(unusableKeystores === undefined ? {} : { unusableKeystores }),
    },
    {
      identityKey: node.key,
      addresses: deployment,
      stateDir,
      keysDir,
      password: `password ${index}`,
      kdf: 'fast',
      shareCacheFile: join(root, `op-${index}`, 'key-shares.cache.json'),
      connectTimeoutMs: 12_000,
      phaseTimeoutMs: 30_000,
      submitStaggerMs: 3000,
      retireDepth: 3,
      // before genesis (there is no beacon chain here): the deposit contract's order gives the index
      indexOf: depositOrderValidatorIndex({
        client: clients.public,
        depositContract: deployment.depositContract!,
        fromBlock: deployment.fromBlock,
        genesisForkVersion: hexToBytes(GENESIS_FORK_VERSION),
        bls,
      }),
      ...(beacon === undefined ? {} : { reports: { api: beacon } }),
      onEvent: (e) => {
        events.push(e);
        agentEvents.hook?.(agent, e);
      },
    },
  );
  const agent: Agent = { node, reader, source, lifecycle, events, keysDir, stateDir };
  return agent;
}

/**
 * `count` operators over loopback libp2p, each funded, registered with its p2p identity (libp2p's
 * listen addresses end in /p2p/<peer id>; the source requires it) and holding `collateralEth` divETH
 * of collateral out of `stakeEth` staked; then each runs its reader, source and lifecycle.
 */
export async function registeredAgents(parameters: {
  readonly root: string;
  readonly url: string;
  readonly deployment: DivaDeployment;
  readonly admin: WalletClientLike;
  readonly count: number;
  readonly name: string;
  readonly stakeEth: string;
  readonly collateralEth: string;
  /** Operator i's beacon node for Accounting reports. */
  readonly beacon?: (index: number) => BeaconApi | undefined;
}): Promise<Agent[]> {
  const { url, deployment, admin } = parameters;
  const nodes = Array.from({ length: parameters.count }, (_, i) =>
    createNode(operatorKey(`${parameters.name} ${i}`)),
  );
  await Promise.all(nodes.map((n) => n.network.start()));
  await Promise.all(
    nodes.map(async (node) => {
      await admin.request({
        method: 'anvil_setBalance' as never,
        params: [node.network.address, toHex(parseEther('100'))] as never,
      });
      const wallet = walletOf(url, node.key);
      const peerId = peerIdOfPublicKey(publicKeyOf(node.key)).toString();
      const registered = await registerOperator(wallet, {
        operatorRegistry: deployment.operatorRegistry,
        encryptionKey: toHex(crypto.getRandomValues(new Uint8Array(32))),
        p2pAddresses: node.network
          .listenAddresses()
          .map((a) => (a.includes('/p2p/') ? a : `${a}/p2p/${peerId}`)),
      });
      expect((await waitForTransactionReceipt(wallet, { hash: registered })).status).toBe('success');
      await lockCollateral(wallet, deployment, parameters.stakeEth, parameters.collateralEth);
    }),
  );
  const agents = nodes.map((node, i) =>
    startAgent(parameters.root, url, deployment, node, i, parameters.beacon?.(i)),
  );
  for (const a of agents) {
    await a.source.start();
    await a.lifecycle.start();
  }
  return agents;
}

/** Stops every agent and its network. */
/**
 * Anvil (1 s blocks), the system deployed (`deployForTests`) and `registeredAgents` on it: the
 * network of the chain tests. The caller stops the agents, then Anvil (stopped here if the set-up fails).
 */
export async function startAgentNetwork(
  parameters: Omit<Parameters<typeof registeredAgents>[0], 'url' | 'deployment' | 'admin'>,
): Promise<{ anvil: AnvilProcess; admin: WalletClientLike; deployment: DivaDeployment; agents: Agent[] }> {
  const anvil = await startAnvil(['--block-time', '1']);
  try {
    const { admin, deployment } = await deployForTests(anvil.url);
    const agents = await registeredAgents({ ...parameters, url: anvil.url, deployment, admin });
    return { anvil, admin, deployment, agents };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}

export async function stopAgents(agents: readonly Agent[] | undefined): Promise<void> {
  for (const a of agents ?? []) {
    await a.lifecycle.stop();
    await a.source.stop();
    await a.reader.stop();
    await a.node.network.stop();
  }
}

/** Anvil's dev account 0 as a wallet on `url`, and the whole system deployed by it (committees of 4). */
export async function deployForTests(
  url: string,
  settings: Omit<Parameters<typeof deployDiva>[1], 'beacon' | 'roles'> = {},
): Promise<{ admin: WalletClientLike; deployment: DivaDeployment }> {
  const admin = createChainClients({
    rpcUrls: [url],
    chain: foundry,
    identityKey: hexToBytes('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'),
    pollingIntervalMs: 100,
  }).wallet;
  const deployment = await deployDiva(admin as never, {
    committeeSize: 4n,
    drawDelayBlocks: 2n,
    dkgTimeoutBlocks: 600n,
    ...settings,
    beacon: {
      genesisForkVersion: GENESIS_FORK_VERSION,
      genesisValidatorsRoot: `0x${'4b'.repeat(32)}`,
      forkVersions: [GENESIS_FORK_VERSION],
      forkEpochs: [0n],
    },
  });
  return { admin, deployment };
}

/** The keystore file an agent holds for share `index` of `groupKey`. */
export const keystoreOf = (a: Agent, groupKey: Uint8Array, index: number): string =>
  join(a.keysDir, `keystore-${Buffer.from(groupKey).toString('hex')}-${index}.json`);

/** That share, decrypted (agent `i`'s password is `password <i>`, as registeredAgents writes it). */
export async function shareOf(
  agents: readonly Agent[],
  a: Agent,
  groupKey: Uint8Array,
  index: number,
): Promise<SecretKey> {
  const { secret } = await decryptKeystoreFile(
    keystoreOf(a, groupKey, index),
    `password ${agents.indexOf(a)}`,
  );
  return SecretKey.fromBytes(secret);
}

/** Agent `a`'s start-up bundle of key shares (diva-node's `key-shares.cache.json`). */
export const bundleFileOf = (root: string, agents: readonly Agent[], a: Agent): string =>
  join(root, `op-${agents.indexOf(a)}`, 'key-shares.cache.json');

/** The agent's shares as diva-node loads them at start (the start-up bundle, `onUnusable` given). */
export async function loadSharesAsNode(root: string, agents: readonly Agent[], a: Agent) {
  const i = agents.indexOf(a);
  const passwordFile = join(root, `password-${i}.txt`);
  writeFileSync(passwordFile, `password ${i}\n`);
  const failures: KeyShareLoadFailure[] = [];
  const loaded = await loadKeySharesCached({
    dir: a.keysDir,
    passwordFile,
    committees: a.source.current().validators,
    self: a.node.network.address,
    cacheFile: bundleFileOf(root, agents, a),
    onUnusable: (f) => failures.push(f),
  });
  return { shares: loaded.shares, failures };
}
