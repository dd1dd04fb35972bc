// The TypeScript side against Anvil: deployDiva stands the whole system up (ours and the DKG-result,
// exits and evidence contracts, wired to each other), the viem actions drive a staker and operators,
// and the watchers see the events the runtime reacts to.
import { type Address, keccak256, type LocalAccount, parseEther, stringToHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { committeeDrawAbi, divETHAbi, exitRequestsAbi, operatorRegistryAbi } from '../src/generated/index.ts';
import {
  claimWithdrawal,
  deployDiva,
  depositCollateral,
  drawReplacement,
  finalizeDraw,
  finalizeWithdrawals,
  getCommittee,
  getOperator,
  registerOperator,
  requestDraw,
  requestWithdrawal,
  signReport,
  stake,
  submitReport,
  watchCommitteeDrawn,
  watchDkgApproved,
  watchExitRequested,
  watchReports,
  watchReshareRequested,
} from '../src/index.ts';
import { createAnvilClient, useAnvil } from './helpers/anvil.ts';
import { deploySystem, ROLES, reportNextFrame, testAccount } from './helpers/system.ts';

async function until<T>(get: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = get();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('deployDiva, actions and watchers', () => {
  const chain = useAnvil({
    setup: async (client) => ({ system: await deploySystem(client, { dkgTimeoutBlocks: 5n }) }),
  });
  const wallet = (account: LocalAccount) => createAnvilClient(chain.anvil().url, account);

  it('deploys and wires the whole system, including the beacon-side contracts', async () => {
    const client = chain.client();
    const deployment = await deployDiva(client, {
      beacon: {
        genesisForkVersion: '0x10000910',
        genesisValidatorsRoot: `0x${'4b'.repeat(32)}`,
        forkVersions: ['0x10000910'],
        forkEpochs: [0n],
      },
    });
    for (const address of [
      deployment.depositContract,
      deployment.dkgResultRegistry,
      deployment.exitRequests,
      deployment.evidenceSlasher,
    ]) {
      expect(await client.getCode({ address: address! })).toMatch(/^0x[0-9a-f]{10,}/);
    }
    const read = async (address: Address, abi: readonly unknown[], functionName: string) =>
      ((await client.readContract({ address, abi, functionName } as never)) as Address).toLowerCase();
    expect(await read(deployment.divETH, divETHAbi, 'dkgResult')).toBe(
      deployment.dkgResultRegistry!.toLowerCase(),
    );
    expect(await read(deployment.operatorRegistry, operatorRegistryAbi, 'evidence')).toBe(
      deployment.evidenceSlasher,
    );
    expect(await read(deployment.committeeDraw, committeeDrawAbi, 'exits')).toBe(
      deployment.exitRequests!.toLowerCase(),
    );
    expect(await read(deployment.exitRequests!, exitRequestsAbi, 'draw')).toBe(
      deployment.committeeDraw!.toLowerCase(),
    );
  });

  it('drives staking, registration, a draw, a report, a replacement and withdrawals through the actions', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const seen = {
      drawn: undefined as bigint | undefined,
      approved: undefined as bigint | undefined,
      reshare: undefined as bigint | undefined,
      exit: undefined as number | undefined,
      report: undefined as bigint | undefined,
    };
    const options = { pollingIntervalMs: 25, fromBlock: system.fromBlock };
    const stops = [
      watchCommitteeDrawn(client, {
        committeeDraw: system.committeeDraw,
        ...options,
        onEvent: (e) => (seen.drawn = e.drawId),
      }),
      watchDkgApproved(client, {
        committeeDraw: system.committeeDraw,
        ...options,
        onEvent: (e) => (seen.approved = e.drawId),
      }),
      watchReshareRequested(client, {
        committeeDraw: system.committeeDraw,
        ...options,
        onEvent: (e) => (seen.reshare = e.shareIndex),
      }),
      watchExitRequested(client, {
        withdrawalQueue: system.withdrawalQueue,
        ...options,
        onEvent: (e) => (seen.exit = e.reason),
      }),
      watchReports(client, {
        accounting: system.accounting,
        ...options,
        onEvent: (e) => (seen.report = e.epoch),
      }),
    ];
    try {
      const staker = testAccount('bind-staker');
      await client.setBalance({ address: staker.address, value: parseEther('100') });
      const stakerWallet = wallet(staker);
      await client.waitForTransactionReceipt({
        hash: await stake(stakerWallet, { divETH: system.divETH, valueWei: parseEther('40') }),
      });
      const operators = Array.from({ length: 17 }, (_, i) => testAccount(`bind-op-${i}`));
      for (const op of operators) {
        await client.setBalance({ address: op.address, value: parseEther('10') });
        const w = wallet(op);
        const wait = async (hash: `0x${string}`) => client.waitForTransactionReceipt({ hash });
        await wait(
          await registerOperator(w, {
            operatorRegistry: system.operatorRegistry,
            encryptionKey: keccak256(stringToHex(op.address)),
            p2pAddresses: ['/ip4/127.0.0.1/tcp/9000'],
          }),
        );
        await wait(await stake(w, { divETH: system.divETH, valueWei: parseEther('2.001') }));
        await wait(
          await w.writeContract({
            address: system.divETH,
            abi: divETHAbi,
            functionName: 'approve',
            args: [system.operatorRegistry, parseEther('2.001')],
            chain: null,
          }),
        );
        await wait(
          await depositCollateral(w, {
            operatorRegistry: system.operatorRegistry,
            amountWei: parseEther('2.0005'),
          }),
        );
      }
      expect(
        (
          await getOperator(client, {
            operatorRegistry: system.operatorRegistry,
            operator: operators[0]!.address,
          })
        ).capacity,
      ).toBe(2n);

      await client.waitForTransactionReceipt({
        hash: await requestDraw(stakerWallet, { committeeDraw: system.committeeDraw }),
      });
      await client.mine({ blocks: 3 });
      await client.waitForTransactionReceipt({
        hash: await finalizeDraw(stakerWallet, { committeeDraw: system.committeeDraw, drawId: 1n }),
      });
      const committee = await getCommittee(client, { committeeDraw: system.committeeDraw, drawId: 1n });
      expect(committee).toHaveLength(16);
      expect(await until(() => seen.drawn, 'CommitteeDrawn')).toBe(1n);
      // A second committee (every operator had 2 seats of capacity).
      await client.waitForTransactionReceipt({
        hash: await requestDraw(stakerWallet, { committeeDraw: system.committeeDraw }),
      });
      await client.mine({ blocks: 3 });
      await client.waitForTransactionReceipt({
        hash: await finalizeDraw(stakerWallet, { committeeDraw: system.committeeDraw, drawId: 2n }),
      });

      await client.writeContract({
        account: ROLES.dkgResult,
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'markApproved',
        args: [1n],
        chain: null,
      });
      expect(await until(() => seen.approved, 'DrawApproved')).toBe(1n);

      // Signed by all active operators (members of either committee; votes weigh seats).
      const second = await getCommittee(client, { committeeDraw: system.committeeDraw, drawId: 2n });
      const members = operators.filter((o) => committee.includes(o.address) || second.includes(o.address));
      const needed = members.length;
      const report = { epoch: 7n, clBalance: 0n, clDepositedEther: 0n, exitedValidators: 0n, penalties: [] };
      const signatures = await Promise.all(
        members.slice(0, needed).map(async (m) => ({
          signer: m.address,
          signature: await signReport(m, { accounting: system.accounting, chainId: 31337, report }),
        })),
      );
      await client.waitForTransactionReceipt({
        hash: await submitReport(stakerWallet, { accounting: system.accounting, report, signatures }),
      });
      expect(await until(() => seen.report, 'ReportAccepted')).toBe(7n);

      // Eject a member; anyone draws its replacement (the one operator outside the committee).
      const ejected = committee[2]!;
      await client.writeContract({
        account: ROLES.evidence,
        address: system.operatorRegistry,
        abi: operatorRegistryAbi,
        functionName: 'eject',
        args: [ejected],
        chain: null,
      });
      await client.waitForTransactionReceipt({
        hash: await drawReplacement(stakerWallet, {
          committeeDraw: system.committeeDraw,
          drawId: 1n,
          ejected,
        }),
      });
      expect(await until(() => seen.reshare, 'ReshareRequested')).toBe(3n);
      const outsider = operators.find((o) => !committee.includes(o.address))!;
      expect((await getCommittee(client, { committeeDraw: system.committeeDraw, drawId: 1n }))[2]).toBe(
        outsider.address,
      );

      // Withdraw: request, finalize, claim; then a shortfall exit.
      await client.waitForTransactionReceipt({
        hash: await stakerWallet.writeContract({
          address: system.divETH,
          abi: divETHAbi,
          functionName: 'approve',
          args: [system.withdrawalQueue, parseEther('40')],
          chain: null,
        }),
      });
      await client.waitForTransactionReceipt({
        hash: await requestWithdrawal(stakerWallet, {
          withdrawalQueue: system.withdrawalQueue,
          amountWei: parseEther('5'),
        }),
      });
      // Finalized at the next frame's report (one whose reference epoch began after the request).
      await reportNextFrame(
        client,
        system,
        members.filter((m) => m.address !== ejected),
      );
      await client.waitForTransactionReceipt({
        hash: await finalizeWithdrawals(stakerWallet, {
          withdrawalQueue: system.withdrawalQueue,
          maxRequests: 10n,
        }),
      });
      const before = await client.getBalance({ address: staker.address });
      const receipt = await client.waitForTransactionReceipt({
        hash: await claimWithdrawal(stakerWallet, { withdrawalQueue: system.withdrawalQueue, requestId: 1n }),
      });
      expect(
        (await client.getBalance({ address: staker.address })) -
          before +
          receipt.gasUsed * receipt.effectiveGasPrice,
      ).toBe(parseEther('5'));
      // Two validators' 64 ETH are reserved: the buffer can no longer pay the queue.
      await client.waitForTransactionReceipt({
        hash: await requestWithdrawal(stakerWallet, {
          withdrawalQueue: system.withdrawalQueue,
          amountWei: parseEther('34'),
        }),
      });
      // Draw 1's validator fully funded (the DKG-result role stands in): only such a validator may exit.
      await client.waitForTransactionReceipt({
        hash: await client.writeContract({
          account: ROLES.dkgResult,
          address: system.divETH,
          abi: divETHAbi,
          functionName: 'fundDeposit',
          args: [1n, parseEther('32')],
          chain: null,
        }),
      });
      await client.waitForTransactionReceipt({
        hash: await stakerWallet.writeContract({
          address: system.withdrawalQueue,
          abi: (await import('../src/generated/index.ts')).withdrawalQueueAbi,
          functionName: 'requestShortfallExit',
          args: [1n],
          chain: null,
        }),
      });
      expect(await until(() => seen.exit, 'ExitRequested')).toBe(4);
    } finally {
      for (const stop of stops) stop();
    }
  });
});
