// Beyond K active seats the 31 ETH confirmation needs the report frame's reporting committee. Real
// Anvil with the whole system deployed (committees of 4, K = 16, a report frame every 2 s), five
// operators each running reader, source and lifecycle (keepers on) over loopback libp2p, with
// collateral for 5 seats. Five validators are staked: the first four fill 16 seats (every holder
// confirms); the fifth brings 20 > K, where the registry refuses any quorum but a drawn reporting
// committee's (`ReportingCommitteeNotDrawn`): the keepers request and draw one and its members'
// confirmations fund the fifth validator.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DivaDeployment, deployDiva, registerOperator, stake } from '@diva-dvt/contracts';
import { accountingAbi, operatorRegistryAbi } from '@diva-dvt/contracts/abis';
import { parseEther, toHex } from 'viem';
import { readContract, waitForTransactionReceipt } from 'viem/actions';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChainClients } from '../../src/index.ts';
import { peerIdOfPublicKey, publicKeyOf } from '../../src/p2p/identity.ts';
import { createNode, operatorKey, waitUntil } from '../helpers/p2p.ts';
import { type Agent, GENESIS_FORK_VERSION, lockCollateral, startAgent, walletOf } from './agents.ts';
import { type AnvilProcess, startAnvil } from './helpers.ts';

const DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const root = mkdtempSync(join(tmpdir(), 'diva-reporting-'));

let anvil: AnvilProcess;
afterAll(async () => {
  await anvil?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('the 31 ETH confirmation beyond K seats', () => {
  let deployment: DivaDeployment;
  let agents: Agent[];
  let admin: ReturnType<typeof createChainClients>['wallet'];

  beforeAll(async () => {
    anvil = await startAnvil(['--block-time', '1']);
    admin = createChainClients({
      rpcUrls: [anvil.url],
      chain: foundry,
      identityKey: Uint8Array.from(Buffer.from(DEV_KEY.slice(2), 'hex')),
      pollingIntervalMs: 100,
    }).wallet;
    deployment = await deployDiva(admin as never, {
      committeeSize: 4n,
      drawDelayBlocks: 2n,
      dkgTimeoutBlocks: 600n,
      reportingCommitteeSeats: 16n,
      reportFrames: { secondsPerEpoch: 1n, epochsPerFrame: 10n },
      beacon: {
        genesisForkVersion: GENESIS_FORK_VERSION,
        genesisValidatorsRoot: `0x${'4b'.repeat(32)}`,
        forkVersions: [GENESIS_FORK_VERSION],
        forkEpochs: [0n],
      },
    });
    const nodes = Array.from({ length: 5 }, (_, i) => createNode(operatorKey(`reporting ${i}`)));
    await Promise.all(nodes.map((n) => n.network.start()));
    await Promise.all(
      nodes.map(async (node) => {
        const address = node.network.address;
        await admin.request({
          method: 'anvil_setBalance' as never,
          params: [address, toHex(parseEther('100'))] as never,
        });
        const wallet = walletOf(anvil.url, node.key);
        const peerId = peerIdOfPublicKey(publicKeyOf(node.key)).toString();
        const registered = await registerOperator(wallet, {
          operatorRegistry: deployment.operatorRegistry,
          encryptionKey: toHex(crypto.getRandomValues(new Uint8Array(32))),
          p2pAddresses: node.network
            .listenAddresses()
            .map((a) => (a.includes('/p2p/') ? a : `${a}/p2p/${peerId}`)),
        });
        expect((await waitForTransactionReceipt(wallet, { hash: registered })).status).toBe('success');
        await lockCollateral(wallet, deployment, '6', '5');
      }),
    );
    agents = nodes.map((node, i) => startAgent(root, anvil.url, deployment, node, i));
    for (const a of agents) {
      await a.source.start();
      await a.lifecycle.start();
    }
  });

  afterAll(async () => {
    for (const a of agents ?? []) {
      await a.lifecycle.stop();
      await a.source.stop();
      await a.reader.stop();
      await a.node.network.stop();
    }
  });

  it('the keepers draw a reporting committee and its members fund the validator past K', async () => {
    await stake(admin, { divETH: deployment.divETH, valueWei: parseEther(String(5 * 32)) });
    const state = () => agents[0]!.reader.state();
    await waitUntil(
      () =>
        state()
          .validators()
          .filter((v) => v.validatorIndex !== undefined).length === 5,
      'five validators funded',
      200_000,
    );
    const events = agents.flatMap((a) => a.events.map((e) => ({ agent: a, e })));
    const drawnBy = events.filter(({ e }) => e.type === 'keeper' && e.action === 'draw-reporting-committee');
    expect(drawnBy.length).toBeGreaterThanOrEqual(1);
    // past K at the end, and funded through a committee: the latest one is drawn
    const [activeSeats, epoch] = await Promise.all([
      readContract(admin, {
        address: deployment.operatorRegistry,
        abi: operatorRegistryAbi,
        functionName: 'activeSeats',
      }),
      readContract(admin, {
        address: deployment.accounting,
        abi: accountingAbi,
        functionName: 'latestCommitteeEpoch',
      }),
    ]);
    expect(activeSeats).toBe(20n);
    const [, drawn, seats] = await readContract(admin, {
      address: deployment.accounting,
      abi: accountingAbi,
      functionName: 'reportingCommitteeOf',
      args: [epoch],
    });
    expect(drawn).toBe(true);
    expect(seats).toBe(16n);
    const last = [...state().validators()].sort((a, b) => (a.drawId < b.drawId ? -1 : 1)).at(-1)!;
    expect(
      events.filter(({ e }) => e.type === 'confirmation-submitted' && e.drawId === last.drawId),
    ).toHaveLength(1);
  });
});
