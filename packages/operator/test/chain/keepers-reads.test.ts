import { parseEther, toHex } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, describe, expect, it } from 'vitest';
import { Keepers } from '../../src/chain/keepers.ts';
import { createChainClients, createChainReader, silentLogger } from '../../src/index.ts';
import { operatorKey, waitUntil } from '../helpers/p2p.ts';
import { deployForTests } from './agents.ts';
import { countingWallet } from './counting-client.ts';
import { type AnvilProcess, registerWithCollateral, startAnvil } from './helpers.ts';

let anvil: AnvilProcess | undefined;
afterAll(async () => anvil?.stop());

describe('keepers: reads on the hot path', () => {
  it('reads the accounting contract once and the active seats only when the chain moved', async () => {
    anvil = await startAnvil(['--block-time', '1']);
    const { admin, deployment } = await deployForTests(anvil.url);
    const accounting = deployment.accounting!;
    const keeperKey = operatorKey('keepers reads: the keeper');
    const clients = createChainClients({
      rpcUrls: [anvil.url],
      chain: foundry,
      identityKey: keeperKey,
      pollingIntervalMs: 100,
    });
    const reader = createChainReader({
      client: clients.public,
      addresses: deployment,
      pollingIntervalMs: 100,
    });
    const counting = countingWallet(anvil.url, keeperKey);
    const keepers = new Keepers({
      wallet: counting.wallet,
      addresses: deployment,
      logger: silentLogger,
      onAction: () => {},
    });
    await reader.start();
    const passBlocks = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const before = reader.state().block();
        await waitUntil(() => reader.state().block() > before, 'a new block read', 10_000);
        await keepers.run(reader.state());
      }
    };
    try {
      await passBlocks(6);
      // the four immutables (K, genesis time, seconds per epoch, epochs per frame), once
      expect(counting.readsOf(accounting)).toBe(4);
      expect(counting.reads('activeSeats')).toBe(1);

      // a registration: a new operator in the folded state, so the seats are read again, once
      const key = operatorKey('keepers reads: an operator');
      const wallet = createChainClients({
        rpcUrls: [anvil.url],
        chain: foundry,
        identityKey: key,
        pollingIntervalMs: 100,
      }).wallet;
      await admin.request({
        method: 'anvil_setBalance' as never,
        params: [wallet.account.address, toHex(parseEther('10'))] as never,
      });
      await registerWithCollateral(wallet, key, deployment);
      await waitUntil(() => reader.state().operators().length === 1, 'the registration read', 10_000);
      await passBlocks(4);
      expect(counting.reads('activeSeats')).toBe(2);
      expect(counting.readsOf(accounting)).toBe(4);
    } finally {
      await reader.stop();
    }
  }, 60_000);
});
