// CommitteeDraw through the real request/finalize path on mined blocks: the committee is the
// registry's weighted selection seeded by the target block's prevrandao (read from its verified RLP
// header), seats are reserved at once, expiry releases them, redraws work, and every refusal is a
// custom error.
import { encodeAbiParameters, keccak256, parseEther, toRlp } from 'viem';
import { describe, expect, it } from 'vitest';
import { getBlockHeaderRlp } from '../src/block-header.ts';
import { committeeDrawAbi, divETHAbi, operatorRegistryAbi } from '../src/generated/index.ts';
import { useAnvil } from './helpers/anvil.ts';
import { expectRevert } from './helpers/crypto-errors.ts';
import {
  addOperators,
  committeeOf,
  deploySystem,
  drawCommittee,
  finalizeDraw,
  ROLES,
  stake,
  testAccount,
  tx,
} from './helpers/system.ts';

const SEATS = [1n, 2n, 3n, 1n, 2n, 5n, 1n, 1n, 4n, 2n, 1n, 3n, 1n, 2n, 1n, 1n, 2n, 3n, 1n, 6n];

describe('CommitteeDraw', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client, { dkgTimeoutBlocks: 10n });
      const operators = await addOperators(client, system, SEATS);
      const staker = testAccount('staker');
      await client.setBalance({ address: staker.address, value: parseEther('1000') });
      await stake(client, system, staker, parseEther('64'));
      return { system, operators, staker };
    },
  });
  const reg = (functionName: string, args: readonly unknown[] = []) =>
    chain.client().readContract({
      address: chain.context().system.operatorRegistry,
      abi: operatorRegistryAbi,
      functionName,
      args,
    } as never) as Promise<unknown>;

  it('draws 16 distinct operators seeded by the target block prevrandao and reserves their seats', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const drawId = await drawCommittee(client, system);
    const draw = await client.readContract({
      address: system.committeeDraw,
      abi: committeeDrawAbi,
      functionName: 'getDraw',
      args: [drawId],
    });
    const block = await client.getBlock({ blockNumber: draw.targetBlock });
    const expectedSeed = keccak256(
      encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [block.mixHash, drawId]),
    );
    expect(draw.seed).toBe(expectedSeed);
    expect(draw.status).toBe(2); // Drawn
    const committee = await committeeOf(client, system, drawId);
    expect(committee).toHaveLength(16);
    expect(new Set(committee).size).toBe(16);
    // Same selection as the view function with that seed, before seats were taken.
    for (const member of committee) expect(await reg('keySharesOf', [member])).toBe(1n);
    expect(await reg('totalKeyShares')).toBe(16n);
    expect(await reg('activeOperatorCount')).toBe(16n);
  });

  it('selects exactly what selectOperators returns for the seed before reservation', async () => {
    const client = chain.client();
    const { system } = chain.context();
    await tx(client, { address: system.committeeDraw, abi: committeeDrawAbi, functionName: 'requestDraw' });
    const target = (
      await client.readContract({
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'getDraw',
        args: [1n],
      })
    ).targetBlock;
    await client.mine({ blocks: 3 });
    const block = await client.getBlock({ blockNumber: target });
    const seed = keccak256(
      encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [block.mixHash, 1n]),
    );
    const preview = await reg('selectOperators', [seed, 16n, []]);
    await finalizeDraw(client, system, 1n);
    expect(await committeeOf(client, system, 1n)).toEqual(preview);
  });

  it('refuses to finalize before the target block, with a wrong header, or twice', async () => {
    const client = chain.client();
    const { system } = chain.context();
    await tx(client, { address: system.committeeDraw, abi: committeeDrawAbi, functionName: 'requestDraw' });
    const header = await getBlockHeaderRlp(client, { blockNumber: await client.getBlockNumber() });
    const early = await expectRevert(() =>
      tx(client, {
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'finalizeDraw',
        args: [1n, header],
      }),
    );
    expect(early.name).toBe('TargetBlockNotReached');
    await client.mine({ blocks: 3 });
    // The header of another block: its number is not the target.
    const wrong = await expectRevert(() =>
      tx(client, {
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'finalizeDraw',
        args: [1n, header],
      }),
    );
    expect(wrong.name).toBe('InvalidBlockHeader');
    // A forged header with the right number but a chosen prevrandao does not hash to BLOCKHASH.
    const target = (
      await client.readContract({
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'getDraw',
        args: [1n],
      })
    ).targetBlock;
    const real = await getBlockHeaderRlp(client, { blockNumber: target });
    const { fromRlp } = await import('viem');
    const fields = fromRlp(real) as `0x${string}`[];
    fields[13] = `0x${'ab'.repeat(32)}`;
    const forged = await expectRevert(() =>
      tx(client, {
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'finalizeDraw',
        args: [1n, toRlp(fields)],
      }),
    );
    expect(forged.name).toBe('InvalidBlockHeader');
    await finalizeDraw(client, system, 1n);
    const twice = await expectRevert(() =>
      tx(client, {
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'finalizeDraw',
        args: [1n, real],
      }),
    );
    expect(twice.name).toBe('InvalidStatus');
    expect(twice.args).toEqual([1n, 2]);
  });

  it('needs 32 free buffered ETH per draw', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const available = (await client.readContract({
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'availableForDraws',
    })) as bigint;
    const possible = available / parseEther('32');
    expect(possible).toBeGreaterThanOrEqual(2n);
    for (let i = 0n; i < possible; i++) {
      await tx(client, { address: system.committeeDraw, abi: committeeDrawAbi, functionName: 'requestDraw' });
    }
    const error = await expectRevert(() =>
      tx(client, { address: system.committeeDraw, abi: committeeDrawAbi, functionName: 'requestDraw' }),
    );
    expect(error.name).toBe('InsufficientBuffer');
    expect(error.args).toEqual([available - possible * parseEther('32'), parseEther('32')]);
  });

  it('expires a committee without a DKG result, releasing seats and ETH, and redraws it', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const drawId = await drawCommittee(client, system);
    const early = await expectRevert(() =>
      tx(client, {
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'expire',
        args: [drawId],
      }),
    );
    expect(early.name).toBe('DkgNotTimedOut');
    await client.mine({ blocks: 11 });
    const reservedBefore = (await client.readContract({
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'reservedForDraws',
    })) as bigint;
    await tx(client, {
      address: system.committeeDraw,
      abi: committeeDrawAbi,
      functionName: 'expire',
      args: [drawId],
    });
    expect(await reg('totalKeyShares')).toBe(0n);
    expect(
      await client.readContract({ address: system.divETH, abi: divETHAbi, functionName: 'reservedForDraws' }),
    ).toBe(reservedBefore - parseEther('32'));
    await tx(client, {
      address: system.committeeDraw,
      abi: committeeDrawAbi,
      functionName: 'redraw',
      args: [drawId],
    });
    await finalizeDraw(client, system, drawId);
    expect(await committeeOf(client, system, drawId)).toHaveLength(16);
    expect(await reg('totalKeyShares')).toBe(16n);
  });

  it('lets only the DKG-result role approve, and only a Drawn committee', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const drawId = await drawCommittee(client, system);
    const stranger = await expectRevert(() =>
      tx(client, {
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'markApproved',
        args: [drawId],
      }),
    );
    expect(stranger.name).toBe('Unauthorized');
    await tx(client, {
      account: ROLES.dkgResult,
      address: system.committeeDraw,
      abi: committeeDrawAbi,
      functionName: 'markApproved',
      args: [drawId],
    });
    const again = await expectRevert(() =>
      tx(client, {
        account: ROLES.dkgResult,
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'markApproved',
        args: [drawId],
      }),
    );
    expect(again.name).toBe('InvalidStatus');
    const expire = await expectRevert(() =>
      tx(client, {
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'expire',
        args: [drawId],
      }),
    );
    expect(expire.name).toBe('InvalidStatus');
  });

  it('replaces an ejected member with an operator outside the committee and asks for a reshare', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const drawId = await drawCommittee(client, system);
    const committee = await committeeOf(client, system, drawId);
    const ejected = committee[4]!;
    const notEjected = await expectRevert(() =>
      tx(client, {
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'drawReplacement',
        args: [drawId, ejected],
      }),
    );
    expect(notEjected.name).toBe('NotEjected');
    await tx(client, {
      account: ROLES.evidence,
      address: system.operatorRegistry,
      abi: operatorRegistryAbi,
      functionName: 'eject',
      args: [ejected],
    });
    // The pick depends on the including block's prevrandao, so gas can differ from the estimate.
    await tx(client, {
      address: system.committeeDraw,
      abi: committeeDrawAbi,
      functionName: 'drawReplacement',
      args: [drawId, ejected],
      gas: 3_000_000n,
    });
    const after = await committeeOf(client, system, drawId);
    expect(after[4]).not.toBe(ejected);
    expect(committee).not.toContain(after[4]);
    expect(new Set(after).size).toBe(16);
    expect(await reg('keySharesOf', [ejected])).toBe(0n);
    expect(await reg('keySharesOf', [after[4]])).toBe(1n);
    const logs = await client.getContractEvents({
      address: system.committeeDraw,
      abi: committeeDrawAbi,
      eventName: 'ReshareRequested',
    });
    expect(logs).toHaveLength(1);
    expect(logs[0]!.args.shareIndex).toBe(5n);
  });

  it('refuses a draw when fewer operators than the committee size have capacity', async () => {
    const client = chain.client();
    const { system, operators } = chain.context();
    const eject = async (op: (typeof operators)[number]) =>
      tx(client, {
        account: ROLES.evidence,
        address: system.operatorRegistry,
        abi: operatorRegistryAbi,
        functionName: 'eject',
        args: [op.address],
      });
    // Eject four operators: 16 with capacity remain, a request is accepted.
    for (const op of operators.slice(0, 4)) await eject(op);
    await tx(client, { address: system.committeeDraw, abi: committeeDrawAbi, functionName: 'requestDraw' });
    // One more before the draw: 15 remain, the draw is refused, and so is a new request.
    await eject(operators[4]!);
    const error = await expectRevert(() => finalizeDraw(client, system, 1n));
    expect(error.name).toBe('NotEnoughOperators');
    expect(error.args).toEqual([15n, 16n]);
    const request = await expectRevert(() =>
      tx(client, { address: system.committeeDraw, abi: committeeDrawAbi, functionName: 'requestDraw' }),
    );
    expect(request).toEqual({ name: 'NotEnoughOperators', args: [15n, 16n] });
  });
});
