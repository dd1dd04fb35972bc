// Attack 12 (issue 15): wdivETH first-depositor griefing. On an empty ERC-4626 vault, an attacker wraps
// 1 wei, then donates divETH to the vault: the rate per share jumps, and a victim's deposit rounds down
// to 0 shares (9 divETH for 0 wdivETH in the review), the attacker's share taking the victim's assets.
// Now wdivETH has a decimals offset (10^6 virtual shares) and a seed deposit at deployment held by
// 0xdead: the victim gets its shares and loses at most a rounding unit; the attacker loses its donation.
// Measured on the contracts before the fix (commit 5be3caf, run with that API from a temporary worktree):
// OpenZeppelin's default single virtual share gave the victim's 9 divETH 1 wdivETH base unit, redeemed
// for 6.33: the victim lost 2.67 divETH (the attacker 3.67, pure griefing). Now: under 1 gwei.
import { maxUint256, parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { divETHAbi, wdivETHAbi } from '../../src/generated/index.ts';
import { useAnvil } from '../helpers/anvil.ts';
import { deploySystem, stake, testAccount, tx } from '../helpers/system.ts';

describe('attack: wdivETH first-depositor donation', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client);
      const attacker = testAccount('wdiv-attacker');
      const victim = testAccount('wdiv-victim');
      for (const account of [attacker, victim]) {
        await client.setBalance({ address: account.address, value: parseEther('100') });
        await stake(client, system, account, parseEther('20'));
        await tx(client, {
          account,
          address: system.divETH,
          abi: divETHAbi,
          functionName: 'approve',
          args: [system.wdivETH, maxUint256],
        });
      }
      return { system, attacker, victim };
    },
  });

  it("leaves the attacker no gain and the victim its deposit's worth", async () => {
    const client = chain.client();
    const { system, attacker, victim } = chain.context();
    const divBalance = (address: `0x${string}`) =>
      client.readContract({
        address: system.divETH,
        abi: divETHAbi,
        functionName: 'balanceOf',
        args: [address],
      });
    const wdiv = (functionName: string, args: readonly unknown[]) =>
      client.readContract({
        address: system.wdivETH,
        abi: wdivETHAbi,
        functionName,
        args,
      } as never) as Promise<bigint>;
    const attackerBefore = await divBalance(attacker.address);
    // The attack: wrap 1 wei, donate 10 divETH to the vault, then the victim wraps 9 divETH.
    await tx(client, {
      account: attacker,
      address: system.wdivETH,
      abi: wdivETHAbi,
      functionName: 'deposit',
      args: [1n, attacker.address],
    });
    await tx(client, {
      account: attacker,
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'transfer',
      args: [system.wdivETH, parseEther('10')],
    });
    await tx(client, {
      account: victim,
      address: system.wdivETH,
      abi: wdivETHAbi,
      functionName: 'deposit',
      args: [parseEther('9'), victim.address],
    });
    const victimShares = await wdiv('balanceOf', [victim.address]);
    expect(victimShares).toBeGreaterThan(0n);
    // Both redeem everything.
    for (const [account, shares] of [
      [attacker, await wdiv('balanceOf', [attacker.address])],
      [victim, victimShares],
    ] as const) {
      await tx(client, {
        account,
        address: system.wdivETH,
        abi: wdivETHAbi,
        functionName: 'redeem',
        args: [shares, account.address, account.address],
      });
    }
    // The victim's damage: rounding of at most one wdivETH base unit's worth, which the 10 divETH donation
    // inflated to about 10^4 wei (it was all 9 divETH before the fix): under 1 gwei.
    const victimLoss = parseEther('20') - (await divBalance(victim.address));
    expect(victimLoss).toBeLessThan(1_000_000_000n);
    // The attacker's gain: negative (its donation stays with the seed), never positive.
    const attackerGain = (await divBalance(attacker.address)) - attackerBefore;
    expect(attackerGain).toBeLessThan(0n);
  });
});
