// The cost of one duty with real cryptography: a committee of 16 CommitteeSigners in this process
// (in-process peers: the network is a queue, so what is measured is the members' own work:
// consensus, BLS partials, combination, verification, secp256k1 message signatures) decides
// attestation duties one slot after another. Per configuration: CPU of the whole process per duty
// divided by 16 (one member's share, averaged over the committee's roles), and wall time from duty
// start to the last member's signature. Baseline in the same run: noble instead of blst.
//
// `node --conditions=diva:source bench/bench.ts [--quick]` prints the bench JSON on stdout
// (progress on stderr). Each configuration runs in a fresh child process.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSigningContext, forkScheduleFromSpec } from '@diva-dvt/beacon-api/spec';
import type { SigningDuty } from '../src/index.ts';
import {
  attestationDataValue,
  createCheckedCommittees,
  formatClusterFile,
  loadKeySharesCached,
  parseClusterFile,
  writeShareKeystore,
} from '../src/index.ts';
import { loadRuntimeBls } from '../src/runtime/bls.ts';
import { MINIMAL_SPEC } from '../test/helpers/beacon-node.ts';
import { createOperators, createSigner, createValidator } from '../test/helpers/committee.ts';
import { createMemoryHub } from '../test/helpers/memory-network.ts';
import { devnetEffectiveness, measureMessageSignature } from './side-figures.ts';

const N = 16;
const T = 11;

interface Measurement {
  readonly backend: string;
  readonly duties: number;
  readonly validators: number;
  readonly perSlot: number;
  readonly cpuMsPerMemberDuty: number[];
  readonly latencyMs: number[];
  readonly rssMb: number;
  /** Of all members' duties, the share whose group signature a same-root batch checked. */
  readonly batchedShare: number;
}

/**
 * `slots` slots in which `perSlot` validators attest together (as after Electra, every attester of a
 * slot signs the same data: their group signatures are checked in same-root batches), taking turns
 * when `perSlot` is 1 (one duty at a time: nothing to batch).
 */
async function measure(
  prefer: 'blst' | 'noble',
  slots: number,
  validators: number,
  perSlot: number,
): Promise<Measurement> {
  const { bls, native } = await loadRuntimeBls({ prefer });
  const operators = createOperators(N);
  const vs = Array.from({ length: validators }, (_, i) => createValidator(i, operators, T));
  const hub = createMemoryHub({ delayMs: 0 });
  // All 16 members share this one core, so a combiner answers 16 times later than on its own machine:
  // long timeouts keep that from being taken for a missing combiner or leader (which would measure
  // round changes and every member combining, not the duty's work).
  const timing = { roundTimeoutMs: 20_000, combinerWaitMs: 10_000 };
  const members = operators.map((o) =>
    createSigner(bls, o, operators, vs, hub.network(o.address), {}, timing),
  );
  const signing = createSigningContext({
    genesisValidatorsRoot: new Uint8Array(32).fill(0x5a),
    schedule: forkScheduleFromSpec(MINIMAL_SPEC),
  });
  const cpu: number[] = [];
  const latency: number[] = [];
  for (let d = 0; d < slots; d++) {
    const slot = 8 + d;
    const data = {
      slot,
      index: 0,
      beaconBlockRoot: new Uint8Array(32).fill(d % 256),
      source: { epoch: 0, root: new Uint8Array(32).fill(1) },
      target: { epoch: Math.floor(slot / 8), root: new Uint8Array(32).fill(2) },
    };
    const valueType = attestationDataValue(signing, { slot, committeeIndex: 0, slotsPerEpoch: 8 });
    const attesters = Array.from({ length: perSlot }, (_, k) => (d * perSlot + k) % validators);
    const before = process.cpuUsage();
    const start = performance.now();
    await Promise.all(
      attesters.flatMap((validatorIndex) => {
        const duty: SigningDuty = {
          type: 'attestation',
          validatorIndex,
          slot,
          deadlineMs: Date.now() + 30_000,
        };
        return members.map((m) => m.decide(data, valueType, duty));
      }),
    );
    latency.push(performance.now() - start);
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000 / N / perSlot);
  }
  for (const m of members) m.stop();
  const batched = members.reduce((sum, m) => sum + m.batchStats.batched, 0);
  return {
    backend: native ? 'blst' : 'noble',
    duties: slots * perSlot,
    validators,
    perSlot,
    cpuMsPerMemberDuty: cpu,
    latencyMs: latency,
    rssMb: process.memoryUsage().rss / 2 ** 20,
    batchedShare: batched / (slots * perSlot * N),
  };
}

interface MemoryMeasurement {
  readonly validators: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly setupMsPerValidator: number;
}

/**
 * One member's memory with `count` validators loaded (their committees parsed, threshold schemes
 * built): every validator has the same committee key material (splitting thousands of keys would
 * take minutes), parsed anew per validator as the runtime does.
 */
async function measureMemory(count: number): Promise<MemoryMeasurement> {
  const { bls } = await loadRuntimeBls();
  const operators = createOperators(N);
  const template = createValidator(0, operators, T);
  const vs = Array.from({ length: count }, (_, i) => ({
    ...template,
    validatorIndex: i,
    committee: {
      ...template.committee,
      validatorIndex: i,
      members: template.committee.members.map((m) => ({ ...m, publicShare: m.publicShare.slice() })),
    },
  }));
  const hub = createMemoryHub({ delayMs: 0 });
  const start = performance.now();
  const signer = createSigner(bls, operators[0]!, operators, vs, hub.network(operators[0]!.address));
  const setupMs = performance.now() - start;
  globalThis.gc?.();
  const m = process.memoryUsage();
  signer.stop();
  return {
    validators: count,
    rssMb: Math.round(m.rss / 2 ** 20),
    heapUsedMb: Math.round(m.heapUsed / 2 ** 20),
    setupMsPerValidator: Number((setupMs / count).toFixed(2)),
  };
}

/**
 * The cluster file's public-share check at start: `count` distinct committees of 16 parsed with the
 * runtime's BLS, first with nothing checked, then with every digest known (a restart or reload).
 */
async function measureClusterCheck(count: number) {
  const { bls } = await loadRuntimeBls();
  const operators = createOperators(N);
  const validators = Array.from({ length: count }, (_, i) => createValidator(i, operators, T).committee);
  const text = formatClusterFile({
    version: 1,
    operators: operators.map((o, i) => ({
      address: o.address,
      publicKey: o.publicKey,
      multiaddrs: [`/ip4/127.0.0.1/tcp/${9000 + i}`],
    })),
    validators,
  });
  const checked = createCheckedCommittees();
  let start = performance.now();
  parseClusterFile(text, { bls, checked });
  const firstMs = performance.now() - start;
  start = performance.now();
  parseClusterFile(text, { bls, checked });
  const cachedMs = performance.now() - start;
  return {
    committees: count,
    checkMsPerCommittee: round(firstMs / count, 2),
    cachedMsPerCommittee: round(cachedMs / count, 3),
    projectedSecondsAt10000: {
      checked: round((firstMs / count) * 10, 1),
      cached: round((cachedMs / count) * 10, 2),
    },
  };
}

/**
 * Start-up: `count` share keystores with the production KDF loaded at a first start (one KDF each,
 * 4 at a time) and at a restart (from the data directory's bundle: one KDF in all).
 */
async function measureKeyShares(count: number) {
  const dir = await mkdtemp(join(tmpdir(), 'diva-bench-keys-'));
  try {
    const passwordFile = join(dir, 'password.txt');
    await writeFile(passwordFile, 'bench password\n');
    const operators = createOperators(N);
    const validators = Array.from({ length: count }, (_, i) => createValidator(i, operators, T));
    const self = operators[0]!.address;
    for (const v of validators) {
      await writeShareKeystore({
        dir,
        groupPublicKey: v.committee.groupPublicKey,
        share: v.shares.get(self)!,
        password: 'bench password',
      });
    }
    const params = {
      dir,
      passwordFile,
      committees: validators.map((v) => v.committee),
      self,
      cacheFile: join(dir, 'key-shares.cache.json'),
    };
    let start = performance.now();
    await loadKeySharesCached(params);
    const firstMs = performance.now() - start;
    start = performance.now();
    const again = await loadKeySharesCached(params);
    const restartMs = performance.now() - start;
    if (again.fromCache !== count) throw new Error(`bundle gave ${again.fromCache} of ${count} shares`);
    return {
      keystores: count,
      firstStartMsPerShare: round(firstMs / count, 1),
      restartMsPerShare: round(restartMs / count, 2),
      projectedSecondsAt10000: {
        firstStart: round((firstMs / count) * 10, 0),
        restart: round((restartMs / count) * 10, 1),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

if (process.argv.includes('--key-shares')) {
  process.stdout.write(`${JSON.stringify(await measureKeyShares(Number(process.argv.at(-1))))}\n`);
  process.exit(0);
}
if (process.argv.includes('--cluster-check')) {
  process.stdout.write(`${JSON.stringify(await measureClusterCheck(Number(process.argv.at(-1))))}\n`);
  process.exit(0);
}
const memoryChild = process.argv.indexOf('--memory');
if (memoryChild >= 0) {
  process.stdout.write(`${JSON.stringify(await measureMemory(Number(process.argv[memoryChild + 1])))}\n`);
  process.exit(0);
}

const child = process.argv.indexOf('--measure');
if (child >= 0) {
  const [prefer, slots, validators, perSlot] = process.argv.slice(child + 1);
  const m = await measure(prefer as 'blst' | 'noble', Number(slots), Number(validators), Number(perSlot));
  process.stdout.write(`${JSON.stringify(m)}\n`);
  process.exit(0);
}

const quick = process.argv.includes('--quick');
const self = fileURLToPath(import.meta.url);
const run = (prefer: string, slots: number, validators: number, perSlot: number): Measurement => {
  process.stderr.write(
    `measuring ${prefer}: ${slots} slots of ${perSlot} attestation duties, ${validators} validator(s), 16 members\n`,
  );
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, self, '--measure', prefer, String(slots), String(validators), String(perSlot)],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 26,
    },
  );
  return JSON.parse(out.trim().split('\n').pop() as string) as Measurement;
};

const memory = (quick ? [100, 1_000] : [100, 1_000, 10_000]).map((count) => {
  process.stderr.write(`measuring one member's memory with ${count} validators\n`);
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, '--expose-gc', self, '--memory', String(count)],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return JSON.parse(out.trim().split('\n').pop() as string) as MemoryMeasurement;
});

process.stderr.write('measuring the cluster file check with and without known digests\n');
const clusterCheck = JSON.parse(
  execFileSync(process.execPath, [...process.execArgv, self, '--cluster-check', String(quick ? 50 : 200)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop() as string,
) as Awaited<ReturnType<typeof measureClusterCheck>>;

process.stderr.write('measuring key-share loading at a first start and a restart\n');
const keyShares = JSON.parse(
  execFileSync(process.execPath, [...process.execArgv, self, '--key-shares', String(quick ? 16 : 64)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop() as string,
) as Awaited<ReturnType<typeof measureKeyShares>>;

process.stderr.write('measuring consensus message signatures\n');
const messageSignature = measureMessageSignature(quick ? 200 : 1_000);

const duties = quick ? 20 : 120;
const warm = (xs: readonly number[]) => xs.slice(Math.min(5, Math.floor(xs.length / 4)));
// One duty per slot (nothing to batch); a slot of 16 attesters signing one data (same-root batches);
// noble, one duty per slot, as the baseline.
const blst = run('blst', duties, 4, 1);
const SLOT_ATTESTERS = 16;
const blstSlot = run('blst', quick ? 6 : 24, SLOT_ATTESTERS, SLOT_ATTESTERS);
const noble = run('noble', quick ? 8 : 30, 4, 1);
const label = (m: Measurement) =>
  m.perSlot === 1 ? m.backend : `${m.backend}, ${m.perSlot} attesters per slot`;
const results = [blst, blstSlot, noble].map((m) => ({
  name: `attestation duty, one member's CPU (${label(m)})`,
  unit: 'ms',
  median: round(quantile(warm(m.cpuMsPerMemberDuty), 0.5)),
  p99: round(quantile(warm(m.cpuMsPerMemberDuty), 0.99)),
  n: warm(m.cpuMsPerMemberDuty).length,
}));
results.push(
  ...[blst, blstSlot, noble].map((m) => ({
    name: `attestation ${m.perSlot === 1 ? 'duty' : 'slot'}, start to last member's signature, in-process (${label(m)})`,
    unit: 'ms',
    median: round(quantile(warm(m.latencyMs), 0.5), 1),
    p99: round(quantile(warm(m.latencyMs), 0.99), 1),
    n: warm(m.latencyMs).length,
  })),
);
const cpuMs = results[1]!.median;
const figures = {
  /** A slot of 16 attesters signing one data (the post-Electra case the goal is about) */
  attestationCpuMsPerDuty: cpuMs,
  attestationCpuMsPerDutyGoal: 3,
  /** One duty per slot: no same-root batch */
  attestationCpuMsPerDutyAlone: results[0]!.median,
  /** Of the slot run's member-duties, the share whose group signature a same-root batch checked */
  batchedShare: round(blstSlot.batchedShare),
  backend: blst.backend,
  /** ~312 attestation duties per 12 s slot at 10,000 validators (issue 16) */
  slotShareAt10000Validators: round((312 * cpuMs) / 12_000),
  slotShareGoal: 0.15,
  p50DutyToSignatureMs: results[3]!.median,
  /** One member's process with N validators loaded (goals: <= 300 MB at 1,000, <= 1 GB at 10,000) */
  memory,
  /** From the last 20-node e2e on Lodestar (20 diva-node processes, 2 shared cores) */
  devnetEffectiveness: devnetEffectiveness(),
  /** One consensus message signature, noble vs. node:crypto (the runtime's) */
  messageSignature,
  /** Start-up: the public-share check of the cluster file, first start vs. restart (digests known) */
  clusterCheck,
  /** Start-up: key shares decrypted one by one (first start) vs. from the bundle (restart) */
  keyShares,
  quick,
};
process.stdout.write(
  `${JSON.stringify(
    {
      package: '@diva-dvt/operator',
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      results,
      ratios: {
        blst_over_noble_cpu: round(results[0]!.median / results[2]!.median),
        slot_batch_over_alone_cpu: round(cpuMs / results[0]!.median),
      },
      figures,
    },
    null,
    2,
  )}\n`,
);
