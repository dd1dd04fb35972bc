// A draw request whose target block leaves the verifiable history: finalizeDraw works up to 8,191
// blocks after the target (the header is checked through the real EIP-2935 history contract), is
// refused with TargetBlockUnavailable from 8,192 on, and then anyone may redraw the request, which
// keeps its single 32 ETH reservation and gets a valid committee from a new target block.
// Its own Anvil with fast mining (test/helpers/long-chain.ts says why and what was measured).
import { encodeAbiParameters, keccak256, parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { getBlockHeaderRlp } from '../src/block-header.ts';
import { committeeDrawAbi, divETHAbi, errorsAbi, operatorRegistryAbi } from '../src/generated/index.ts';
import { useAnvil } from './helpers/anvil.ts';
import { expectRevert } from './helpers/crypto-errors.ts';
import { FAST_MINING_ARGS, HISTORY_STORAGE_ADDRESS, mineLongGap } from './helpers/long-chain.ts';
import {
  addOperators,
  committeeOf,
  deploySystem,
  finalizeDraw,
  stake,
  testAccount,
  tx,
} from './helpers/system.ts';

const HISTORY_WINDOW = 8191n;
const SEATS = Array.from({ length: 18 }, (_, i) => BigInt(1 + (i % 3)));
const REQUESTED = 1;
const DRAWN = 2;

describe('CommitteeDraw: a request past the history window', () => {
  const chain = useAnvil({
    args: FAST_MINING_ARGS,
    setup: async (client) => {
      const system = await deploySystem(client);
      await addOperators(client, system, SEATS);
      const staker = testAccount('stale-staker');
      await client.setBalance({ address: staker.address, value: parseEther('1000') });
      await stake(client, system, staker, parseEther('64'));
      return { system };
    },
  });

  it('finalizes 8,191 blocks after the target, refuses at 8,192 with TargetBlockUnavailable, then redraws', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const draw = (drawId: bigint) =>
      client.readContract({
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'getDraw',
        args: [drawId],
      });
    const divEth = (functionName: 'reservedForDraws' | 'availableForDraws') =>
      client.readContract({ address: system.divETH, abi: divETHAbi, functionName });
    const registry = (functionName: 'totalKeyShares' | 'keySharesOf', args: readonly unknown[] = []) =>
      client.readContract({
        address: system.operatorRegistry,
        abi: operatorRegistryAbi,
        functionName,
        args,
      } as never) as Promise<bigint>;
    const call = (functionName: 'finalizeDraw' | 'redraw' | 'cancel', args: readonly unknown[]) =>
      // eth_call at `latest` runs with block.number = the latest block (checked on Anvil 1.7.1).
      client.simulateContract({
        address: system.committeeDraw,
        abi: [...committeeDrawAbi, ...errorsAbi],
        functionName,
        args,
      } as never);

    const availableBefore = await divEth('availableForDraws');
    await tx(client, { address: system.committeeDraw, abi: committeeDrawAbi, functionName: 'requestDraw' });
    const target = (await draw(1n)).targetBlock;
    expect(await divEth('reservedForDraws')).toBe(parseEther('32'));

    // Mine the target's child with the history contract in place (it stores the target's hash),
    // then the long gap: the latest block becomes target + 8,190.
    await client.mine({ blocks: Number(target + 1n - (await client.getBlockNumber())) });
    const historyCode = await client.getCode({ address: HISTORY_STORAGE_ADDRESS });
    await mineLongGap(client, Number(HISTORY_WINDOW - 2n));
    expect(await client.getBlockNumber()).toBe(target + HISTORY_WINDOW - 1n);
    expect(await client.getCode({ address: HISTORY_STORAGE_ADDRESS })).toBe(historyCode);
    const header = await getBlockHeaderRlp(client, { blockNumber: target });

    // Not stale yet: redraw is refused while the target can still be verified.
    const early = await expectRevert(() => call('redraw', [1n]));
    expect(early).toEqual({ name: 'InvalidStatus', args: [1n, REQUESTED] });

    // At exactly 8,191 blocks the header is verified through EIP-2935 (BLOCKHASH serves only 256).
    const snapshot = await client.snapshot();
    const hash = await tx(client, {
      address: system.committeeDraw,
      abi: committeeDrawAbi,
      functionName: 'finalizeDraw',
      args: [1n, header],
    });
    const receipt = await client.getTransactionReceipt({ hash });
    expect(receipt.blockNumber - target).toBe(HISTORY_WINDOW);
    expect((await draw(1n)).status).toBe(DRAWN);
    expect(new Set(await committeeOf(client, system, 1n)).size).toBe(16);
    await client.revert({ id: snapshot });

    // At 8,192 blocks: the target block is out of reach, and redraw is allowed.
    await client.mine({ blocks: 1 });
    expect(await client.getBlockNumber()).toBe(target + HISTORY_WINDOW);
    expect(await expectRevert(() => call('redraw', [1n]))).toEqual({
      name: 'InvalidStatus',
      args: [1n, REQUESTED],
    });
    expect(await expectRevert(() => call('cancel', [1n]))).toEqual({
      name: 'InvalidStatus',
      args: [1n, REQUESTED],
    });
    await client.mine({ blocks: 1 });
    expect(await client.getBlockNumber()).toBe(target + HISTORY_WINDOW + 1n);
    const unavailable = await expectRevert(() =>
      tx(client, {
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'finalizeDraw',
        args: [1n, header],
      }),
    );
    expect(unavailable).toEqual({ name: 'TargetBlockUnavailable', args: [1n, target] });
    // Instead of a redraw, anyone may cancel it: its 32 ETH go back to the buffer.
    const beforeCancel = await client.snapshot();
    await tx(client, {
      address: system.committeeDraw,
      abi: committeeDrawAbi,
      functionName: 'cancel',
      args: [1n],
    });
    expect((await draw(1n)).status).toBe(7); // Cancelled
    expect(await divEth('reservedForDraws')).toBe(0n);
    await client.revert({ id: beforeCancel });

    const redrawHash = await tx(client, {
      address: system.committeeDraw,
      abi: committeeDrawAbi,
      functionName: 'redraw',
      args: [1n],
    });
    const redrawBlock = (await client.getTransactionReceipt({ hash: redrawHash })).blockNumber;
    const requested = await draw(1n);
    expect(requested.status).toBe(REQUESTED);
    expect(requested.targetBlock).toBe(redrawBlock + 2n); // the deployment's draw delay
    expect(requested.committee).toEqual([]);
    const events = await client.getContractEvents({
      address: system.committeeDraw,
      abi: committeeDrawAbi,
      eventName: 'DrawRequested',
      fromBlock: redrawBlock,
      toBlock: redrawBlock,
    });
    expect(events.map((e) => [e.args.drawId, e.args.targetBlock])).toEqual([[1n, redrawBlock + 2n]]);
    // The request's reservation carries over: still one 32 ETH reservation, none added or lost.
    const reservedEvents = await client.getContractEvents({
      address: system.divETH,
      abi: divETHAbi,
      eventName: 'DrawReserved',
      fromBlock: redrawBlock,
      toBlock: redrawBlock,
    });
    expect(reservedEvents).toEqual([]);
    expect(await divEth('reservedForDraws')).toBe(parseEther('32'));
    expect(await divEth('availableForDraws')).toBe(availableBefore - parseEther('32'));
    expect(await registry('totalKeyShares')).toBe(0n);

    // The new draw finalizes from its own target block: 16 distinct members, one seat each.
    await finalizeDraw(client, system, 1n);
    const drawn = await draw(1n);
    expect(drawn.status).toBe(DRAWN);
    const block = await client.getBlock({ blockNumber: drawn.targetBlock });
    expect(drawn.seed).toBe(
      keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [block.mixHash, 1n])),
    );
    const committee = await committeeOf(client, system, 1n);
    expect(new Set(committee).size).toBe(16);
    for (const member of committee) expect(await registry('keySharesOf', [member])).toBe(1n);
    expect(await registry('totalKeyShares')).toBe(16n);
    expect(await divEth('reservedForDraws')).toBe(parseEther('32'));
    // A drawn committee is no longer stale: redraw is refused.
    expect(await expectRevert(() => call('redraw', [1n]))).toEqual({
      name: 'InvalidStatus',
      args: [1n, DRAWN],
    });
  });
});
