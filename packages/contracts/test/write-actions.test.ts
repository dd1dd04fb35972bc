// Every write action simulates with the ABI of every custom error of the system before it sends: the
// staking actions that used to send blindly now come back with the custom error and its arguments
// (even one raised by a contract called in between), and nothing is sent.
import { getAddress, parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { depositCollateral } from '../src/actions/deposit-collateral.ts';
import { requestWithdrawal } from '../src/actions/request-withdrawal.ts';
import { stake } from '../src/actions/stake.ts';
import { createAnvilClient, useAnvil } from './helpers/anvil.ts';
import { expectRevert } from './helpers/crypto-errors.ts';
import { deploySystem } from './helpers/system.ts';

const STAKER = getAddress('0x90f79bf6eb2c4f870365e785982e1f101e93b906'); // anvil account 3

describe('write actions', () => {
  const chain = useAnvil({ setup: async (client) => ({ system: await deploySystem(client) }) });
  const staker = () => createAnvilClient(chain.anvil().url, STAKER);
  const nonce = () => chain.client().getTransactionCount({ address: STAKER });

  it('stake: a zero deposit is refused with ZeroAmount(account), nothing sent', async () => {
    const before = await nonce();
    expect(
      await expectRevert(() => stake(staker(), { divETH: chain.context().system.divETH, valueWei: 0n })),
    ).toEqual({
      name: 'ZeroAmount',
      args: [STAKER],
    });
    expect(await nonce()).toBe(before);
  });

  it("requestWithdrawal and depositCollateral: divETH's InsufficientAllowance raised under the queue, and NotRegistered, decode", async () => {
    const { system } = chain.context();
    await chain.client().waitForTransactionReceipt({
      hash: await stake(staker(), { divETH: system.divETH, valueWei: parseEther('2') }),
    });
    const before = await nonce();
    expect(
      await expectRevert(() =>
        requestWithdrawal(staker(), { withdrawalQueue: system.withdrawalQueue, amountWei: parseEther('1') }),
      ),
    ).toEqual({
      name: 'InsufficientAllowance',
      args: [getAddress(system.withdrawalQueue), 0n, parseEther('1')],
    });
    expect(
      await expectRevert(() =>
        depositCollateral(staker(), {
          operatorRegistry: system.operatorRegistry,
          amountWei: parseEther('1'),
        }),
      ),
    ).toEqual({ name: 'NotRegistered', args: [STAKER] });
    expect(await nonce()).toBe(before);
  });
});
