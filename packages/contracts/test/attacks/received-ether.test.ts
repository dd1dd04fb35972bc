// Attack 6 (issue 15): received ETH against the reference epoch. A report's beacon balance is at its
// reference epoch, but ETH that reached divETH was counted at submission: an exit swept in between was
// counted twice (in the beacon balance and as received, +32 ETH), and any ETH sent to divETH was income.
// Now a report states what the beacon chain withdrew to divETH up to its reference epoch (cumulative) and
// the execution-layer rewards vault's balance then; only that is counted, and the rest waits.
// Measured on the contracts before the fix (commit 5be3caf, run with that API from a temporary worktree):
// a 32 ETH exit swept after the reference epoch raised the pooled ETH from 56.0 to 56.56 (+0.56, all
// one report could add at the tests' pacing of 1% a day: counted twice for a frame, undone by the next
// report); a donation of 10% of the pool made a rewarding report (+0.1 ETH) revert. Now: +0 for the sweep, and the donation is
// no income while the report passes (+0.1).
import { parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { divETHAbi } from '../../src/generated/index.ts';
import { useAnvil } from '../helpers/anvil.ts';
import { deploySystem, reportNextFrame, setupFundedCommittee } from '../helpers/system.ts';

describe('attack: ETH received after the reference epoch counted as of it', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client);
      const { members } = await setupFundedCommittee(client, system, { stake: parseEther('40') });
      // The validator is on the books: 32 ETH on the beacon chain.
      await reportNextFrame(client, system, members.slice(0, 11), {
        clBalance: parseEther('32'),
        clDepositedEther: parseEther('32'),
      });
      return { system, signers: members.slice(0, 11) };
    },
  });
  const div = (functionName: string) =>
    chain.client().readContract({
      address: chain.context().system.divETH,
      abi: divETHAbi,
      functionName,
    } as never) as Promise<bigint>;
  const addBalance = async (address: `0x${string}`, value: bigint) =>
    chain.client().setBalance({ address, value: (await chain.client().getBalance({ address })) + value });

  it('counts an exit swept after the reference epoch once, not twice', async () => {
    const { system, signers } = chain.context();
    const pooled = await div('totalPooledEther');
    // The validator is still on the beacon chain at the reference epoch; its 32 ETH arrive after it,
    // before the report is submitted (the report states no withdrawal up to its reference epoch).
    await addBalance(system.divETH, parseEther('32'));
    await reportNextFrame(chain.client(), system, signers, { clBalance: parseEther('32') });
    // The damage: ETH counted twice (up to the per-report bound before the fix; +32 ETH in the review).
    expect((await div('totalPooledEther')) - pooled).toBe(0n);
    // The next report (the validator gone, its 32 ETH withdrawn by then) moves nothing either.
    await reportNextFrame(chain.client(), system, signers, {
      clBalance: 0n,
      withdrawnEther: parseEther('32'),
    });
    expect(await div('totalPooledEther')).toBe(pooled);
    expect(await div('bufferedEther')).toBe(await chain.client().getBalance({ address: system.divETH }));
  });

  it('treats a donation as no income, and does not let it block a rewarding report', async () => {
    const { system, signers } = chain.context();
    const pooled = await div('totalPooledEther');
    // A donation of 10% of the pool (ten times the daily bound) straight to divETH.
    await addBalance(system.divETH, pooled / 10n);
    await reportNextFrame(chain.client(), system, signers, { clBalance: parseEther('32.1') });
    expect((await div('totalPooledEther')) - pooled).toBe(parseEther('0.1'));
  });

  it('takes execution-layer rewards as the vault held them at the reference epoch', async () => {
    const { system, signers } = chain.context();
    const pooled = await div('totalPooledEther');
    // 0.2 ETH in the vault at the reference epoch, 0.3 ETH more before the report lands.
    await addBalance(system.executionRewardsVault, parseEther('0.5'));
    await reportNextFrame(chain.client(), system, signers, { elRewards: parseEther('0.2') });
    expect((await div('totalPooledEther')) - pooled).toBe(parseEther('0.2'));
    expect(await chain.client().getBalance({ address: system.executionRewardsVault })).toBe(
      parseEther('0.3'),
    );
  });
});
