// Keepers on a real Anvil (1 s blocks): a node that is no operator runs only the keepers (its
// lifecycle finds no committee of its own). Operators are registered but run nothing, so their
// committees never submit: the keeper requests the draw for the staked 32 ETH, finalises it, expires it
// once the DKG timeout passed, and redraws it, and the redrawn request is finalised again. An operator
// ejected (here by the evidence contract's own call, impersonated) loses every seat it holds: the
// keeper draws a replacement in each committee.
import { deployDiva, stake } from '@diva-dvt/contracts';
import { committeeDrawAbi, operatorRegistryAbi } from '@diva-dvt/contracts/abis';
import { encodeFunctionData, parseEther, parseEventLogs, toHex } from 'viem';
import { getLogs } from 'viem/actions';
import { foundry } from 'viem/chains';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ChainLifecycle,
  type ChainLifecycleEvent,
  createChainClients,
  createChainReader,
  createP2pNetwork,
} from '../../src/index.ts';
import { operatorKey, waitUntil } from '../helpers/p2p.ts';
import { type AnvilProcess, registerWithCollateral, startAnvil } from './helpers.ts';

const DEV_KEY = Uint8Array.from(
  Buffer.from('ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80', 'hex'),
);
let anvil: AnvilProcess | undefined;
afterAll(async () => anvil?.stop());

/** Anvil, the system deployed, `operators` operators registered with collateral (they run nothing). */
async function setup(operators: number, dkgTimeoutBlocks: bigint) {
  anvil = await startAnvil(['--block-time', '1']);
  const url = anvil.url;
  const client = (key: Uint8Array) =>
    createChainClients({ rpcUrls: [url], chain: foundry, identityKey: key, pollingIntervalMs: 100 }).wallet;
  const admin = client(DEV_KEY);
  const deployment = await deployDiva(admin as never, {
    committeeSize: 4n,
    drawDelayBlocks: 1n,
    dkgTimeoutBlocks,
    beacon: {
      genesisForkVersion: '0x10000910',
      genesisValidatorsRoot: `0x${'4b'.repeat(32)}`,
      forkVersions: ['0x10000910'],
      forkEpochs: [0n],
    },
  });
  const fund = (address: string) =>
    admin.request({
      method: 'anvil_setBalance' as never,
      params: [address, toHex(parseEther('100'))] as never,
    });
  await Promise.all(
    Array.from({ length: operators }, async (_, i) => {
      const key = operatorKey(`keepers ${i}`);
      const wallet = client(key);
      await fund(wallet.account.address);
      await registerWithCollateral(wallet, key, deployment);
    }),
  );
  const keeperKey = operatorKey('keepers: the keeper');
  const clients = createChainClients({
    rpcUrls: [url],
    chain: foundry,
    identityKey: keeperKey,
    pollingIntervalMs: 100,
  });
  await fund(clients.wallet.account.address);
  const network = createP2pNetwork({ privateKey: keeperKey, listen: ['/ip4/127.0.0.1/tcp/0'] });
  await network.start();
  const reader = createChainReader({
    client: clients.public,
    addresses: deployment,
    pollingIntervalMs: 200,
  });
  const events: ChainLifecycleEvent[] = [];
  const keeper = new ChainLifecycle(
    { reader, wallet: clients.wallet, network },
    {
      identityKey: keeperKey,
      addresses: deployment,
      stateDir: '/nonexistent/state',
      keysDir: '/nonexistent/keys',
      password: 'unused',
      onEvent: (e) => events.push(e),
    },
  );
  const stop = async () => {
    await keeper.stop();
    await reader.stop();
    await network.stop();
    await anvil?.stop();
  };
  return { admin, deployment, fund, reader, events, keeper, stop };
}

describe('keepers', () => {
  it('request, finalise, expire and redraw a draw whose committee never submits', async () => {
    const { admin, deployment, reader, events, keeper, stop } = await setup(4, 3n);
    try {
      await keeper.start();
      await stake(admin, { divETH: deployment.divETH, valueWei: parseEther('32') });
      await waitUntil(() => (reader.state().draw(1n)?.round ?? 0) >= 2, 'the draw finalised twice', 60_000);
      const actions = events.flatMap((e) => (e.type === 'keeper' ? [e.action] : []));
      expect(actions.slice(0, 5)).toEqual([
        'request-draw',
        'finalize-draw',
        'expire-draw',
        'redraw',
        'finalize-draw',
      ]);
      expect(reader.state().draw(1n)).toMatchObject({ status: 'drawn', round: 2 });
      expect(reader.state().draws()).toHaveLength(1); // one reservation: the same draw id redrawn
    } finally {
      await stop();
    }
  });

  it('an ejected operator loses every seat it holds: a replacement drawn in each committee', async () => {
    const { admin, deployment, fund, reader, events, keeper, stop } = await setup(5, 1000n);
    try {
      await keeper.start();
      await stake(admin, { divETH: deployment.divETH, valueWei: parseEther('64') });
      const drawn = () =>
        reader
          .state()
          .draws()
          .filter((d) => d.status === 'drawn');
      await waitUntil(() => drawn().length === 2, 'two committees drawn', 60_000);
      // an operator in both committees (4 of 5 operators each: at least 3 sit in both)
      const [first, second] = drawn();
      const ejected = first!.committee.find((a) => second!.committee.includes(a))!;
      // ejected by the evidence contract (its call, impersonated): as when evidence is proven
      // about another committee of the operator, no seat of these two is replaced by the ejection
      const slasher = deployment.evidenceSlasher!;
      await fund(slasher);
      await admin.request({ method: 'anvil_impersonateAccount' as never, params: [slasher] as never });
      await admin.request({
        method: 'eth_sendTransaction' as never,
        params: [
          {
            from: slasher,
            to: deployment.operatorRegistry,
            data: encodeFunctionData({ abi: operatorRegistryAbi, functionName: 'eject', args: [ejected] }),
          },
        ] as never,
      });
      await waitUntil(
        () =>
          reader
            .state()
            .draws()
            .every((d) => !d.committee.includes(ejected)),
        'the ejected operator replaced in both committees',
        30_000,
      );
      const replaced = parseEventLogs({
        abi: committeeDrawAbi,
        eventName: 'ReplacementDrawn',
        logs: await getLogs(admin, { address: deployment.committeeDraw, fromBlock: deployment.fromBlock }),
      });
      expect(replaced.map((r) => [r.args.drawId, r.args.ejected.toLowerCase()]).sort()).toEqual([
        [1n, ejected],
        [2n, ejected],
      ]);
      const actions = events.flatMap((e) =>
        e.type === 'keeper' && e.action === 'replace-ejected' ? [e] : [],
      );
      expect(actions.map((a) => a.drawId).sort()).toEqual([1n, 2n]);
      expect(
        reader
          .state()
          .draws()
          .every((d) => d.committee.length === 4),
      ).toBe(true);
    } finally {
      await stop();
    }
  });
});
