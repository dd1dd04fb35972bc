// divETH: shares, rebasing through reports, ERC-20 and EIP-2612 permit, the system-only hooks;
// wdivETH: the ERC-4626 wrapper keeps a fixed share count while divETH rebases.
import { maxUint256, parseEther, parseSignature } from 'viem';
import { describe, expect, it } from 'vitest';
import { divETHAbi, wdivETHAbi } from '../src/generated/index.ts';
import { useAnvil } from './helpers/anvil.ts';
import { expectRevert } from './helpers/crypto-errors.ts';
import { addOperators, deploySystem, ROLES, stake, submitReport, testAccount, tx } from './helpers/system.ts';

const alice = testAccount('alice');
const bob = testAccount('bob');

describe('divETH and wdivETH', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client, { maxAnnualIncreaseBps: 100_000n });
      for (const a of [alice, bob])
        await client.setBalance({ address: a.address, value: parseEther('1000') });
      return { system };
    },
  });
  const div = (functionName: string, args: readonly unknown[] = []) =>
    chain.client().readContract({
      address: chain.context().system.divETH,
      abi: divETHAbi,
      functionName,
      args,
    } as never) as Promise<bigint>;

  it('mints shares 1:1 at the initial rate and reports balances in ETH', async () => {
    const { system } = chain.context();
    await stake(chain.client(), system, alice, parseEther('10'));
    expect(await div('balanceOf', [alice.address])).toBe(parseEther('10'));
    expect(await div('sharesOf', [alice.address])).toBe(parseEther('10'));
    // Plus divETH's own initial deposit and wdivETH's seed deposit (1 gwei each).
    expect(await div('totalPooledEther')).toBe(parseEther('10') + 2_000_000_000n);
    expect(await chain.client().getBalance({ address: system.divETH })).toBe(
      parseEther('10') + 2_000_000_000n,
    );
  });

  it('rebases every balance when a report adds rewards, and keeps 10% for seats', async () => {
    const client = chain.client();
    const { system } = chain.context();
    await stake(client, system, alice, parseEther('64'));
    // Operators with seats make the quorum; collateral stakes more ETH.
    const ops = await addOperators(client, system, Array(16).fill(1n));
    const { drawCommittee } = await import('./helpers/system.ts');
    await drawCommittee(client, system);
    const sharesA = await div('sharesOf', [alice.address]);
    const totalSharesBefore = await div('totalShares');
    const pooledBefore = await div('totalPooledEther');
    // 1 ETH of rewards arrives (skimmed withdrawals land on divETH).
    await client.setBalance({
      address: system.divETH,
      value: (await client.getBalance({ address: system.divETH })) + parseEther('1'),
    });
    await submitReport(
      client,
      system,
      // The report states it: withdrawn to divETH by its reference epoch.
      {
        epoch: 1n,
        clBalance: 0n,
        clDepositedEther: 0n,
        exitedValidators: 0n,
        withdrawnEther: parseEther('1'),
        penalties: [],
      },
      ops.slice(0, 11),
    );
    const pooledAfter = await div('totalPooledEther');
    expect(pooledAfter - pooledBefore).toBe(parseEther('1'));
    const after = await div('balanceOf', [alice.address]);
    // Alice keeps her part of 90% of the reward: shares x (pooled + 0.9 ETH) / shares, within 1 wei.
    const exact = (sharesA * (pooledBefore + parseEther('0.9'))) / totalSharesBefore;
    expect(after - exact).toBeLessThanOrEqual(1n);
    expect(exact - after).toBeLessThanOrEqual(1n);
    const registryBalance = await div('balanceOf', [system.operatorRegistry]);
    expect(registryBalance).toBeGreaterThan(parseEther('16.09'));
  });

  it('transfers by amount and by shares, with allowances in ETH', async () => {
    const client = chain.client();
    const { system } = chain.context();
    await stake(client, system, alice, parseEther('5'));
    await tx(client, {
      account: alice,
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'transfer',
      args: [bob.address, parseEther('2')],
    });
    expect(await div('balanceOf', [bob.address])).toBe(parseEther('2'));
    await tx(client, {
      account: alice,
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'approve',
      args: [bob.address, parseEther('1')],
    });
    const tooMuch = await expectRevert(() =>
      tx(client, {
        account: bob,
        address: system.divETH,
        abi: divETHAbi,
        functionName: 'transferFrom',
        args: [alice.address, bob.address, parseEther('1.5')],
      }),
    );
    expect(tooMuch).toEqual({
      name: 'InsufficientAllowance',
      args: [bob.address, parseEther('1'), parseEther('1.5')],
    });
    await tx(client, {
      account: bob,
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'transferSharesFrom',
      args: [alice.address, bob.address, parseEther('1')],
    });
    expect(await div('balanceOf', [bob.address])).toBe(parseEther('3'));
    expect(await div('allowance', [alice.address, bob.address])).toBe(0n);
    const broke = await expectRevert(() =>
      tx(client, {
        account: bob,
        address: system.divETH,
        abi: divETHAbi,
        functionName: 'transferShares',
        args: [alice.address, parseEther('4')],
      }),
    );
    expect(broke).toEqual({
      name: 'InsufficientShares',
      args: [bob.address, parseEther('3'), parseEther('4')],
    });
  });

  it('accepts an EIP-2612 permit once and refuses expired or foreign signatures', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const deadline = (await client.getBlock()).timestamp + 3600n;
    const sign = (owner = alice, nonce = 0n, dl = deadline) =>
      owner.signTypedData({
        domain: { name: 'divETH', version: '1', chainId: 31337, verifyingContract: system.divETH },
        types: {
          Permit: [
            { name: 'owner', type: 'address' },
            { name: 'spender', type: 'address' },
            { name: 'value', type: 'uint256' },
            { name: 'nonce', type: 'uint256' },
            { name: 'deadline', type: 'uint256' },
          ],
        },
        primaryType: 'Permit',
        message: { owner: alice.address, spender: bob.address, value: parseEther('7'), nonce, deadline: dl },
      });
    const permit = (signature: `0x${string}`, dl = deadline) => {
      const { r, s, v } = parseSignature(signature);
      return tx(client, {
        address: system.divETH,
        abi: divETHAbi,
        functionName: 'permit',
        args: [alice.address, bob.address, parseEther('7'), dl, Number(v), r, s],
      });
    };
    const signature = await sign();
    await permit(signature);
    expect(await div('allowance', [alice.address, bob.address])).toBe(parseEther('7'));
    expect(await div('nonces', [alice.address])).toBe(1n);
    const replay = await expectRevert(() => permit(signature));
    expect(replay.name).toBe('InvalidPermitSigner');
    const foreign = await expectRevert(async () => permit(await sign(bob, 1n)));
    expect(foreign.name).toBe('InvalidPermitSigner');
    const past = (await client.getBlock()).timestamp - 1n;
    const expired = await expectRevert(async () => permit(await sign(alice, 1n, past), past));
    expect(expired.name).toBe('PermitExpired');
  });

  it('refuses zero deposits, and system hooks from anyone but their contract', async () => {
    const client = chain.client();
    const { system } = chain.context();
    expect(await expectRevert(() => stake(client, system, alice, 0n))).toEqual({
      name: 'ZeroAmount',
      args: [alice.address],
    });
    for (const [functionName, args] of [
      ['fundDeposit', [1n, parseEther('1')]],
      ['reserveForDraw', [1n]],
      ['releaseDraw', [1n]],
      ['fundWithdrawals', [1n, 1n]],
      ['burnShares', [1n]],
      ['applyReport', [0n, 0n, 0n, 0n, 0n, alice.address, 0n]],
    ] as const) {
      const error = await expectRevert(() =>
        tx(client, { account: alice, address: system.divETH, abi: divETHAbi, functionName, args }),
      );
      expect(error).toEqual({ name: 'Unauthorized', args: [alice.address] });
    }
    const rewire = await expectRevert(() =>
      tx(client, {
        address: system.divETH,
        abi: divETHAbi,
        functionName: 'wire',
        args: [alice.address, alice.address, alice.address, alice.address, alice.address, alice.address],
      }),
    );
    expect(rewire.name).toBe('AlreadyWired');
    const notApproved = await expectRevert(() =>
      tx(client, {
        account: ROLES.dkgResult,
        address: system.divETH,
        abi: divETHAbi,
        functionName: 'fundDeposit',
        args: [1n, parseEther('1')],
      }),
    );
    expect(notApproved).toEqual({ name: 'DrawNotApproved', args: [1n, 0] });
  });

  it('passes EIP-7002 withdrawal requests from the exits contract to the predeploy, fee included', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const predeploy = '0x00000961Ef480Eb55e80D19ad83579A64c007002';
    const pubkey = `0x${'a1'.repeat(48)}` as const;
    const stranger = await expectRevert(() =>
      tx(client, {
        account: alice,
        address: system.divETH,
        abi: divETHAbi,
        functionName: 'addWithdrawalRequest',
        args: [pubkey, 0n],
      }),
    );
    expect(stranger).toEqual({ name: 'Unauthorized', args: [alice.address] });
    const short = await expectRevert(() =>
      tx(client, {
        account: ROLES.exits,
        address: system.divETH,
        abi: divETHAbi,
        functionName: 'addWithdrawalRequest',
        args: ['0x1234', 0n],
      }),
    );
    expect(short).toEqual({ name: 'InvalidPubkeyLength', args: [2n] });
    const poolBefore = await client.getBalance({ address: system.divETH });
    const predeployBefore = await client.getBalance({ address: predeploy });
    await tx(client, {
      account: ROLES.exits,
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'addWithdrawalRequest',
      args: [pubkey, 0n],
      value: 7n,
    });
    expect(await client.getBalance({ address: system.divETH })).toBe(poolBefore);
    expect((await client.getBalance({ address: predeploy })) - predeployBefore).toBe(7n);
    const [event] = await client.getContractEvents({
      address: system.divETH,
      abi: divETHAbi,
      eventName: 'WithdrawalRequestSent',
    });
    expect(event!.args).toMatchObject({ pubkey, amountGwei: 0n, fee: 7n });
  });

  it('uses withdrawal credentials 0x01 with its own address', async () => {
    const { system } = chain.context();
    const credentials = (await div('withdrawalCredentials')) as unknown as string;
    expect(credentials).toBe(`0x01${'00'.repeat(11)}${system.divETH.slice(2).toLowerCase()}`);
  });

  it('wraps into wdivETH whose share count stays fixed while divETH rebases', async () => {
    const client = chain.client();
    const { system } = chain.context();
    await stake(client, system, alice, parseEther('10'));
    await tx(client, {
      account: alice,
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'approve',
      args: [system.wdivETH, maxUint256],
    });
    await tx(client, {
      account: alice,
      address: system.wdivETH,
      abi: wdivETHAbi,
      functionName: 'deposit',
      args: [parseEther('4'), alice.address],
    });
    const wshares = (await client.readContract({
      address: system.wdivETH,
      abi: wdivETHAbi,
      functionName: 'balanceOf',
      args: [alice.address],
    })) as bigint;
    // 10^6 wdivETH base units per divETH wei (the decimals offset: wdivETH has 24 decimals).
    expect(wshares).toBe(parseEther('4') * 10n ** 6n);
    await tx(client, {
      account: alice,
      address: system.wdivETH,
      abi: wdivETHAbi,
      functionName: 'redeem',
      args: [wshares, alice.address, alice.address],
    });
    const back = await div('balanceOf', [alice.address]);
    // Redeeming rounds in the vault's favour: at most a couple of wei lost, never gained.
    expect(back).toBeLessThanOrEqual(parseEther('10'));
    expect(parseEther('10') - back).toBeLessThanOrEqual(2n);
  });
});
