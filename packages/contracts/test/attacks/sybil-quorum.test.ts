// Attack 1 (issue 15): a Sybil quorum. Registration is open, so an attacker splits a minority of the
// collateral into many 1-divETH operators; once they hold seats, they are most of the active operators
// by head count. Signing a report that slashes every honest operator must still fail: votes weigh the
// collateral backing seats (one divETH per seat), and the attacker holds well under 2/3 of the seats.
import { parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { accountingAbi, errorsAbi, operatorRegistryAbi } from '../../src/generated/index.ts';
import { useAnvil } from '../helpers/anvil.ts';
import { revertError } from '../helpers/crypto-errors.ts';
import {
  addOperator,
  deploySystem,
  drawCommittee,
  signReport,
  stake,
  testAccount,
} from '../helpers/system.ts';

describe('attack: Sybil quorum (many 1-divETH operators outvote the collateral)', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client);
      const staker = testAccount('staker');
      await client.setBalance({ address: staker.address, value: parseEther('1000') });
      await stake(client, system, staker, parseEther('96'));
      // Honest: 8 operators with 40 divETH each (320). Attacker: 100 operators with 1 divETH each (100).
      const honest = Array.from({ length: 8 }, (_, i) => testAccount(`honest-${i}`));
      const sybils = Array.from({ length: 100 }, (_, i) => testAccount(`sybil-${i}`));
      for (const account of honest) await addOperator(client, system, account, 40n);
      for (const account of sybils) await addOperator(client, system, account, 1n);
      for (let i = 0; i < 3; i++) await drawCommittee(client, system);
      return { system, honest, sybils };
    },
  });

  it('cannot slash the honest operators with a majority of heads and a minority of seats', async () => {
    const client = chain.client();
    const { system, honest, sybils } = chain.context();
    const registry = (functionName: string, args: readonly unknown[]) =>
      client.readContract({
        address: system.operatorRegistry,
        abi: operatorRegistryAbi,
        functionName,
        args,
      } as never) as Promise<never>;
    const seats = async (accounts: typeof honest) => {
      let sum = 0n;
      for (const a of accounts) sum += (await registry('keySharesOf', [a.address])) as bigint;
      return sum;
    };
    const active = [];
    for (const a of sybils) if (await registry('isActiveOperator', [a.address])) active.push(a);
    const honestActive = [];
    for (const a of honest) if (await registry('isActiveOperator', [a.address])) honestActive.push(a);
    const attackerSeats = await seats(active);
    const honestSeats = await seats(honest);
    // The setting of the attack: more than 2/3 of the heads, less than 2/3 of the seats.
    expect(BigInt(active.length) * 3n).toBeGreaterThanOrEqual(
      BigInt(active.length + honestActive.length) * 2n,
    );
    expect(attackerSeats * 3n).toBeLessThan((attackerSeats + honestSeats) * 2n);

    const collateral = async () => {
      let sum = 0n;
      for (const a of honest)
        sum += ((await registry('operatorOf', [a.address])) as { collateralEther: bigint }).collateralEther;
      return sum;
    };
    const before = await collateral();
    const report = {
      epoch: 1n,
      clBalance: 0n,
      clDepositedEther: 0n,
      exitedValidators: 0n,
      withdrawnEther: 0n,
      elRewards: 0n,
      penalties: honest.map((a) => ({ operator: a.address, amount: parseEther('40') })),
    };
    const signatures = await signReport(client, system, report, active);
    const call = {
      address: system.accounting,
      abi: [...accountingAbi, ...errorsAbi],
      functionName: 'submitReport',
      args: [report, signatures],
      gas: 15_000_000n,
    } as const;
    let error: string | undefined;
    try {
      await client.simulateContract(call);
      const hash = await client.writeContract({ chain: null, ...call });
      await client.waitForTransactionReceipt({ hash });
    } catch (e) {
      error = revertError(e)?.name ?? String(e);
    }
    // The damage: the honest operators' collateral taken by the attacker's report.
    const damage = before - (await collateral());
    expect(damage).toBe(0n);
    expect(error).toBe('QuorumNotReached');
  });
});
