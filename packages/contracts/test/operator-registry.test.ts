// OperatorRegistry: permissionless registration, collateral in divETH shares, capacity (Fenwick tree)
// that follows collateral and seats, locked collateral, slashing, ejection and rewards per seat.
import { keccak256, maxUint256, parseEther, stringToHex, zeroHash } from 'viem';
import { describe, expect, it } from 'vitest';
import { divETHAbi, operatorRegistryAbi } from '../src/generated/index.ts';
import { useAnvil } from './helpers/anvil.ts';
import { expectRevert } from './helpers/crypto-errors.ts';
import {
  addOperator,
  addOperators,
  deploySystem,
  drawCommittee,
  ROLES,
  stake,
  testAccount,
  tx,
} from './helpers/system.ts';

const KEY = keccak256(stringToHex('x25519'));

describe('OperatorRegistry', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client);
      const staker = testAccount('staker');
      await client.setBalance({ address: staker.address, value: parseEther('1000') });
      await stake(client, system, staker, parseEther('64'));
      return { system };
    },
  });
  const reg = (functionName: string, args: readonly unknown[] = []) =>
    chain.client().readContract({
      address: chain.context().system.operatorRegistry,
      abi: operatorRegistryAbi,
      functionName,
      args,
    } as never) as Promise<never>;
  const regTx = (account: unknown, functionName: string, args: readonly unknown[] = []) =>
    tx(chain.client(), {
      account,
      address: chain.context().system.operatorRegistry,
      abi: operatorRegistryAbi,
      functionName,
      args,
    });

  it('registers an operator with its encryption key and p2p addresses, once', async () => {
    const op = testAccount('reg');
    await chain.client().setBalance({ address: op.address, value: parseEther('10') });
    await regTx(op, 'register', [KEY, ['/ip4/10.0.0.1/tcp/9000']]);
    const view = (await reg('operatorOf', [op.address])) as { registered: boolean; encryptionKey: string };
    expect(view.registered).toBe(true);
    expect(view.encryptionKey).toBe(KEY);
    const logs = await chain.client().getContractEvents({
      address: chain.context().system.operatorRegistry,
      abi: operatorRegistryAbi,
      eventName: 'OperatorRegistered',
    });
    expect(logs[0]!.args.p2pAddresses).toEqual(['/ip4/10.0.0.1/tcp/9000']);
    expect(await expectRevert(() => regTx(op, 'register', [KEY, []]))).toEqual({
      name: 'AlreadyRegistered',
      args: [op.address],
    });
  });

  it('refuses bad registration input with typed errors', async () => {
    const op = testAccount('bad');
    await chain.client().setBalance({ address: op.address, value: parseEther('10') });
    expect((await expectRevert(() => regTx(op, 'register', [zeroHash, []]))).name).toBe(
      'InvalidEncryptionKey',
    );
    expect(await expectRevert(() => regTx(op, 'register', [KEY, Array(9).fill('/dns/x')]))).toEqual({
      name: 'TooManyP2pAddresses',
      args: [9n, 8n],
    });
    expect(await expectRevert(() => regTx(op, 'register', [KEY, ['/dns/x', '']]))).toEqual({
      name: 'InvalidP2pAddress',
      args: [1n],
    });
    expect(await expectRevert(() => regTx(op, 'depositCollateral', [1n]))).toEqual({
      name: 'NotRegistered',
      args: [op.address],
    });
    expect(await expectRevert(() => regTx(op, 'setP2pAddresses', [[]]))).toEqual({
      name: 'NotRegistered',
      args: [op.address],
    });
  });

  it('records capacity = floor(collateral / 1 divETH) - seats and the Fenwick total', async () => {
    const { system } = chain.context();
    const [a, b] = await addOperators(chain.client(), system, [3n, 5n]);
    const c = testAccount('fractional');
    await addOperator(chain.client(), system, c, 0n, { collateral: parseEther('2.5') });
    expect(((await reg('operatorOf', [a!.address])) as { capacity: bigint }).capacity).toBe(3n);
    expect(((await reg('operatorOf', [b!.address])) as { capacity: bigint }).capacity).toBe(5n);
    expect(((await reg('operatorOf', [c.address])) as { capacity: bigint }).capacity).toBe(2n);
    expect(await reg('totalCapacity')).toBe(10n);
    expect(await reg('operatorsWithCapacity')).toBe(3n);
  });

  it('locks collateral backing seats and frees the rest', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const ops = await addOperators(client, system, [...Array(15).fill(1n), 3n]);
    await drawCommittee(client, system);
    const big = ops[15]!;
    // 3 divETH locked, 1 seat: 2 divETH may leave, not 2.5.
    const locked = await expectRevert(() => regTx(big, 'withdrawCollateral', [parseEther('2.5')]));
    expect(locked.name).toBe('CollateralLocked');
    await regTx(big, 'withdrawCollateral', [parseEther('2')]);
    const view = (await reg('operatorOf', [big.address])) as { capacity: bigint; keyShares: bigint };
    expect(view.keyShares).toBe(1n);
    expect(view.capacity).toBe(0n);
    expect(await expectRevert(() => regTx(big, 'withdrawCollateral', [parseEther('5')]))).toMatchObject({
      name: 'InsufficientCollateral',
    });
    expect(await expectRevert(() => regTx(big, 'withdrawCollateral', [0n]))).toEqual({
      name: 'ZeroAmount',
      args: [big.address],
    });
  });

  it('deposits collateral with a permit instead of an approval', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const op = testAccount('permit-op');
    await client.setBalance({ address: op.address, value: parseEther('10') });
    await regTx(op, 'register', [KEY, []]);
    await stake(client, system, op, parseEther('2'));
    const deadline = (await client.getBlock()).timestamp + 600n;
    const signature = await op.signTypedData({
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
      message: {
        owner: op.address,
        spender: system.operatorRegistry,
        value: parseEther('2'),
        nonce: 0n,
        deadline,
      },
    });
    const r = `0x${signature.slice(2, 66)}` as const;
    const s = `0x${signature.slice(66, 130)}` as const;
    const v = Number.parseInt(signature.slice(130, 132), 16);
    await regTx(op, 'depositCollateralWithPermit', [parseEther('2'), deadline, v, r, s]);
    expect(((await reg('operatorOf', [op.address])) as { capacity: bigint }).capacity).toBe(2n);
  });

  it('slashes collateral (part to the reporter, the rest burned) and ejects when seats are no longer backed', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const ops = await addOperators(client, system, Array(16).fill(2n));
    await drawCommittee(client, system);
    const victim = ops[0]!;
    const reporter = testAccount('reporter');
    const sharesBefore = (await client.readContract({
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'totalShares',
    })) as bigint;
    await regTx(ROLES.evidence, 'slash', [victim.address, parseEther('0.5'), reporter.address, 2000n]);
    const afterSlash = (await reg('operatorOf', [victim.address])) as {
      collateralEther: bigint;
      ejected: boolean;
      capacity: bigint;
    };
    expect(afterSlash.ejected).toBe(false);
    expect(afterSlash.capacity).toBe(0n); // 1.5 divETH - 1 seat
    const [slashed] = await client.getContractEvents({
      address: system.operatorRegistry,
      abi: operatorRegistryAbi,
      eventName: 'OperatorSlashed',
    });
    const { takenShares, reporterShares, takenEther } = slashed!.args;
    expect(takenEther).toBe(parseEther('0.5'));
    expect(reporterShares).toBe((takenShares! * 2000n) / 10_000n);
    expect(
      await client.readContract({
        address: system.divETH,
        abi: divETHAbi,
        functionName: 'sharesOf',
        args: [reporter.address],
      }),
    ).toBe(reporterShares);
    const sharesAfter = (await client.readContract({
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'totalShares',
    })) as bigint;
    expect(sharesBefore - sharesAfter).toBe(takenShares! - reporterShares!);
    // A second slash leaves 0.7 divETH for one seat: ejected.
    await regTx(ROLES.evidence, 'slash', [victim.address, parseEther('0.8'), reporter.address, 0n]);
    const ejected = (await reg('operatorOf', [victim.address])) as { ejected: boolean };
    expect(ejected.ejected).toBe(true);
    expect(await reg('isActiveOperator', [victim.address])).toBe(false);
    expect(await reg('activeOperatorCount')).toBe(15n);
    // An ejected operator holding a seat can't take its collateral out yet.
    expect((await expectRevert(() => regTx(victim, 'withdrawCollateral', [parseEther('0.1')]))).name).toBe(
      'CollateralLocked',
    );
  });

  it('lets anyone eject an under-collateralized operator, and no one else', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const ops = await addOperators(client, system, Array(16).fill(1n));
    await drawCommittee(client, system);
    const target = ops[3]!;
    const healthy = await expectRevert(() =>
      regTx(ROLES.dkgResult, 'ejectUndercollateralized', [target.address]),
    );
    expect(healthy.name).toBe('NotUndercollateralized');
    for (const [fn, args] of [
      ['slash', [target.address, 1n, target.address, 0n]],
      ['eject', [target.address]],
      ['reserveSeat', [target.address]],
      ['releaseSeat', [target.address]],
      ['distributeRewards', [1n]],
    ] as const) {
      expect(await expectRevert(() => regTx(target, fn, args))).toEqual({
        name: 'Unauthorized',
        args: [target.address],
      });
    }
    expect(
      (
        await expectRevert(() =>
          regTx(ROLES.evidence, 'slash', [target.address, 1n, target.address, 10_001n]),
        )
      ).name,
    ).toBe('InvalidBps');
  });

  it('refuses collateral from an ejected operator', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const [op] = await addOperators(client, system, [1n]);
    await regTx(ROLES.evidence, 'eject', [op!.address]);
    await stake(client, system, op!, parseEther('1'));
    await tx(client, {
      account: op,
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'approve',
      args: [system.operatorRegistry, maxUint256],
    });
    expect(await expectRevert(() => regTx(op, 'depositCollateral', [parseEther('1')]))).toEqual({
      name: 'OperatorIsEjected',
      args: [op!.address],
    });
    // With no seat, the ejected operator may take all of its collateral back.
    await regTx(op, 'withdrawCollateral', [parseEther('0.999')]);
  });
});
