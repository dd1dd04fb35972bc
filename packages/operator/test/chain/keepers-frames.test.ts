// Beyond K active seats the keepers request and draw each report frame's reporting committee; once
// the frame's committee is drawn they read nothing more of the accounting contract until the next
// frame (they used to make four reads on every block). Real Anvil (1 s blocks), the whole system
// with K = 16 and 120 s frames (the chain's clock at a frame start, no report yet), four registered
// operators with collateral for 5 seats each that run nothing: the keeper under test (its client
// counts each eth_call) requests and finalises five draws (20 seats reserved, their DKG timeout far
// off), then requests and draws the reporting committee, and after that its reads stop.
import { registerOperator, stake } from '@diva-dvt/contracts';
import { accountingAbi } from '@diva-dvt/contracts/abis';
import { parseEther, toHex } from 'viem';
import { getBlock, readContract, waitForTransactionReceipt } from 'viem/actions';
import { foundry } from 'viem/chains';
import { afterAll, describe, expect, it } from 'vitest';
import { type KeeperActionEvent, Keepers } from '../../src/chain/keepers.ts';
import { createChainClients, createChainReader, silentLogger } from '../../src/index.ts';
import { peerIdOfPublicKey, publicKeyOf } from '../../src/p2p/identity.ts';
import { operatorKey, waitUntil } from '../helpers/p2p.ts';
import { deployForTests, lockCollateral, walletOf } from './agents.ts';
import { countingWallet } from './counting-client.ts';
import { type AnvilProcess, startAnvil } from './helpers.ts';

let anvil: AnvilProcess | undefined;
afterAll(async () => anvil?.stop());

describe('keepers beyond K', () => {
  it('draw the frame’s reporting committee, then read the accounting contract no more in that frame', async () => {
    anvil = await startAnvil(['--block-time', '1']);
    const url = anvil.url;
    const probe = walletOf(url, operatorKey('keepers frames: probe'));
    const now = (await getBlock(probe)).timestamp;
    const { admin, deployment } = await deployForTests(url, {
      reportingCommitteeSeats: 16n,
      // epoch = seconds since genesis; genesis 1,200 s ago: a frame (of 120) starts now
      reportFrames: { genesisTime: now - 1200n, secondsPerEpoch: 1n, epochsPerFrame: 120n, initialEpoch: 0n },
    });
    const accounting = deployment.accounting!;
    await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const key = operatorKey(`keepers frames ${i}`);
        const wallet = walletOf(url, key);
        await admin.request({
          method: 'anvil_setBalance' as never,
          params: [wallet.account.address, toHex(parseEther('100'))] as never,
        });
        const peerId = peerIdOfPublicKey(publicKeyOf(key)).toString();
        const hash = await registerOperator(wallet, {
          operatorRegistry: deployment.operatorRegistry,
          encryptionKey: `0x${'11'.repeat(32)}`,
          p2pAddresses: [`/ip4/127.0.0.1/tcp/9/p2p/${peerId}`],
        });
        expect((await waitForTransactionReceipt(wallet, { hash })).status).toBe('success');
        await lockCollateral(wallet, deployment, '6', '5');
      }),
    );
    const keeperKey = operatorKey('keepers frames: the keeper');
    await admin.request({
      method: 'anvil_setBalance' as never,
      params: [walletOf(url, keeperKey).account.address, toHex(parseEther('100'))] as never,
    });
    const clients = createChainClients({
      rpcUrls: [url],
      chain: foundry,
      identityKey: keeperKey,
      pollingIntervalMs: 100,
    });
    const reader = createChainReader({
      client: clients.public,
      addresses: deployment,
      pollingIntervalMs: 100,
    });
    const counting = countingWallet(url, keeperKey);
    const actions: KeeperActionEvent[] = [];
    const keepers = new Keepers({
      wallet: counting.wallet,
      addresses: deployment,
      logger: silentLogger,
      onAction: (a) => actions.push(a),
    });
    await reader.start();
    const nextBlock = async () => {
      const before = reader.state().block();
      await waitUntil(() => reader.state().block() > before, 'a new block read', 10_000);
      await keepers.run(reader.state());
    };
    try {
      await stake(admin, { divETH: deployment.divETH, valueWei: parseEther(String(5 * 32)) });
      // until the reporting committee is drawn (five draws first)
      for (let i = 0; i < 60 && !actions.some((a) => a.action === 'draw-reporting-committee'); i++)
        await nextBlock();
      expect(actions.filter((a) => a.action === 'finalize-draw')).toHaveLength(5);
      expect(actions.filter((a) => a.action === 'request-reporting-committee')).toHaveLength(1);
      expect(actions.filter((a) => a.action === 'draw-reporting-committee')).toHaveLength(1);
      const drawn = actions.find((a) => a.action === 'draw-reporting-committee')!;
      await waitForTransactionReceipt(probe, { hash: drawn.transactionHash });
      const epoch = await readContract(probe, {
        address: accounting,
        abi: accountingAbi,
        functionName: 'latestCommitteeEpoch',
      });
      expect(epoch).toBe(1200n);
      // the keeper sees it drawn once, and then reads the accounting contract no more
      await nextBlock();
      await nextBlock();
      const reads = counting.readsOf(accounting);
      for (let i = 0; i < 6; i++) await nextBlock();
      expect(counting.readsOf(accounting)).toBe(reads);
      expect(counting.reads('activeSeats')).toBeLessThanOrEqual(12); // only on seat changes (draws)
    } finally {
      await reader.stop();
    }
  }, 120_000);
});
