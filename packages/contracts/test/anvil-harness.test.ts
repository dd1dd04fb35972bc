import { parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { DEV_ACCOUNT, startAnvil, useAnvil } from './helpers/anvil.ts';

const OTHER = '0x00000000000000000000000000000000000d1ba0';

describe('anvil harness', () => {
  const chain = useAnvil();

  it('runs a Prague chain on a parsed port with funded dev accounts', async () => {
    expect(chain.anvil().port).toBeGreaterThan(0);
    expect(await chain.client().getChainId()).toBe(31337);
    expect(await chain.client().getBalance({ address: DEV_ACCOUNT })).toBe(parseEther('10000'));
    const block = await chain.client().getBlock();
    // Prague blocks carry a requests hash (EIP-7685).
    expect((block as { requestsHash?: string }).requestsHash).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('changes state within a test (reverted afterwards)', async () => {
    const hash = await chain.client().sendTransaction({ to: OTHER, value: parseEther('1'), chain: null });
    await chain.client().waitForTransactionReceipt({ hash });
    expect(await chain.client().getBalance({ address: OTHER })).toBe(parseEther('1'));
  });

  it('sees the state from before the previous test', async () => {
    expect(await chain.client().getBalance({ address: OTHER })).toBe(0n);
  });

  it('stops an anvil and its port refuses connections', async () => {
    const other = await startAnvil();
    expect(await other.client.getBlockNumber()).toBe(0n);
    await other.stop();
    await expect(other.client.getBlockNumber()).rejects.toThrow();
  });
});
