// `pnpm devnet` (`diva-node devnet`, the default: the lifecycle through the Diva contracts) on a
// small network: 5 operators registered with their p2p identity and collateral, committees of 4 drawn
// by the contracts, 2 validators staked. Nothing but the nodes acts after the stake: their keepers
// draw, the members run the DKG in their diva-node processes and submit it, the operators holding key
// shares confirm the 31 ETH, report to Accounting. The test checks the chain's record (every
// validator's 1 ETH and 31 ETH deposits with one signature, after the 16 interop validators), that no
// cluster file exists, that the validators attest on Lodestar and a report lands; then the first
// member of the first validator's committee turns Byzantine at epoch 2 (`--fault equivocate@2`: two
// signed proposals in each duty it leads). The others prove it on the EvidenceSlasher, the contracts
// eject it and draw a replacement, the nodes reshare the validators' keys without it, and the
// validator keeps earning with its new committee; at the end each key is held by exactly 4 of the
// honest operators and by the Byzantine one no more in the chain's record. Reports after genesis
// pay rewards (the operators' fee minted). At epoch 5 a staker's withdrawal the pool cannot pay asks
// for the first validator's exit (`--exit-request 5`: three epochs after the fault, time for the
// evidence, which the nodes submit once a minute, so that the exit finds the committee reshared):
// its new committee signs the voluntary exit and
// the beacon chain sets the validator's exit epoch. Once it is withdrawable the devnet plays the sweep
// (altair has none: the emulator contract sends its beacon balance to divETH), the nodes' next report
// counts exactly that ETH as withdrawn, their keepers finalize the staker's request, the staker
// claims, and the ETH and divETH books balance to the wei. A second run on the same data directory
// resumes the network where it stopped. No operator's slashing-protection export holds a slashable
// pair.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accountingAbi,
  depositContractAbi,
  dkgResultRegistryAbi,
  evidenceSlasherAbi,
} from '@diva-dvt/contracts/abis';
import { isPortFree } from '@diva-dvt/devnet';
import { createPublicClient, decodeFunctionData, http, parseEventLogs } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import { checkSlashingExports } from '../../src/devnet/slashable.ts';
import { runDevnet, stopDevnets } from '../helpers/devnet.ts';

const gwei = (amount: `0x${string}`) => Buffer.from(amount.slice(2), 'hex').readBigUInt64LE(0);

afterEach(stopDevnets, 90_000);

describe('diva-node devnet (through the contracts)', () => {
  it('stake -> draws -> DKG in the nodes -> 1 + 31 ETH -> genesis -> attestations, reports -> a Byzantine member proven, ejected, reshared -> a withdrawal exits a validator, swept, reported, finalized, claimed, books balanced -> stopped and resumed', {
    timeout: 20 * 60_000,
  }, async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'diva-devnet-contracts-')), 'net');
    const run = runDevnet([
      '--operators',
      '5',
      '--committee-size',
      '4',
      '--validators',
      '2',
      '--slot-seconds',
      '4',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--epochs',
      '11',
      '--fault',
      'equivocate@2',
      '--exit-request',
      '5',
    ]);
    await run.attesting;

    for (const phase of [
      'contracts: deployed from block',
      'deposits: 16/16',
      'contracts: 5 operators registered',
      'operators: 5/5 following the contracts',
      "stake: 61.5 ETH staked (with the operators' 2.5: 2 validators)",
      'lifecycle: draws 2/2, DKG results accepted 2/2, funded (32 ETH) 2/2',
      'genesis: 18 validators',
      'operators: 5/5 running',
    ]) {
      expect(run.stderr()).toContain(phase);
    }
    expect(run.stderr()).not.toContain('dkg:'); // the devnet ran no ceremony: the nodes did

    // the chain's record: 16 interop deposits, then per validator 1 ETH and 31 ETH with one signature
    const deployment = JSON.parse(await readFile(join(dataDir, 'deployment.json'), 'utf8')) as {
      depositContract: `0x${string}`;
      accounting: `0x${string}`;
      fromBlock: string;
    };
    const configs = await Promise.all(
      [0, 1, 2, 3, 4].map(async (i) =>
        JSON.parse(await readFile(join(dataDir, `operator-${i}`, 'config.json'), 'utf8')),
      ),
    );
    const rpc = createPublicClient({ transport: http(configs[0].contracts.rpcUrls[0]) });
    const deposits = parseEventLogs({
      abi: depositContractAbi,
      eventName: 'DepositEvent',
      logs: await rpc.getLogs({
        address: deployment.depositContract,
        fromBlock: BigInt(deployment.fromBlock),
      }),
    }).map((l) => l.args);
    expect(deposits).toHaveLength(16 + 2 * 2);
    const diva = deposits.slice(16);
    const keys = [...new Set(diva.map((d) => d.pubkey))];
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      const mine = diva.filter((d) => d.pubkey === key);
      expect(mine.map((d) => gwei(d.amount))).toEqual([1_000_000_000n, 31_000_000_000n]);
      expect(mine[1]!.signature).toBe(mine[0]!.signature);
      expect(mine[0]!.withdrawal_credentials).toBe(mine[1]!.withdrawal_credentials);
    }

    // no cluster file: the committees are the chain's
    expect(configs.every((c) => c.cluster === undefined && c.contracts !== undefined)).toBe(true);
    expect(await readdir(dataDir)).not.toContain('cluster.json');

    // the dashboard shows the two DKG-born validators at indices 16 and 17
    const dashboard = /dashboard: (http:\/\/127\.0\.0\.1:\d+)\/dashboard/.exec(run.stderr())![1]!;
    const model = (await (await fetch(`${dashboard}/dashboard/data.json`)).json()) as {
      nodes: unknown[];
      validators: { validatorIndex?: number }[];
    };
    expect(model.nodes).toHaveLength(5);
    expect(model.validators.map((v) => v.validatorIndex).sort()).toEqual([16, 17]);

    // the operators' nodes report to Accounting by themselves: the report frames (one epoch) start at
    // beacon epochs, and the genesis state is final at once, so a report lands right after genesis
    const reports = async () =>
      parseEventLogs({
        abi: accountingAbi,
        eventName: 'ReportAccepted',
        logs: await rpc.getLogs({
          address: deployment.accounting,
          fromBlock: BigInt(deployment.fromBlock),
        }),
      });
    for (let k = 0; k < 120 && (await reports()).length === 0; k++)
      await new Promise((r) => setTimeout(r, 1000));
    const accepted = await reports();
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    // ceil(2/3) of the 8 seats (2 committees of 4) is 6: at least 3 of the 5 operators signed
    expect(accepted[0]!.args.signers).toBeGreaterThanOrEqual(3n);

    const lodestarPort = Number(new URL(configs[0].beaconNodes[0]).port);
    // the chain's record of the punishment, read while Anvil runs: the devnet says when it saw the
    // resharing without the Byzantine operator
    for (let k = 0; k < 600 && !/reshared without operator/.test(run.stderr()); k++)
      await new Promise((r) => setTimeout(r, 500));
    const chainLogs = await rpc.getLogs({ fromBlock: BigInt(deployment.fromBlock) });
    const slashed = parseEventLogs({
      abi: evidenceSlasherAbi,
      eventName: 'EvidenceAccepted',
      logs: chainLogs,
    });
    expect(slashed.length).toBeGreaterThanOrEqual(1);
    const byzantine = slashed[0]?.args.operator.toLowerCase();
    expect(slashed.every((e) => e.args.operator.toLowerCase() === byzantine)).toBe(true);
    const reshared = parseEventLogs({
      abi: dkgResultRegistryAbi,
      eventName: 'ReshareRecorded',
      logs: chainLogs,
    });
    expect(reshared.length).toBeGreaterThanOrEqual(1);
    // reports after genesis land too (the devnet's chain pays 1/32 of minimal's rewards, within
    // Accounting's cap, decision 45): the pool grows and the operators' fee is minted. Read while
    // Anvil runs (the devnet stops it at the end).
    const rewardReports = async () =>
      (await reports()).filter((r) => r.args.postTotalEther > r.args.preTotalEther);
    for (let k = 0; k < 300 && (await rewardReports()).length === 0; k++)
      await new Promise((r) => setTimeout(r, 1000));
    const rewarded = await rewardReports();
    expect(rewarded.length).toBeGreaterThanOrEqual(1);
    expect(rewarded.every((r) => r.args.operatorFeeShares > 0n)).toBe(true);
    // the withdrawal: a report counted the swept ETH to the wei (its `withdrawnEther`, read from the
    // transaction that submitted it), read while Anvil runs
    const counting = async () => {
      for (const r of (await reports()).filter((e) => e.args.exitedValidators > 0n)) {
        const { args } = decodeFunctionData({
          abi: accountingAbi,
          data: (await rpc.getTransaction({ hash: r.transactionHash })).input,
        });
        const report = args![0] as { withdrawnEther: bigint; exitedValidators: bigint };
        if (report.withdrawnEther > 0n) return report;
      }
      return undefined;
    };
    let counted = await counting();
    for (let k = 0; k < 600 && counted === undefined; k++) {
      await new Promise((r) => setTimeout(r, 1000));
      counted = await counting();
    }
    expect(counted).toBeDefined();
    expect(await run.exited).toBe(0); // after 11 epochs (and the claim)
    const summary = JSON.parse(run.stdout().trim().split('\n').at(-1)!) as {
      epoch: number;
      attestations: { included: number };
      operatorsReporting: number;
      firstValidator: { index: number; balancesGwei: { epoch: number; gwei: number }[] };
      faults: { epoch: number; action: string; operators: number[] }[];
      equivocation: { operator: number; address: string; ejectedAtEpoch?: number; replacedAtEpoch?: number };
      uptime: { nodeUptime?: number; validatorUptime?: number; validatorEpochs: number };
      exit: {
        validatorIndex: number;
        requestedAtEpoch: number;
        exitEpoch?: number;
        status: string;
        sweptWei?: string;
        countedSec?: number;
        payoutWei?: string;
        claimedWei?: string;
        books?: { name: string; held: string; expected: string; balanced: boolean }[];
        booksBalanced?: boolean;
      };
    };
    // at epoch 5 the staker's withdrawal asked for the first validator's exit: its committee (the
    // one the resharing made) signed and published the voluntary exit, and the beacon chain set its
    // exit epoch; it keeps attesting until then
    expect(summary.exit).toMatchObject({ validatorIndex: 16, requestedAtEpoch: 5 });
    expect(summary.exit.status).toMatch(/^withdrawal_/);
    expect(summary.exit.exitEpoch).toBeGreaterThan(5);
    // swept (its beacon balance, gwei x 10^9), counted by a report to the wei, finalized by the
    // nodes' keepers, claimed by the staker: what it received is the request's payout, at most the
    // 32 ETH it asked for
    const swept = BigInt(summary.exit.sweptWei!);
    expect(swept % 10n ** 9n).toBe(0n);
    expect(swept).toBeGreaterThan(31n * 10n ** 18n);
    expect(counted!.withdrawnEther).toBe(swept);
    expect(counted!.exitedValidators).toBe(1n);
    expect(summary.exit.countedSec).toBeDefined();
    const payout = BigInt(summary.exit.payoutWei!);
    expect(payout).toBeLessThanOrEqual(32n * 10n ** 18n);
    expect(payout).toBeGreaterThan(31n * 10n ** 18n);
    expect(BigInt(summary.exit.claimedWei!)).toBe(payout);
    // the books, to the wei: the pool's ETH against its history, divETH's and the queue's ETH against
    // what they owe, every holder's shares against its transfers
    expect(summary.exit.books!.filter((line) => !line.balanced)).toEqual([]);
    expect(summary.exit.books!.length).toBeGreaterThanOrEqual(6);
    expect(summary.exit.booksBalanced).toBe(true);
    expect(summary.attestations.included).toBeGreaterThan(0);
    expect(summary.operatorsReporting).toBe(5);
    // the first member of validator 16's committee restarted as a Byzantine leader at epoch 2, proven
    // and ejected by the contracts, replaced by a resharing
    expect(summary.faults.map((f) => [f.action, f.epoch, f.operators.length])).toEqual([
      ['equivocating', 2, 1],
    ]);
    const { ejectedAtEpoch, replacedAtEpoch } = summary.equivocation;
    expect(summary.equivocation.address).toBe(byzantine);
    expect(ejectedAtEpoch).toBeDefined();
    expect(replacedAtEpoch).toBeDefined();
    expect(run.stderr()).toMatch(
      /fault: epoch \d+: operator \d proven equivocating on chain, slashed and ejected/,
    );
    // the validator kept earning with its new committee: its balance rose after the resharing
    const balance = (epoch: number) =>
      summary.firstValidator.balancesGwei.find((b) => b.epoch === epoch)?.gwei;
    expect(summary.firstValidator.index).toBe(16);
    const after = replacedAtEpoch! + 1;
    expect(balance(after)).toBeDefined();
    expect(balance(7)).toBeDefined();
    expect(balance(7)!).toBeGreaterThan(balance(after)!);
    // each validator's key: one share keystore at exactly 4 honest operators (the new committee; the
    // old keystores were replaced in place or by the new member's); the Byzantine operator's old
    // keystore may stay in its directory, but the chain no longer names it
    const honest = [0, 1, 2, 3, 4].filter((i) => i !== summary.equivocation.operator);
    const held = await Promise.all(
      honest.map(async (i) =>
        (await readdir(join(dataDir, `operator-${i}`, 'keys'))).filter((f) => f.startsWith('keystore-')),
      ),
    );
    for (const key of keys)
      expect(held.filter((files) => files.some((f) => f.includes(key.slice(2))))).toHaveLength(4);
    // measured uptime: every operator up but for the Byzantine one's restart
    expect(summary.uptime.nodeUptime).toBeGreaterThan(0.8);
    expect(summary.uptime.validatorEpochs).toBeGreaterThan(0);
    expect(summary.uptime.validatorUptime).toBeGreaterThan(0);
    // only the Byzantine operator may be banned (its twin proposals are scored); an honest peer
    // banned is a bug (frames of one part of a node were once scored as malformed by another, and
    // the reports got every peer banned)
    for (const i of [0, 1, 2, 3, 4]) {
      const log = await readFile(join(dataDir, `operator-${i}`, 'node.log'), 'utf8');
      const banned = log
        .split('\n')
        .filter((line) => line.includes('p2p peer banned'))
        .map((line) => (JSON.parse(line) as { peer: string }).peer.toLowerCase());
      expect(banned.filter((peer) => peer !== byzantine)).toEqual([]);
    }
    // Ctrl-C or --epochs leaves the network to resume: a second run on the same data directory
    // starts Anvil on its state, the operators on their data and Lodestar from genesis with the saved
    // chain replayed, more than an epoch after the stop; the validator left attests again
    const saved = Number(/stop: (\d+) beacon blocks saved/.exec(run.stderr())?.[1]);
    expect(saved).toBeGreaterThan(8 * 10);
    expect(JSON.parse(await readFile(join(dataDir, 'devnet.json'), 'utf8'))).toMatchObject({
      runs: 1,
      stoppedCleanly: true,
      operators: 5,
    });
    const again = runDevnet(['--data-dir', dataDir, '--port', '0', '--epochs', '2']);
    await again.attesting;
    expect(await again.exited).toBe(0);
    expect(again.stderr()).toContain('resume: ');
    expect(again.stderr()).toContain('operators: 5/5 running');
    const resumed = JSON.parse(again.stdout().trim().split('\n').at(-1)!) as {
      run: number;
      epoch: number;
      resumed: { blocksImported: number; blocksKnown: number };
      attestations: { included: number };
      books: { balanced: boolean };
    };
    expect(resumed.run).toBe(2);
    expect(resumed.resumed.blocksImported + resumed.resumed.blocksKnown).toBe(saved);
    expect(resumed.epoch).toBeGreaterThan(summary.epoch + 1);
    expect(resumed.attestations.included).toBeGreaterThan(0);
    expect(resumed.books.balanced).toBe(true);
    // no slashable pair in any operator's EIP-3076 export over both runs (read by an independent
    // checker): the Byzantine one equivocated as a consensus leader, never with a validator's share
    const exported = await checkSlashingExports(
      [0, 1, 2, 3, 4].map((i) => ({
        configFile: join(dataDir, `operator-${i}`, 'config.json'),
        dir: join(dataDir, `operator-${i}`),
      })),
    );
    for (const e of exported) expect(e.slashable).toEqual([]);
    expect(exported.filter((e) => e.attestations > 0).length).toBeGreaterThanOrEqual(4);
    for (const c of configs) expect(await isPortFree('127.0.0.1', c.http.port)).toBe(true);
    expect(await isPortFree('127.0.0.1', lodestarPort)).toBe(true);
    expect(await isPortFree('127.0.0.1', Number(new URL(configs[0].contracts.rpcUrls[0]).port))).toBe(true);
  });
});
