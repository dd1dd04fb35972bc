// ExitRequests on Anvil with the EIP-7002 withdrawal request contract installed at its canonical address
// (Anvil 1.7.1 lacks it): an ejection that cannot be repaired, or a withdrawal shortfall (deployed by
// deployDiva), requests the exit (event for the committee's voluntary exit, draw marked Exited), and
// anyone can then trigger the exit through EIP-7002 from the withdrawal credentials' owner, paying the fee.
import { type Address, getAddress, type Hex, parseEther, parseEventLogs, slice } from 'viem';
import { describe, expect, it } from 'vitest';
import { confirmByQuorum, signWithdrawalCredentialsConfirmation } from '../src/actions/confirm-by-quorum.ts';
import { requestShortfallExit } from '../src/actions/request-shortfall-exit.ts';
import {
  committeeDrawAbi,
  divETHAbi,
  evidenceSlasherAbi,
  exitRequestsAbi,
  withdrawalQueueAbi,
} from '../src/generated/index.ts';
import { type AnvilClient, createAnvilClient, DEV_ACCOUNT, send, useAnvil } from './helpers/anvil.ts';
import { expectRevert } from './helpers/crypto-errors.ts';
import { recordGas } from './helpers/crypto-gas.ts';
import {
  installWithdrawalRequests,
  readWithdrawalRequests,
  WITHDRAWAL_REQUESTS,
} from './helpers/crypto-syscontracts.ts';
import {
  createValidator,
  deploySystem,
  type System,
  signProposalAs,
  type Validator,
} from './helpers/crypto-system.ts';

const STRANGER = getAddress('0x90f79bf6eb2c4f870365e785982e1f101e93b906'); // anvil account 3

describe('ExitRequests', () => {
  const chain = useAnvil({
    setup: async (client: AnvilClient) => {
      // 17 operators: one outside the committee, so the second ejection finds no replacement
      const sys = await deploySystem(client, { operatorCount: 17, exitsOwnCredentials: true });
      const validator = await createValidator(client, sys);
      return { sys, validator };
    },
  });
  const sys = (): System => chain.context().sys;
  const v = (): Validator => chain.context().validator;
  const client = () => chain.client();
  const exits = (functionName: string, args: unknown[], extra: Record<string, unknown> = {}) =>
    send(client(), {
      address: sys().exits,
      abi: exitRequestsAbi,
      functionName,
      args,
      chain: null,
      ...extra,
    } as never);
  const reasonOf = (drawId: bigint) =>
    client().readContract({
      address: sys().exits,
      abi: exitRequestsAbi,
      functionName: 'exitReasonOf',
      args: [drawId],
    });

  async function ejectLeader(leader: Address) {
    const p = (b: string) => ({
      instance: `0x${'cd'.repeat(32)}` as Hex,
      round: 1n,
      valueRoot: `0x${b.repeat(32)}` as Hex,
    });
    const sign = (m: ReturnType<typeof p>) => signProposalAs(sys(), leader, m);
    return send(client(), {
      address: sys().evidence,
      abi: evidenceSlasherAbi,
      functionName: 'proveEquivocatingLeader',
      args: [v().drawId, p('01'), await sign(p('01')), p('02'), await sign(p('02'))],
      chain: null,
    } as never);
  }

  it('requests the exit when an ejected member cannot be replaced, then exits through EIP-7002', async () => {
    await installWithdrawalRequests(client());
    await ejectLeader(v().committee[0]!); // replaced by the one operator outside
    expect(await reasonOf(v().drawId)).toBe(0);
    const receipt = await ejectLeader(v().committee[1]!); // nobody left to draw
    const requested = parseEventLogs({
      abi: exitRequestsAbi,
      logs: receipt.logs,
      eventName: 'ExitRequested',
    });
    expect(requested).toHaveLength(1);
    expect(requested[0]!.args).toMatchObject({
      drawId: v().drawId,
      pubkey: v().pubkey,
      reason: 2,
      requester: sys().evidence,
    });
    expect(
      await client().readContract({
        address: sys().draw,
        abi: committeeDrawAbi,
        functionName: 'statusOf',
        args: [v().drawId],
      }),
    ).toBe(5);

    const fee = (await client().readContract({
      address: sys().exits,
      abi: exitRequestsAbi,
      functionName: 'withdrawalRequestFee',
    })) as bigint;
    expect(fee).toBe(1n);
    expect(
      await expectRevert(() => exits('triggerExit', [v().drawId], { value: 0n, account: STRANGER })),
    ).toEqual({
      name: 'FeeTooLow',
      args: [1n, 0n],
    });
    const balanceBefore = await client().getBalance({ address: STRANGER });
    const trigger = await exits('triggerExit', [v().drawId], { value: 1000n, account: STRANGER });
    recordGas('triggerExit (EIP-7002 request, fee read + refund)', trigger.gasUsed);
    // paid the 1 wei fee and gas; the other 999 wei came back
    expect(await client().getBalance({ address: STRANGER })).toBe(
      balanceBefore - 1n - trigger.gasUsed * trigger.effectiveGasPrice,
    );
    // the 7002 contract logged and queued: source (the credentials' owner) ‖ pubkey ‖ amount 0 (full exit)
    const log = trigger.logs.find((l) => l.address.toLowerCase() === WITHDRAWAL_REQUESTS.toLowerCase())!;
    expect(log.data).toBe(`${sys().exits.toLowerCase()}${v().pubkey.slice(2)}${'00'.repeat(8)}`);
    const queued = await readWithdrawalRequests(client());
    expect(slice(queued, 0, 20)).toBe(sys().exits.toLowerCase());
    expect(slice(queued, 20, 68)).toBe(v().pubkey);
    expect(slice(queued, 68, 76)).toBe(`0x${'00'.repeat(8)}`);
  });

  it('lets only wired requesters request, once per validator, for a known validator and reason', async () => {
    expect(await expectRevert(() => exits('requestExit', [v().drawId, 3], { account: STRANGER }))).toEqual({
      name: 'NotRequester',
      args: [STRANGER],
    });
    expect(await expectRevert(() => exits('requestExit', [v().drawId, 0]))).toEqual({
      name: 'BadReason',
      args: [0],
    });
    expect(await expectRevert(() => exits('requestExit', [v().drawId + 9n, 3]))).toEqual({
      name: 'NoValidator',
      args: [v().drawId + 9n],
    });
    const receipt = await exits('requestExit', [v().drawId, 3]);
    recordGas('requestExit (event + draw marked Exited)', receipt.gasUsed);
    expect(
      parseEventLogs({ abi: exitRequestsAbi, logs: receipt.logs, eventName: 'ExitRequested' })[0]!.args,
    ).toMatchObject({
      reason: 3,
      requester: DEV_ACCOUNT,
      pubkey: v().pubkey,
    });
    expect(await expectRevert(() => exits('requestExit', [v().drawId, 1]))).toEqual({
      name: 'ExitAlreadyRequested',
      args: [v().drawId, 3],
    });
    expect(await expectRevert(() => exits('wire', [[STRANGER]]))).toEqual({ name: 'AlreadyWired', args: [] });
    expect(await expectRevert(() => exits('wire', [[STRANGER]], { account: STRANGER }))).toEqual({
      name: 'NotDeployer',
      args: [STRANGER],
    });
  });

  it('still requests the exit (for the committee) when the withdrawal queue already marked the draw exited', async () => {
    const queue = sys().withdrawalQueue;
    await client().impersonateAccount({ address: queue });
    await client().setBalance({ address: queue, value: 10n ** 18n });
    await send(client(), {
      address: sys().draw,
      abi: committeeDrawAbi,
      functionName: 'markExited',
      args: [v().drawId],
      account: queue,
      chain: null,
    } as never);
    await client().stopImpersonatingAccount({ address: queue });
    // an ejection that now finds no replacement (the draw is exited) requests the exit without reverting
    const receipt = await ejectLeader(v().committee[0]!);
    const requested = parseEventLogs({
      abi: exitRequestsAbi,
      logs: receipt.logs,
      eventName: 'ExitRequested',
    });
    expect(requested.map((l) => l.args.reason)).toEqual([2]);
    expect(await reasonOf(v().drawId)).toBe(2);
  });

  it('refuses to trigger an exit that was not requested, or where the chain has no EIP-7002 contract', async () => {
    expect(await expectRevert(() => exits('triggerExit', [v().drawId], { value: 10n }))).toEqual({
      name: 'ExitNotRequested',
      args: [v().drawId],
    });
    await exits('requestExit', [v().drawId, 4]);
    expect(await expectRevert(() => exits('triggerExit', [v().drawId], { value: 10n }))).toEqual({
      name: 'WithdrawalRequestsUnavailable',
      args: [],
    });
  });
});

describe('a withdrawal shortfall through deployDiva', () => {
  const chain = useAnvil({
    setup: async (client: AnvilClient) => {
      // deployDiva with `beacon`: its own wiring only (no extra requester), the pool owns the credentials
      const sys = await deploySystem(client, { operatorCount: 17, viaDeployDiva: true });
      const validator = await createValidator(client, sys);
      // Its other 31 ETH confirmed by a quorum (11 of the 16 seats): only a funded validator may exit.
      const withdrawalCredentials = (await client.readContract({
        address: sys.divETH,
        abi: divETHAbi,
        functionName: 'withdrawalCredentials',
      })) as Hex;
      const confirmations = await Promise.all(
        validator.committee.slice(0, 11).map(async (signer) => ({
          signer,
          signature: await signWithdrawalCredentialsConfirmation(
            sys.byAddress.get(signer.toLowerCase())!.account,
            {
              dkgResultRegistry: sys.results,
              chainId: await client.getChainId(),
              drawId: validator.drawId,
              validatorPubkey: validator.pubkey,
              validatorIndex: 7n,
              withdrawalCredentials,
            },
          ),
        })),
      );
      await client.waitForTransactionReceipt({
        hash: await confirmByQuorum(client, {
          dkgResultRegistry: sys.results,
          drawId: validator.drawId,
          validatorIndex: 7n,
          depositSignature: validator.signature,
          confirmations,
        }),
      });
      return { sys, validator };
    },
  });

  it('requests the exit from ExitRequests, which anyone then triggers through EIP-7002 via divETH', async () => {
    const { sys, validator } = chain.context();
    const client = chain.client();
    const as = { chain: null } as const;
    // 32 ETH more staked and reserved by a draw request, then a withdrawal the buffer cannot pay.
    await send(client, {
      ...as,
      address: sys.divETH,
      abi: divETHAbi,
      functionName: 'deposit',
      value: parseEther('32'),
    } as never);
    await send(client, {
      ...as,
      address: sys.draw,
      abi: committeeDrawAbi,
      functionName: 'requestDraw',
    } as never);
    await send(client, {
      ...as,
      address: sys.divETH,
      abi: divETHAbi,
      functionName: 'approve',
      args: [sys.withdrawalQueue, parseEther('60')],
    } as never);
    // No shortfall yet: the action surfaces the contract's refusal.
    const shortfallExit = () =>
      requestShortfallExit(createAnvilClient(chain.anvil().url, STRANGER), {
        withdrawalQueue: sys.withdrawalQueue,
        drawId: validator.drawId,
      });
    expect((await expectRevert(shortfallExit)).name).toBe('NoShortfall');
    await send(client, {
      ...as,
      address: sys.withdrawalQueue,
      abi: withdrawalQueueAbi,
      functionName: 'requestWithdrawal',
      args: [parseEther('60')],
    } as never);
    const [missing] = (await client.readContract({
      address: sys.withdrawalQueue,
      abi: withdrawalQueueAbi,
      functionName: 'shortfall',
    })) as readonly [bigint, bigint];
    expect(missing).toBeGreaterThan(0n);
    const receipt = await client.waitForTransactionReceipt({ hash: await shortfallExit() });
    expect(receipt.status).toBe('success');
    recordGas('requestShortfallExit (16 seats released, ExitRequests.requestExit)', receipt.gasUsed);
    const requested = parseEventLogs({
      abi: exitRequestsAbi,
      logs: receipt.logs,
      eventName: 'ExitRequested',
    });
    expect(requested).toHaveLength(1);
    expect(requested[0]!.address.toLowerCase()).toBe(sys.exits.toLowerCase());
    expect(requested[0]!.args).toEqual({
      drawId: validator.drawId,
      pubkey: validator.pubkey,
      reason: 4,
      requester: getAddress(sys.withdrawalQueue),
    });
    expect(
      await client.readContract({
        address: sys.exits,
        abi: exitRequestsAbi,
        functionName: 'exitReasonOf',
        args: [validator.drawId],
      }),
    ).toBe(4);
    expect(
      await client.readContract({
        address: sys.draw,
        abi: committeeDrawAbi,
        functionName: 'statusOf',
        args: [validator.drawId],
      }),
    ).toBe(5); // Exited

    await installWithdrawalRequests(client);
    const trigger = await send(client, {
      ...as,
      address: sys.exits,
      abi: exitRequestsAbi,
      functionName: 'triggerExit',
      args: [validator.drawId],
      value: 1n,
      account: STRANGER,
    } as never);
    expect(
      parseEventLogs({ abi: exitRequestsAbi, logs: trigger.logs, eventName: 'ExitTriggered' })[0]!.args,
    ).toEqual({ drawId: validator.drawId, pubkey: validator.pubkey, fee: 1n });
    // queued by the 7002 contract: source divETH (the credentials' owner) ‖ pubkey ‖ amount 0 (full exit)
    const queued = await readWithdrawalRequests(client);
    expect(slice(queued, 0, 20)).toBe(sys.divETH.toLowerCase());
    expect(slice(queued, 20, 68)).toBe(validator.pubkey);
    expect(slice(queued, 68, 76)).toBe(`0x${'00'.repeat(8)}`);
  });

  it('wires only the evidence contract and the withdrawal queue as exit requesters', async () => {
    const { sys } = chain.context();
    const isRequester = (address: Address) =>
      chain.client().readContract({
        address: sys.exits,
        abi: exitRequestsAbi,
        functionName: 'isRequester',
        args: [address],
      });
    expect(await isRequester(sys.evidence)).toBe(true);
    expect(await isRequester(sys.withdrawalQueue)).toBe(true);
    expect(await isRequester(sys.accounting)).toBe(false);
    expect(await isRequester(DEV_ACCOUNT)).toBe(false);
  });
});
