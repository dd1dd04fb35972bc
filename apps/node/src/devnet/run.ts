// `diva-node devnet`: brings up a whole network on this machine, phase by phase with progress on
// stderr, then prints the network's state every slot (from every operator's dashboard report) and
// serves one dashboard for all operators. With --epochs it stops after that many epochs and prints a
// summary (JSON on stdout); Ctrl-C (or SIGTERM) stops every process it started.

import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { allocatePortRange, isPortFree } from '@diva-dvt/devnet';
import { createDashboardHandler } from '../dashboard/handler.ts';
import { buildDashboardModel, type DashboardModel } from '../dashboard/model.ts';
import { DivaNodeError } from '../errors.ts';
import {
  type DevnetChain,
  GENESIS_FORK_VERSION,
  INTEROP_VALIDATORS,
  SLOTS_PER_EPOCH,
  startChain,
  WITHDRAWAL_CREDENTIALS,
} from './chain.ts';
import { type ContractsDevnet, startContractsChain } from './contracts-chain.ts';
import { type DelayProxy, startDelayProxy } from './delay-proxy.ts';
import { ExitTimeline } from './exit.ts';
import { FaultRunner, PunishmentWatch } from './faults.ts';
import { LateTimeline } from './late.ts';
import { DEVNET_HELP, type DevnetOptions, parseDevnetArguments } from './options.ts';
import { type NodeProcess, nodeProcess } from './processes.ts';
import { type DevnetManifest, planDataDir, writeManifest } from './resume.ts';
import { committeeOf, createOperators, type DevnetOperator, runCeremonies } from './setup.ts';
import { checkSlashingExports } from './slashable.ts';
import { balanceOf, networkSource, statusLine } from './status.ts';
import { UptimeMeter } from './uptime.ts';

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (phase: string, detail: string) =>
  process.stderr.write(`[devnet ${elapsed()}] ${phase}: ${detail}\n`);

/** An empty data directory for a new network, or the one to resume (./resume.ts). */
async function prepareDataDir(given: DevnetOptions): Promise<{ o: DevnetOptions; resume?: DevnetManifest }> {
  if (given.fresh) await rm(given.dataDir, { recursive: true, force: true });
  const { options: o, resume } = await planDataDir(given);
  await mkdir(o.dataDir, { recursive: true });
  if (resume !== undefined) {
    // the operators' p2p ports are registered on chain: they must be free again
    for (let port = resume.basePort; port < resume.basePort + 2 * o.operators + 1; port++) {
      if (!(await isPortFree('127.0.0.1', port))) {
        throw new DivaNodeError({
          code: 'INVALID_ARGUMENTS',
          argument: '--data-dir',
          reason: `port ${port} of the devnet in ${o.dataDir} is in use (is it running already?)`,
        });
      }
    }
    say(
      'resume',
      `${o.dataDir}: run ${resume.runs + 1} of a devnet of ${o.operators} operators and ${o.validators} validators`,
    );
  }
  return resume === undefined ? { o } : { o, resume };
}

export async function runDevnet(args: readonly string[]): Promise<number> {
  const parsed = parseDevnetArguments(args);
  if (parsed === undefined) {
    process.stdout.write(`${DEVNET_HELP}\n`);
    return 0;
  }
  const { o, resume } = await prepareDataDir(parsed);
  // written once the beacon chain runs; marked clean once everything stopped and was saved
  let manifest: DevnetManifest | undefined;
  const nodes: NodeProcess[] = [];
  const proxies: DelayProxy[] = [];
  let chain: DevnetChain | undefined;
  let contractsChain: ContractsDevnet | undefined;
  let server: Server | undefined;
  let stopping = false;
  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    say('stop', `stopping ${nodes.length} operators, Lodestar and Anvil`);
    await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
    await Promise.all(proxies.map((p) => p.stop()));
    await chain?.stop();
    server?.close();
    if (manifest !== undefined && contractsChain?.resumable === true) {
      await writeManifest(o.dataDir, { ...manifest, stoppedCleanly: true });
      say('stop', `saved: a run with --data-dir ${o.dataDir} (without --fresh) resumes this devnet`);
    }
  };
  let interrupted: () => void = () => undefined;
  const interruption = new Promise<void>((resolve) => {
    interrupted = resolve;
  });
  // while starting (DKG, deposits, waiting for the lifecycle) nothing awaits the interruption: a
  // signal then stops everything started so far and exits; once running, it ends the status loop
  let running = false;
  const onSignal = () => {
    if (running) return interrupted();
    say('stop', 'interrupted while starting');
    void stopAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // p2p and HTTP per operator, and (with --contracts) Lodestar's REST port, known before it starts
    const basePort = resume?.basePort ?? (await allocatePortRange('127.0.0.1', 2 * o.operators + 1));
    say(
      'operators',
      `${resume === undefined ? 'creating' : 'reading'} ${o.operators} operator identities (p2p ports ${basePort}..${basePort + o.operators - 1})`,
    );
    const operators = await createOperators(o, basePort, resume !== undefined);

    // rounds of random faults: each operator reaches the beacon node through a proxy that can be
    // slowed, and cuts itself off from its peers for most of an epoch on SIGUSR2
    const rounds = o.fault?.kind === 'chaos' && o.fault.mixed;
    const epochMs = o.slotSeconds * SLOTS_PER_EPOCH * 1000;
    const beaconOf = async (op: DevnetOperator, beaconUrl: string) => {
      if (!rounds) return beaconUrl;
      const proxy = await startDelayProxy(beaconUrl);
      proxies[op.index] = proxy;
      return proxy.url;
    };
    const nodeProcessOf = async (op: DevnetOperator, beaconUrl: string, committees: object) => {
      const configFile = join(op.dir, 'config.json');
      await mkdir(join(op.dir, 'data'), { recursive: true });
      await writeFile(
        configFile,
        JSON.stringify({
          dataDir: join(op.dir, 'data'),
          beaconNodes: [await beaconOf(op, beaconUrl)],
          ...committees,
          ...(rounds ? { faultInjection: { isolateOnSignalMs: epochMs - 2_000 } } : {}),
          keys: { dir: op.keysDir, passwordFile: op.passwordFile },
          p2p: { listen: [op.multiaddr] },
          http: { host: '127.0.0.1', port: op.httpPort, exits: true, dashboard: true },
          // DIVA_DEVNET_LOG_LEVEL=debug: every operator logs at that level (node.log)
          log: { level: process.env.DIVA_DEVNET_LOG_LEVEL ?? 'info' },
        }),
      );
      return nodeProcess(
        `operator-${op.index}`,
        configFile,
        join(op.dir, 'node.log'),
        { LODESTAR_PRESET: 'minimal' },
        200,
      );
    };
    const waitForAll = async (msg: string, what: string, timeoutSec: number) => {
      let up = 0;
      await Promise.all(
        nodes.map((n) =>
          n
            .waitForLine((l) => l.msg === msg, timeoutSec * 1000)
            .then(() => say('operators', `${++up}/${nodes.length} ${what}`)),
        ),
      );
    };
    // the operators must be up by genesis: started after Lodestar, 20 took about 45 s on 2 cores;
    // through the contracts they are running already and start validating within seconds
    const genesisDelaySec = o.contracts ? 30 : 30 + 3 * o.operators;
    let resumed: { imported: number; known: number } | undefined;
    if (o.contracts) {
      contractsChain = await startContractsChain(o, operators, basePort + 2 * o.operators, say, resume);
      chain = contractsChain;
      say('operators', `starting ${o.operators} diva-node processes (committees from the contracts)`);
      for (const op of operators) {
        nodes.push(
          await nodeProcessOf(op, contractsChain.beaconUrl, { contracts: contractsChain.contractsConfig }),
        );
      }
      for (const n of nodes) n.start();
      await waitForAll('chain lifecycle running', 'following the contracts', 120);
      if (resume?.genesisTimeSec !== undefined) {
        resumed = await contractsChain.resumeBeacon(resume.genesisTimeSec);
      } else {
        await contractsChain.stake(o.validators);
        await contractsChain.startBeacon(o.validators, genesisDelaySec);
      }
      manifest = {
        version: 1,
        operators: o.operators,
        validators: o.validators,
        committeeSize: o.committeeSize,
        threshold: o.threshold,
        slotSeconds: o.slotSeconds,
        basePort,
        anvilPort: contractsChain.anvilPort,
        emulator: contractsChain.emulator,
        genesisTimeSec: contractsChain.genesisTimeSec,
        runs: (resume?.runs ?? 0) + 1,
        stoppedCleanly: false,
      };
      await writeManifest(o.dataDir, manifest);
    } else {
      say('dkg', `${o.validators} validators, committees of ${o.committeeSize} (threshold ${o.threshold})`);
      const ceremonies = await runCeremonies(
        o,
        operators,
        WITHDRAWAL_CREDENTIALS,
        GENESIS_FORK_VERSION,
        INTEROP_VALIDATORS,
        (done, total) => say('dkg', `${done}/${total} validators created`),
      );
      chain = await startChain(o, ceremonies.deposits, genesisDelaySec, say);
      say('operators', `starting ${o.operators} diva-node processes`);
      for (const op of operators) {
        nodes.push(await nodeProcessOf(op, chain.beaconUrl, { cluster: ceremonies.clusterFile }));
      }
      for (const n of nodes) n.start();
    }
    await waitForAll('diva-node running', 'running', genesisDelaySec + 60);

    const source = networkSource(operators);
    const handler = createDashboardHandler({ source, title: `Diva devnet: ${o.operators} operators` });
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (path === '/') {
        res.writeHead(302, { location: '/dashboard' }).end();
        return;
      }
      if (!handler(path, res)) res.writeHead(404).end('not found\n');
    });
    await new Promise<void>((resolve) => server!.listen(o.port, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : o.port;
    say('dashboard', `http://127.0.0.1:${port}/dashboard`);

    const slotMs = o.slotSeconds * 1000;
    let firstIncludedSec: number | undefined;
    let firstEpoch: number | undefined;
    let last: DashboardModel | undefined;
    running = true;
    let late: LateTimeline | undefined;
    let exit: ExitTimeline | undefined;
    // the first DKG-born validator (index 16, after the interop ones) and its committee
    const firstIndex = INTEROP_VALIDATORS;
    const victims = () =>
      contractsChain !== undefined
        ? contractsChain
            .firstCommittee()
            .map((a) => operators.findIndex((op) => op.identity.address === a))
            .filter((i) => i >= 0)
        : committeeOf(0, o);
    const faults =
      o.fault === undefined
        ? undefined
        : new FaultRunner(o.fault, nodes, victims, say, {
            proxies,
            slowMs: Math.round(o.slotSeconds * 1000 * SLOW_SHARE),
          });
    const balances: { epoch: number; gwei: number }[] = [];
    const punishment = new PunishmentWatch(say);
    // the distributed validators in genesis (after the interop ones); counted from epoch 1 or the chaos
    const uptime = new UptimeMeter(
      Array.from({ length: o.validators }, (_, i) => INTEROP_VALIDATORS + i),
      o.fault?.kind === 'chaos' ? o.fault.fromEpoch : 1,
    );
    for (;;) {
      const tick = new Promise<'tick'>((resolve) => setTimeout(() => resolve('tick'), slotMs));
      if ((await Promise.race([tick, interruption.then(() => 'stop' as const)])) === 'stop') break;
      last = buildDashboardModel(await source.reports(), Date.now());
      if (firstIncludedSec === undefined && last.inclusion.included > 0) {
        firstIncludedSec = Math.round((Date.now() - started) / 1000);
        say('first attestation', `included ${firstIncludedSec} s after the start`);
      }
      const epochNow = last.chain?.epoch;
      if (epochNow !== undefined) {
        uptime.slot(epochNow, last.nodes.length, o.operators);
        await uptime.epoch(epochNow, chain.beaconUrl);
      }
      if (epochNow !== undefined && balances.at(-1)?.epoch !== epochNow) {
        const gwei = await balanceOf(chain.beaconUrl, firstIndex);
        if (gwei !== undefined) balances.push({ epoch: epochNow, gwei });
        await faults?.step(epochNow);
        if (o.fault?.kind === 'equivocate' && contractsChain !== undefined && faults !== undefined)
          punishment.step(epochNow, faults, contractsChain, operators);
      }
      let line = statusLine(last, o.operators, chain.genesisTimeSec);
      if (contractsChain !== undefined && o.lateValidators > 0) {
        // once the chain runs, the late validators are staked: drawn, created and funded like the
        // others, they join through eth1 (the dashboard lists them once the beacon chain has them)
        if (late === undefined && last.chain !== undefined) {
          // their beacon indices follow the interop validators and the ones in genesis
          const first = INTEROP_VALIDATORS + o.validators;
          late = new LateTimeline(
            Array.from({ length: o.lateValidators }, (_, i) => first + i),
            started,
          );
          await contractsChain.stake(o.lateValidators);
        }
        const { accepted, funded } = contractsChain.validators();
        const total = o.validators + o.lateValidators;
        const onChain = last.validators.filter((v) => v.validatorIndex !== undefined).length;
        line += ` | validators accepted ${accepted}/${total}, funded ${funded}/${total}, on the beacon chain ${onChain}/${total}`;
        if (late !== undefined) line += ` | ${await late.step({ accepted, funded, total }, chain.beaconUrl)}`;
      }
      if (contractsChain !== undefined && o.exitRequestEpoch !== undefined && epochNow !== undefined) {
        if (exit === undefined && epochNow >= o.exitRequestEpoch) {
          exit = new ExitTimeline(await contractsChain.requestExit(), epochNow, contractsChain.withdrawals);
        }
        if (exit !== undefined) line += ` | ${await exit.step(chain.beaconUrl)}`;
      }
      process.stderr.write(`${line}\n`);
      const epoch = last.chain?.epoch ?? 0;
      // a withdrawal under way gets up to EXIT_GRACE_EPOCHS more to reach the staker's claim
      // --epochs counts from genesis, on a resumed run from the epoch it resumed at
      if (last.chain !== undefined) firstEpoch ??= resume === undefined ? 0 : last.chain.epoch;
      const stopEpoch =
        o.epochs === undefined || firstEpoch === undefined ? undefined : firstEpoch + o.epochs;
      const waiting = exit !== undefined && !exit.done && epoch < (stopEpoch ?? 0) + EXIT_GRACE_EPOCHS;
      if (stopEpoch !== undefined && epoch >= stopEpoch && !waiting) break;
    }
    // the books (no divETH created or lost) while Anvil runs; then every operator stopped and its
    // slashing protection exported and checked (rounds of faults)
    const books = contractsChain === undefined ? undefined : await contractsChain.withdrawals.books();
    let exports: Awaited<ReturnType<typeof checkSlashingExports>> | undefined;
    if (rounds) {
      await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
      exports = await checkSlashingExports(
        operators.map((op, i) => ({ configFile: nodes[i]!.configFile, dir: op.dir })),
      );
      const pairs = exports.reduce((n, e) => n + e.slashable.length, 0);
      say('slashing protection', `${exports.length} exports checked: ${pairs} slashable pairs`);
    }
    const summary = {
      operators: o.operators,
      validators: o.validators,
      committeeSize: o.committeeSize,
      threshold: o.threshold,
      slotSeconds: o.slotSeconds,
      ...(manifest !== undefined ? { run: manifest.runs } : {}),
      ...(resumed !== undefined
        ? { resumed: { blocksImported: resumed.imported, blocksKnown: resumed.known } }
        : {}),
      epoch: last?.chain?.epoch,
      secondsToFirstIncludedAttestation: firstIncludedSec,
      attestations: last?.inclusion,
      outcomes: last?.outcomes,
      operatorsReporting: last?.nodes.length,
      firstValidator: { index: firstIndex, committee: victims(), balancesGwei: balances },
      ...(faults !== undefined ? { faults: faults.records } : {}),
      ...(late !== undefined ? { lateValidators: late.record } : {}),
      ...(exit !== undefined ? { exit: exit.record } : {}),
      ...(punishment.record !== undefined ? { equivocation: punishment.record } : {}),
      uptime: uptime.record,
      ...(books !== undefined
        ? { books: { balanced: books.every((line) => line.balanced), lines: books } }
        : {}),
      ...(exports !== undefined ? { slashingProtection: exports } : {}),
      ...(o.fault?.kind === 'chaos'
        ? { chaos: { uptime: o.fault.uptime, seed: o.fault.seed, mixed: o.fault.mixed } }
        : {}),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return o.epochs !== undefined && (last?.inclusion.included ?? 0) === 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopAll();
  }
}

/** A slow beacon node (`--fault rounds`) holds every request for this share of a slot. */
const SLOW_SHARE = 0.4;

/** With `--exit-request`, epochs past `--epochs` a run waits for the withdrawal's claim. */
const EXIT_GRACE_EPOCHS = 4;
