// Accounting reports by the operators (src/chain/reports.ts). Real Anvil with the whole system
// deployed (committees of 4, report frames of one 8 s epoch), four operators running reader, source
// and lifecycle (keepers on) over loopback libp2p; 32 ETH staked, so their keepers draw a committee,
// the members run the DKG, the result is accepted and the 31 ETH confirmed by deposit order.
// The beacon side is beacon-api's route handler on a real loopback server per operator, answering
// spec-shaped bodies (genesis = the contract's GENESIS_TIME, 8 slots of 1 s, finality two epochs
// behind the clock, the pool validator at 32 ETH plus 100 gwei a slot): a report needs finalized
// beacon states of validators deposited on this Anvil, which Lodestar cannot produce inside a unit
// test (its genesis would have to be built from these deposits, and finality takes minutes). The
// fourth operator's node answers 1 gwei more: its report differs and the other three (3 of 4 seats,
// ceil(2/3) = 3) still make the quorum. Then a staker's withdrawal request: the nodes' keepers
// finalize it once a report follows it, and the staker claims the payout.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BeaconApi, createBeaconApi, createBeaconNodeClient } from '@diva-dvt/beacon-api';
import { type BeaconApiImplementation, createRouteHandler } from '@diva-dvt/beacon-api/server';
import {
  claimWithdrawal,
  type DivaDeployment,
  requestWithdrawal,
  stake,
  submitReport,
  type WalletClientLike,
} from '@diva-dvt/contracts';
import { accountingAbi, divETHAbi, withdrawalQueueAbi } from '@diva-dvt/contracts/abis';
import { decodeFunctionData, type Hex, parseEther, parseEventLogs } from 'viem';
import {
  getBalance,
  getLogs,
  getTransaction,
  readContract,
  sendTransaction,
  waitForTransactionReceipt,
  writeContract,
} from 'viem/actions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeReportFrame, encodeReportFrame, type Report } from '../../src/chain/report-frame.ts';
import { waitUntil } from '../helpers/p2p.ts';
import { type Agent, deployForTests, logs, registeredAgents, stopAgents } from './agents.ts';
import { type AnvilProcess, startAnvil } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'diva-reports-'));
const SLOTS_PER_EPOCH = 8;
const EL_REWARDS = 1_000_000_000_000n; // 1,000 gwei in the rewards vault
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;

let anvil: AnvilProcess;
const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) await new Promise((resolve) => s.close(resolve));
  await anvil?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** A beacon node answering for the pool validators funded on the chain `pool()` reads. */
async function startBeacon(
  genesisTime: number,
  pool: () => readonly Uint8Array[],
  extraGwei: number,
): Promise<BeaconApi> {
  const checkpoint = (epoch: number) => ({ epoch, root: new Uint8Array(32).fill(epoch % 256) });
  const impl: BeaconApiImplementation = {
    getSpec: () => ({ data: { SECONDS_PER_SLOT: '1', SLOTS_PER_EPOCH: String(SLOTS_PER_EPOCH) }, meta: {} }),
    getGenesis: () => ({
      data: {
        genesisTime,
        genesisValidatorsRoot: new Uint8Array(32),
        genesisForkVersion: Uint8Array.of(0, 0, 0, 1),
      },
      meta: {},
    }),
    getStateFinalityCheckpoints: () => {
      const epoch = Math.floor((Date.now() / 1000 - genesisTime) / SLOTS_PER_EPOCH);
      const finalized = Math.max(0, epoch - 2);
      return {
        data: {
          previousJustified: checkpoint(finalized),
          currentJustified: checkpoint(finalized + 1),
          finalized: checkpoint(finalized),
        },
        meta: { executionOptimistic: false, finalized: false },
      };
    },
    getStateValidators: ({ stateId, ids }) => {
      const slot = Number(stateId);
      const keys = new Set((ids ?? []).map(String));
      const data = pool()
        .filter((k) => keys.has(hex(k)))
        .map((pubkey, i) => ({
          index: 16 + i,
          balance: 32e9 + slot * 100 + extraGwei,
          status: 'active_ongoing' as const,
          validator: {
            pubkey,
            withdrawalCredentials: new Uint8Array(32),
            effectiveBalance: 32e9,
            slashed: false,
            activationEligibilityEpoch: 0,
            activationEpoch: 0,
            exitEpoch: Number.POSITIVE_INFINITY,
            withdrawableEpoch: Number.POSITIVE_INFINITY,
          },
        }));
      return { data, meta: { executionOptimistic: false, finalized: true } };
    },
  };
  const server = createServer(createRouteHandler(impl, { ssz: false }));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return createBeaconApi(createBeaconNodeClient({ url, sszResponses: false }));
}

describe('Accounting reports by the operators', () => {
  let deployment: DivaDeployment;
  let agents: Agent[];
  let admin: WalletClientLike;

  beforeAll(async () => {
    anvil = await startAnvil(['--block-time', '1']);
    ({ admin, deployment } = await deployForTests(anvil.url, {
      reportFrames: { secondsPerEpoch: BigInt(SLOTS_PER_EPOCH), epochsPerFrame: 1n },
      // rewards of 100 gwei a second on ~40 ETH are about 8% a year: within 1,000%
      maxAnnualIncreaseBps: 100_000n,
    }));
    const genesisTime = Number(
      await readContract(admin, {
        address: deployment.accounting,
        abi: accountingAbi,
        functionName: 'GENESIS_TIME',
      }),
    );
    await sendTransaction(admin, {
      to: deployment.executionRewardsVault,
      value: EL_REWARDS,
      chain: admin.chain,
      account: admin.account,
    });
    const pool = () =>
      (agents?.[0]?.reader.state().validators() ?? [])
        .filter((v) => v.validatorIndex !== undefined)
        .map((v) => v.groupPublicKey);
    const beacons = await Promise.all([0, 0, 0, 1].map((extra) => startBeacon(genesisTime, pool, extra)));
    agents = await registeredAgents({
      root,
      url: anvil.url,
      deployment,
      admin,
      count: 4,
      name: 'reports',
      stakeEth: '2',
      collateralEth: '1',
      beacon: (i) => beacons[i],
    });
  }, 60_000);

  afterAll(() => stopAgents(agents));

  const accepted = async () =>
    parseEventLogs({
      abi: accountingAbi,
      eventName: 'ReportAccepted',
      logs: await getLogs(admin, { address: deployment.accounting, fromBlock: deployment.fromBlock }),
    });
  /** The report a ReportAccepted log's transaction submitted. */
  const submitted = async (hash: Hex): Promise<Report> => {
    const { args } = decodeFunctionData({
      abi: accountingAbi,
      data: (await getTransaction(admin, { hash })).input,
    });
    return args![0] as Report;
  };
  const until = async (check: () => Promise<boolean>, what: string, timeoutMs: number) => {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };

  it('the operators report the funded validator: accepted, the pool grows, the operators get fee shares', async () => {
    await stake(admin, { divETH: deployment.divETH, valueWei: parseEther('32') });
    await waitUntil(
      () =>
        agents[0]!.reader
          .state()
          .validators()
          .some((v) => v.validatorIndex !== undefined),
      'the validator funded',
      150_000,
    );
    // reports before the validator was funded state no balance; the first with it:
    const withValidator = async () => {
      for (const log of await accepted())
        if ((await submitted(log.transactionHash)).clBalance > 0n) return log;
      return undefined;
    };
    await until(async () => (await withValidator()) !== undefined, 'a report of the validator', 90_000);
    const log = (await withValidator())!;
    const report = await submitted(log.transactionHash);
    const { epoch, preTotalEther, postTotalEther, operatorFeeShares, signers } = log.args;
    expect(signers).toBeGreaterThanOrEqual(3n);
    expect(report.clDepositedEther).toBe(parseEther('32'));
    expect(report.clBalance).toBeGreaterThan(parseEther('32'));
    // the pool grew by the rewards: the balance over the credited deposits, and the vault's
    expect(postTotalEther - preTotalEther).toBe(
      report.clBalance - report.clDepositedEther + report.elRewards,
    );
    expect(operatorFeeShares).toBeGreaterThan(0n);
    const registryShares = await readContract(admin, {
      address: deployment.divETH,
      abi: divETHAbi,
      functionName: 'sharesOf',
      args: [deployment.operatorRegistry],
    });
    expect(registryShares).toBeGreaterThanOrEqual(operatorFeeShares);
    // the vault's 1,000 gwei were pulled in by one report, once
    const all = await Promise.all((await accepted()).map((l) => submitted(l.transactionHash)));
    expect(all.reduce((sum, r) => sum + r.elRewards, 0n)).toBe(EL_REWARDS);

    // the digest the members signed locally is the contract's; the fourth member's node answered
    // 1 gwei more: it signed another report, said which field differs, and the quorum was reached
    const digest = await readContract(admin, {
      address: deployment.accounting,
      abi: accountingAbi,
      functionName: 'reportDigest',
      args: [report],
    });
    const signedBy = agents.map((a) =>
      a.events.flatMap((e) => (e.type === 'report-signed' && e.epoch === epoch ? [e.digest] : [])),
    );
    expect(signedBy.slice(0, 3).filter((d) => d.includes(digest)).length).toBeGreaterThanOrEqual(2);
    expect(signedBy[3]).not.toContain(digest);
    expect(logs.some((l) => l.includes('a voter reports other values') && l.includes('clBalance'))).toBe(
      true,
    );

    // the same report again: refused as stale, and the operators go on with the next frame
    await expect(
      submitReport(admin, { accounting: deployment.accounting, report, signatures: [] }),
    ).rejects.toThrow(/StaleReport/);
    const count = (await accepted()).length;
    await until(async () => (await accepted()).length > count, 'the next frame reported', 60_000);
  }, 330_000);

  it('malformed report frames are dropped, never fatal', async () => {
    const [from, ...to] = agents;
    const report: Report = {
      epoch: 10n ** 6n,
      clBalance: 1n,
      clDepositedEther: 0n,
      exitedValidators: 0n,
      withdrawnEther: 0n,
      elRewards: 0n,
      penalties: [],
    };
    const good = encodeReportFrame(report, `0x${'11'.repeat(65)}`, new Uint8Array(8));
    expect(decodeReportFrame(good)?.report).toEqual(report);
    const tooManyPenalties = Uint8Array.from(good);
    tooManyPenalties[2 + 6 * 32] = 65;
    const bad = [
      good.subarray(0, 50), // truncated
      Uint8Array.of(0x21), // a kind byte alone
      Uint8Array.of(0x21, 0x02, ...good.subarray(2)), // unknown version
      tooManyPenalties,
      Uint8Array.from([...good, 0]), // a byte too many
    ];
    for (const b of bad) expect(decodeReportFrame(b)).toBeUndefined();
    const count = (await accepted()).length;
    // all of them, and a well-formed one with a bad signature for a far epoch, to every member
    for (const a of to) for (const b of [...bad, good]) from!.node.network.send(a.node.network.address, b);
    await until(async () => (await accepted()).length > count, 'the next frame reported', 60_000);
    expect(logs.some((l) => / error /.test(l) && l.includes('report'))).toBe(false);
  }, 90_000);

  it("the nodes' keepers finalize a staker's withdrawal once a report follows it; the staker claims", async () => {
    const queue = { address: deployment.withdrawalQueue, abi: withdrawalQueueAbi } as const;
    const confirm = async (hash: Hex) => {
      expect((await waitForTransactionReceipt(admin, { hash })).status).toBe('success');
    };
    const amount = parseEther('0.5');
    await confirm(
      await writeContract(admin, {
        address: deployment.divETH,
        abi: divETHAbi,
        functionName: 'approve',
        args: [deployment.withdrawalQueue, amount],
        account: admin.account,
        chain: admin.chain,
      }),
    );
    await confirm(
      await requestWithdrawal(admin, { withdrawalQueue: deployment.withdrawalQueue, amountWei: amount }),
    );
    const requestId = await readContract(admin, { ...queue, functionName: 'lastRequestId' });
    expect(await readContract(admin, { ...queue, functionName: 'lastFinalizedId' })).toBeLessThan(requestId);
    // nobody but the nodes acts: their keepers finalize it after the next report
    await until(
      async () => (await readContract(admin, { ...queue, functionName: 'lastFinalizedId' })) >= requestId,
      'the request finalized',
      90_000,
    );
    expect(
      agents.some((a) => a.events.some((e) => e.type === 'keeper' && e.action === 'finalize-withdrawals')),
    ).toBe(true);
    const payout = (await readContract(admin, { ...queue, functionName: 'getRequest', args: [requestId] }))
      .payout;
    expect(payout).toBeGreaterThan(0n);
    expect(payout).toBeLessThanOrEqual(amount);
    const before = await getBalance(admin, { address: admin.account.address });
    const hash = await claimWithdrawal(admin, { withdrawalQueue: deployment.withdrawalQueue, requestId });
    const receipt = await waitForTransactionReceipt(admin, { hash });
    const after = await getBalance(admin, { address: admin.account.address });
    expect(after - before + receipt.gasUsed * receipt.effectiveGasPrice).toBe(payout);
  }, 120_000);
});
