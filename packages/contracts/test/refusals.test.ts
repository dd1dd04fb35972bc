// The refusals not reached by the flows of the other files: constructor and wiring checks, ETH that
// can't be delivered, views asked for too much, and the draw's stale and foreign-member paths. Each is
// asserted by its custom error and arguments.
import { type Abi, encodeDeployData, getAddress, type Hex, parseEther, zeroAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  accountingAbi,
  accountingBytecode,
  committeeDrawAbi,
  committeeDrawBytecode,
  divETHAbi,
  errorsAbi,
  operatorRegistryAbi,
  operatorRegistryBytecode,
  wdivETHAbi,
  withdrawalQueueAbi,
  withdrawalQueueBytecode,
} from '../src/generated/index.ts';
import { DEV_ACCOUNT, useAnvil } from './helpers/anvil.ts';
import { callRevert, expectRevert } from './helpers/crypto-errors.ts';
import {
  addOperators,
  committeeOf,
  deploySystem,
  drawCommittee,
  ROLES,
  reportNextFrame,
  stake,
  submitReport,
  testAccount,
  tx,
} from './helpers/system.ts';

const alice = testAccount('refusals-alice');
const errors = errorsAbi as unknown as Abi;

describe('refusals', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client);
      await client.setBalance({ address: alice.address, value: parseEther('1000') });
      await stake(client, system, alice, parseEther('100'));
      const operators = await addOperators(client, system, Array(17).fill(1n), 'refusals-op');
      return { system, operators };
    },
  });
  const deployRevert = (abi: Abi, bytecode: Hex, args: readonly unknown[]) =>
    callRevert(chain.client() as never, errors, {
      account: DEV_ACCOUNT,
      data: encodeDeployData({ abi, bytecode, args } as never),
    });

  it('refuses zero addresses and out-of-range parameters at deployment', async () => {
    const { system } = chain.context();
    expect(await deployRevert(withdrawalQueueAbi as Abi, withdrawalQueueBytecode, [zeroAddress])).toEqual({
      name: 'ZeroAddress',
      args: [],
    });
    expect(
      await deployRevert(operatorRegistryAbi as Abi, operatorRegistryBytecode, [zeroAddress, 1n]),
    ).toEqual({
      name: 'ZeroAddress',
      args: [],
    });
    expect(
      await deployRevert(operatorRegistryAbi as Abi, operatorRegistryBytecode, [system.divETH, 0n]),
    ).toEqual({
      name: 'ZeroAmount',
      args: [DEV_ACCOUNT],
    });
    const draw = (size: bigint, divEth = system.divETH) =>
      deployRevert(committeeDrawAbi as Abi, committeeDrawBytecode, [
        divEth,
        system.operatorRegistry,
        size,
        2n,
        10n,
      ]);
    expect(await draw(16n, zeroAddress)).toEqual({ name: 'ZeroAddress', args: [] });
    expect(await draw(3n)).toEqual({ name: 'InvalidCommitteeSize', args: [3n] });
    expect(await draw(65n)).toEqual({ name: 'InvalidCommitteeSize', args: [65n] });
    const accounting = (args: readonly unknown[]) =>
      deployRevert(accountingAbi as Abi, accountingBytecode, args);
    const frames = { genesisTime: 0n, secondsPerEpoch: 384n, epochsPerFrame: 225n, initialEpoch: 0n };
    expect(await accounting([zeroAddress, system.operatorRegistry, frames, 1000n, 500n, 1000n, 64n])).toEqual(
      {
        name: 'ZeroAddress',
        args: [],
      },
    );
    expect(
      await accounting([system.divETH, system.operatorRegistry, frames, 100_001n, 500n, 1000n, 64n]),
    ).toEqual({
      name: 'InvalidBps',
      args: [100_001n],
    });
    expect(
      await accounting([system.divETH, system.operatorRegistry, frames, 1000n, 10_001n, 1000n, 64n]),
    ).toEqual({
      name: 'InvalidBps',
      args: [10_001n],
    });
    expect(
      await accounting([system.divETH, system.operatorRegistry, frames, 1000n, 500n, 10_001n, 64n]),
    ).toEqual({
      name: 'InvalidBps',
      args: [10_001n],
    });
    // Frames: a zero epoch length, a reference epoch not at a frame start, or one not reached yet.
    for (const bad of [
      { ...frames, secondsPerEpoch: 0n },
      { ...frames, initialEpoch: 1n },
      { ...frames, initialEpoch: 225n * 10n ** 9n },
    ]) {
      expect(
        await accounting([system.divETH, system.operatorRegistry, bad, 1000n, 500n, 1000n, 64n]),
      ).toEqual({
        name: 'InvalidFrames',
        args: [],
      });
    }
  });

  it('wires once, by the deployer only', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const a = alice.address;
    const cases = [
      [system.operatorRegistry, operatorRegistryAbi, [a, a, a]],
      [system.committeeDraw, committeeDrawAbi, [a, a, a]],
      [system.withdrawalQueue, withdrawalQueueAbi, [a, a, a]],
    ] as const;
    for (const [address, abi, args] of cases) {
      expect(await expectRevert(() => tx(client, { address, abi, functionName: 'wire', args }))).toEqual({
        name: 'AlreadyWired',
        args: [],
      });
      expect(
        await expectRevert(() => tx(client, { account: alice, address, abi, functionName: 'wire', args })),
      ).toEqual({
        name: 'Unauthorized',
        args: [a],
      });
    }
  });

  it('refuses transfers to the zero address or to divETH itself', async () => {
    const client = chain.client();
    const { system } = chain.context();
    for (const to of [zeroAddress, system.divETH]) {
      expect(
        await expectRevert(() =>
          tx(client, {
            account: alice,
            address: system.divETH,
            abi: divETHAbi,
            functionName: 'transfer',
            args: [to, 1n],
          }),
        ),
      ).toEqual({ name: 'ZeroAddress', args: [] });
    }
    expect(
      await expectRevert(() =>
        tx(client, {
          account: alice,
          address: system.divETH,
          abi: divETHAbi,
          functionName: 'approve',
          args: [zeroAddress, 1n],
        }),
      ),
    ).toEqual({ name: 'ZeroAddress', args: [] });
  });

  it('reverts a claim whose recipient refuses ETH, and keeps the request claimable', async () => {
    const client = chain.client();
    const { system } = chain.context();
    await tx(client, {
      account: alice,
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'approve',
      args: [system.withdrawalQueue, parseEther('1')],
    });
    await tx(client, {
      account: alice,
      address: system.withdrawalQueue,
      abi: withdrawalQueueAbi,
      functionName: 'requestWithdrawal',
      args: [parseEther('1')],
    });
    // Finalized at the next report: a committee gives it its signers.
    const { operators } = chain.context();
    const members = await committeeOf(client, system, await drawCommittee(client, system));
    await reportNextFrame(
      client,
      system,
      operators.filter((o) => members.includes(o.address)),
    );
    await tx(client, {
      address: system.withdrawalQueue,
      abi: withdrawalQueueAbi,
      functionName: 'finalize',
      args: [1n],
    });
    // wdivETH has no receive function.
    const refused = await expectRevert(() =>
      tx(client, {
        account: alice,
        address: system.withdrawalQueue,
        abi: withdrawalQueueAbi,
        functionName: 'claim',
        args: [1n, system.wdivETH],
      }),
    );
    expect(refused.name).toBe('EtherTransferFailed');
    expect(getAddress(refused.args[0] as string)).toBe(getAddress(system.wdivETH));
    expect(
      await expectRevert(() =>
        tx(client, {
          account: alice,
          address: system.withdrawalQueue,
          abi: withdrawalQueueAbi,
          functionName: 'claim',
          args: [1n, zeroAddress],
        }),
      ),
    ).toEqual({ name: 'ZeroAddress', args: [] });
    await tx(client, {
      account: alice,
      address: system.withdrawalQueue,
      abi: withdrawalQueueAbi,
      functionName: 'claim',
      args: [1n, alice.address],
    });
  });

  it('reverts a deposit funding the DKG-result contract cannot receive', async () => {
    const client = chain.client();
    // A second system whose DKG-result role is a contract without a receive function (wdivETH).
    const { system } = chain.context();
    const { deployDiva } = await import('../src/deploy.ts');
    const other = await deployDiva(client, {
      roles: { dkgResult: system.wdivETH, evidence: ROLES.evidence, exits: ROLES.exits },
    });
    await addOperators(client, other, Array(16).fill(1n), 'refusals-other');
    await stake(client, other, alice, parseEther('32'));
    const drawId = await drawCommittee(client, other);
    await client.impersonateAccount({ address: system.wdivETH });
    await client.setBalance({ address: system.wdivETH, value: parseEther('1') });
    await tx(client, {
      account: system.wdivETH,
      address: other.committeeDraw,
      abi: committeeDrawAbi,
      functionName: 'markApproved',
      args: [drawId],
    });
    const error = await expectRevert(() =>
      tx(client, {
        account: system.wdivETH,
        address: other.divETH,
        abi: divETHAbi,
        functionName: 'fundDeposit',
        args: [drawId, parseEther('1')],
      }),
    );
    expect(error.name).toBe('EtherTransferFailed');
    expect(error.args).toEqual([getAddress(system.wdivETH), parseEther('1')]);
  });

  it('reports a failing EIP-7002 predeploy', async () => {
    const client = chain.client();
    const { system } = chain.context();
    await client.setCode({ address: '0x00000961Ef480Eb55e80D19ad83579A64c007002', bytecode: '0xfe' });
    const pubkey = `0x${'b2'.repeat(48)}` as const;
    expect(
      await expectRevert(() =>
        tx(client, {
          account: ROLES.exits,
          address: system.divETH,
          abi: divETHAbi,
          functionName: 'addWithdrawalRequest',
          args: [pubkey, 5n],
        }),
      ),
    ).toEqual({ name: 'WithdrawalRequestFailed', args: [pubkey, 5n] });
  });

  it('refuses to select more operators than have capacity, and seats that are not there', async () => {
    const client = chain.client();
    const { system, operators } = chain.context();
    const select = (count: bigint) =>
      expectRevert(() =>
        client.readContract({
          address: system.operatorRegistry,
          abi: [...operatorRegistryAbi, ...errorsAbi],
          functionName: 'selectOperators',
          args: [`0x${'11'.repeat(32)}`, count, []],
        }),
      );
    expect(await select(18n)).toEqual({ name: 'NotEnoughCapacity', args: [17n, 18n] });
    await client.impersonateAccount({ address: system.committeeDraw });
    await client.setBalance({ address: system.committeeDraw, value: parseEther('1') });
    expect(
      await expectRevert(() =>
        tx(client, {
          account: system.committeeDraw,
          address: system.operatorRegistry,
          abi: operatorRegistryAbi,
          functionName: 'releaseSeat',
          args: [operators[0]!.address],
        }),
      ),
    ).toEqual({ name: 'NoSeat', args: [operators[0]!.address] });
  });

  it('refuses a replacement for an operator outside the committee', async () => {
    const client = chain.client();
    const { system, operators } = chain.context();
    const drawId = await drawCommittee(client, system);
    const committee = await committeeOf(client, system, drawId);
    const outsider = operators.find((o) => !committee.includes(o.address))!;
    await tx(client, {
      account: ROLES.evidence,
      address: system.operatorRegistry,
      abi: operatorRegistryAbi,
      functionName: 'eject',
      args: [outsider.address],
    });
    expect(
      await expectRevert(() =>
        tx(client, {
          address: system.committeeDraw,
          abi: committeeDrawAbi,
          functionName: 'drawReplacement',
          args: [drawId, outsider.address],
        }),
      ),
    ).toEqual({ name: 'NotInCommittee', args: [drawId, outsider.address] });
  });

  // TargetBlockUnavailable (a target more than 8,191 blocks old) is not exercised: Anvil takes minutes
  // to mine that many blocks. The stale-request redraw shares its condition.
  it('refuses to redraw a request that is still pending', async () => {
    const client = chain.client();
    const { system } = chain.context();
    await tx(client, { address: system.committeeDraw, abi: committeeDrawAbi, functionName: 'requestDraw' });
    const early = await expectRevert(() =>
      tx(client, {
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'redraw',
        args: [1n],
      }),
    );
    expect(early).toEqual({ name: 'InvalidStatus', args: [1n, 1] });
    await client.mine({ blocks: 5 });
    expect(
      await expectRevert(() =>
        tx(client, {
          address: system.committeeDraw,
          abi: committeeDrawAbi,
          functionName: 'redraw',
          args: [1n],
        }),
      ),
    ).toEqual({ name: 'InvalidStatus', args: [1n, 1] });
  });

  it('refuses a report with more than 64 penalties', async () => {
    const client = chain.client();
    const { system, operators } = chain.context();
    await drawCommittee(client, system);
    const penalties = Array.from({ length: 65 }, () => ({ operator: operators[0]!.address, amount: 1n }));
    expect(
      await expectRevert(() =>
        submitReport(
          client,
          system,
          { epoch: 1n, clBalance: 0n, clDepositedEther: 0n, exitedValidators: 0n, penalties },
          operators.slice(0, 11),
        ),
      ),
    ).toEqual({ name: 'TooManyPenalties', args: [65n, 64n] });
  });

  it('refuses ETH sent to wdivETH (no receive) and keeps the vault balance', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const assets = () =>
      client.readContract({ address: system.wdivETH, abi: wdivETHAbi, functionName: 'totalAssets' });
    const before = await assets(); // the seed deposit made at deployment
    await expect(
      client.sendTransaction({ account: alice, to: system.wdivETH, value: 1n, chain: null }),
    ).rejects.toThrow();
    expect(await client.getBalance({ address: system.wdivETH })).toBe(0n);
    expect(await assets()).toBe(before);
  });
});
