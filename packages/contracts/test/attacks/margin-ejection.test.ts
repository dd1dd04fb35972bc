// Attack 9 (issue 15): no collateral margin. Operators holding exactly 1 divETH per seat (the documented
// rule) were all ejectable by a stranger after a -0.001% rebase. Now a loss that leaves an operator
// above 90% of a seat's collateral per seat only starts a margin call: the operator has a grace period
// to top up, and the stranger ejects no one.
import { parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { divETHAbi, errorsAbi, operatorRegistryAbi } from '../../src/generated/index.ts';
import { useAnvil } from '../helpers/anvil.ts';
import { expectRevert } from '../helpers/crypto-errors.ts';
import {
  deploySystem,
  setupFundedCommittee,
  stake,
  submitReport,
  testAccount,
  tx,
} from '../helpers/system.ts';

describe('attack: ejecting fully collateralized operators after a tiny loss', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client);
      const { members } = await setupFundedCommittee(client, system);
      return { system, members };
    },
  });

  it('a stranger ejects no one after a -0.001% rebase', async () => {
    const client = chain.client();
    const { system, members } = chain.context();
    const pooled = (await client.readContract({
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'totalPooledEther',
    })) as bigint;
    const loss = pooled / 100_000n; // 0.001%
    await submitReport(
      client,
      system,
      {
        epoch: 1n,
        clBalance: parseEther('32') - loss,
        clDepositedEther: parseEther('32'),
        exitedValidators: 0n,
        penalties: [],
      },
      members.slice(0, 11),
    );
    const stranger = testAccount('stranger');
    await client.setBalance({ address: stranger.address, value: parseEther('1') });
    for (const member of members) {
      for (let attempt = 0; attempt < 2; attempt++) {
        const call = {
          account: stranger,
          address: system.operatorRegistry,
          abi: [...operatorRegistryAbi, ...errorsAbi],
          functionName: 'ejectUndercollateralized',
          args: [member.address],
        } as const;
        try {
          await client.simulateContract(call);
        } catch {
          continue;
        }
        await client.waitForTransactionReceipt({
          hash: await client.writeContract({ chain: null, ...call }),
        });
      }
    }
    let ejected = 0;
    for (const member of members) {
      const view = (await client.readContract({
        address: system.operatorRegistry,
        abi: operatorRegistryAbi,
        functionName: 'operatorOf',
        args: [member.address],
      })) as { ejected: boolean };
      if (view.ejected) ejected++;
    }
    // The damage: honest, fully collateralized operators thrown out of their committees.
    expect(ejected).toBe(0);
  });

  it('the margin call ends with a top-up; an operator still short after the grace period is ejected', async () => {
    const client = chain.client();
    const { system, members } = chain.context();
    await submitReport(
      client,
      system,
      {
        epoch: 1n,
        clBalance: parseEther('31'),
        clDepositedEther: parseEther('32'),
        exitedValidators: 0n,
        penalties: [],
      },
      members.slice(0, 11),
    );
    const [toppedUp, short] = [members[0]!, members[1]!];
    const eject = (operator: `0x${string}`) =>
      tx(client, {
        address: system.operatorRegistry,
        abi: operatorRegistryAbi,
        functionName: 'ejectUndercollateralized',
        args: [operator],
      });
    await eject(toppedUp.address);
    await eject(short.address);
    await stake(client, system, toppedUp, parseEther('0.1'));
    await tx(client, {
      account: toppedUp,
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'approve',
      args: [system.operatorRegistry, parseEther('0.1')],
    });
    await tx(client, {
      account: toppedUp,
      address: system.operatorRegistry,
      abi: operatorRegistryAbi,
      functionName: 'depositCollateral',
      args: [parseEther('0.1')],
    });
    await client.increaseTime({ seconds: 3 * 86_400 });
    await client.mine({ blocks: 1 });
    expect((await expectRevert(() => eject(toppedUp.address))).name).toBe('NotUndercollateralized');
    await eject(short.address);
    const ejected = async (operator: `0x${string}`) =>
      (
        (await client.readContract({
          address: system.operatorRegistry,
          abi: operatorRegistryAbi,
          functionName: 'operatorOf',
          args: [operator],
        })) as { ejected: boolean }
      ).ejected;
    expect(await ejected(toppedUp.address)).toBe(false);
    expect(await ejected(short.address)).toBe(true);
  });
});
