// Benchmark of @diva-dvt/beacon-api:
//  1. signing roots per second per message type, with Lodestar's own path (config.getDomain +
//     state-transition computeSigningRoot) measured in the same run as the baseline;
//  2. decode time of the attester duties and validators responses for 10,000 validators, JSON
//     (text -> JSON.parse -> strict route codec) vs SSZ (bytes -> route codec), with
//     @chainsafe/ssz's lenient fromJson as the JSON baseline.
// One JSON document on stdout; progress on stderr. Mainnet preset.
//   node bench/bench.ts [--quick]
import { cpus } from 'node:os';
import { createBeaconConfig } from '@lodestar/config';
import { chainConfig } from '@lodestar/config/default';
import {
  DOMAIN_AGGREGATE_AND_PROOF,
  DOMAIN_APPLICATION_BUILDER,
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_CONTRIBUTION_AND_PROOF,
  DOMAIN_DEPOSIT,
  DOMAIN_RANDAO,
  DOMAIN_SELECTION_PROOF,
  DOMAIN_SYNC_COMMITTEE,
  DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF,
  SLOTS_PER_EPOCH,
} from '@lodestar/params';
import { computeDomain as lsDomain, computeSigningRoot as lsRoot } from '@lodestar/state-transition';
import { endpoints } from '../src/index.ts';
import {
  aggregateAndProofSigningRoot,
  attestationDataSigningRoot,
  blockHeaderSigningRoot,
  blockSigningRoot,
  builderRegistrationSigningRoot,
  contributionAndProofSigningRoot,
  createSigningContext,
  depositSigningRoot,
  forkScheduleFromSpec,
  randaoSigningRoot,
  selectionProofSigningRoot,
  ssz,
  syncCommitteeMessageSigningRoot,
  syncCommitteeSelectionProofSigningRoot,
  voluntaryExitSigningRoot,
} from '../src/spec.ts';
import { AttesterDuties, VALIDATOR_STATUSES, ValidatorResponsesSsz } from '../src/types.ts';
import { createRng, randomValue } from '../test/helpers/random.ts';

const quick = process.argv.includes('--quick');
const log = (s: string) => process.stderr.write(`${s}\n`);
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

interface Result {
  name: string;
  unit: string;
  value: number;
  baseline?: number;
  n: number;
}
const results: Result[] = [];
const ratios: Record<string, number> = {};

function medianMs(fn: () => unknown, runs: number): number {
  fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)] as number;
}

// ---- 1. signing roots ----
const rng = createRng(2026);
const cfg = {
  ...chainConfig,
  ALTAIR_FORK_EPOCH: 0,
  BELLATRIX_FORK_EPOCH: 0,
  CAPELLA_FORK_EPOCH: 0,
  DENEB_FORK_EPOCH: 0,
  ELECTRA_FORK_EPOCH: 0,
};
const gvr = randomValue(ssz.Root, rng);
const config = createBeaconConfig(cfg, gvr);
const spec: Record<string, string> = {};
for (const [k, v] of Object.entries(cfg)) {
  if (v instanceof Uint8Array) spec[k] = `0x${Buffer.from(v).toString('hex')}`;
  else if (typeof v === 'number') spec[k] = Number.isFinite(v) ? String(v) : '18446744073709551615';
}
const ctx = createSigningContext({ genesisValidatorsRoot: gvr, schedule: forkScheduleFromSpec(spec) });
const slot = 10 * SLOTS_PER_EPOCH + 3;
const epoch = Math.floor(slot / SLOTS_PER_EPOCH);
const ZERO = new Uint8Array(32);

// Lodestar's types cache a value's hash tree root on the object (cachePermanentRootStruct), so
// every operation gets a fresh object: pools of random messages are built outside the timing,
// the same values (same seed) for both sides, as separate objects.
const gfv = cfg.GENESIS_FORK_VERSION;
// biome-ignore lint/suspicious/noExplicitAny: messages of different types
type Msg = any;
interface Case {
  name: string;
  make: (r: () => number) => Msg;
  ours: (m: Msg) => Uint8Array;
  lodestar: (m: Msg) => Uint8Array;
}
const cases: Case[] = [
  {
    name: 'attestation_data',
    make: (r) => {
      const a = { ...randomValue(ssz.phase0.AttestationData, r), slot };
      a.target = { ...a.target, epoch };
      return a;
    },
    ours: (m) => attestationDataSigningRoot(ctx, m),
    lodestar: (m) =>
      lsRoot(ssz.phase0.AttestationData, m, config.getDomain(slot, DOMAIN_BEACON_ATTESTER, slot)),
  },
  {
    name: 'beacon_block_electra',
    make: (r) => ({ ...randomValue(ssz.electra.BeaconBlock, r, 4), slot }),
    ours: (m) => blockSigningRoot(ctx, m),
    lodestar: (m) => lsRoot(ssz.electra.BeaconBlock, m, config.getDomain(slot, DOMAIN_BEACON_PROPOSER, slot)),
  },
  {
    name: 'block_header',
    make: (r) => ({ ...randomValue(ssz.phase0.BeaconBlockHeader, r), slot }),
    ours: (m) => blockHeaderSigningRoot(ctx, m),
    lodestar: (m) =>
      lsRoot(ssz.phase0.BeaconBlockHeader, m, config.getDomain(slot, DOMAIN_BEACON_PROPOSER, slot)),
  },
  {
    name: 'randao_reveal',
    make: (r) => r() % 1_000_000,
    ours: (e) => randaoSigningRoot(ctx, e),
    lodestar: (e) =>
      lsRoot(ssz.Epoch, e, config.getDomain(e * SLOTS_PER_EPOCH, DOMAIN_RANDAO, e * SLOTS_PER_EPOCH)),
  },
  {
    name: 'selection_proof',
    make: (r) => r() % 1_000_000,
    ours: (s) => selectionProofSigningRoot(ctx, s),
    lodestar: (s) => lsRoot(ssz.Slot, s, config.getDomain(s, DOMAIN_SELECTION_PROOF, s)),
  },
  {
    name: 'aggregate_and_proof_electra',
    make: (r) => {
      const a = randomValue(ssz.electra.AggregateAndProof, r);
      a.aggregate.data.slot = slot;
      return a;
    },
    ours: (m) => aggregateAndProofSigningRoot(ctx, m),
    lodestar: (m) =>
      lsRoot(ssz.electra.AggregateAndProof, m, config.getDomain(slot, DOMAIN_AGGREGATE_AND_PROOF, slot)),
  },
  {
    name: 'sync_committee_message',
    make: (r) => randomValue(ssz.Root, r),
    ours: (root) => syncCommitteeMessageSigningRoot(ctx, slot, root),
    lodestar: (root) => lsRoot(ssz.Root, root, config.getDomain(slot, DOMAIN_SYNC_COMMITTEE, slot)),
  },
  {
    name: 'sync_committee_selection_proof',
    make: (r) => r() % 4,
    ours: (i) => syncCommitteeSelectionProofSigningRoot(ctx, slot, i),
    lodestar: (i) =>
      lsRoot(
        ssz.altair.SyncAggregatorSelectionData,
        { slot, subcommitteeIndex: i },
        config.getDomain(slot, DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF, slot),
      ),
  },
  {
    name: 'contribution_and_proof',
    make: (r) => {
      const c = randomValue(ssz.altair.ContributionAndProof, r);
      c.contribution.slot = slot;
      return c;
    },
    ours: (m) => contributionAndProofSigningRoot(ctx, m),
    lodestar: (m) =>
      lsRoot(ssz.altair.ContributionAndProof, m, config.getDomain(slot, DOMAIN_CONTRIBUTION_AND_PROOF, slot)),
  },
  {
    name: 'voluntary_exit',
    make: (r) => ({ epoch: r() % epoch, validatorIndex: r() % 1_000_000 }),
    ours: (m) => voluntaryExitSigningRoot(ctx, m, epoch),
    lodestar: (m) =>
      lsRoot(ssz.phase0.VoluntaryExit, m, config.getDomainForVoluntaryExit(slot, m.epoch * SLOTS_PER_EPOCH)),
  },
  {
    name: 'builder_registration',
    make: (r) => randomValue(ssz.bellatrix.ValidatorRegistrationV1, r),
    ours: (m) => builderRegistrationSigningRoot(gfv, m),
    lodestar: (m) =>
      lsRoot(ssz.bellatrix.ValidatorRegistrationV1, m, lsDomain(DOMAIN_APPLICATION_BUILDER, gfv, ZERO)),
  },
  {
    name: 'deposit',
    make: (r) => randomValue(ssz.phase0.DepositMessage, r),
    ours: (m) => depositSigningRoot(gfv, m),
    lodestar: (m) => lsRoot(ssz.phase0.DepositMessage, m, lsDomain(DOMAIN_DEPOSIT, gfv, ZERO)),
  },
];

const rounds = quick ? 2 : 6;
const perRound = (name: string) =>
  name === 'beacon_block_electra' ? (quick ? 30 : 150) : quick ? 300 : 2_000;
const signingFigures: Record<string, { ours: number; lodestar: number }> = {};
log(
  'signing roots per second, fresh message per operation (ours vs Lodestar config.getDomain + computeSigningRoot):',
);
for (const c of cases) {
  let tOurs = 0;
  let tTheirs = 0;
  let n = 0;
  for (let round_ = -1; round_ < rounds; round_++) {
    const seed = 1000 + round_;
    const m = perRound(c.name);
    const a = Array.from(
      { length: m },
      (() => {
        const r = createRng(seed);
        return () => c.make(r);
      })(),
    );
    const b = Array.from(
      { length: m },
      (() => {
        const r = createRng(seed);
        return () => c.make(r);
      })(),
    );
    // Same answers, or the comparison means nothing.
    if (Buffer.compare(c.ours(a[0]), c.lodestar(b[0])) !== 0) throw new Error(`${c.name}: roots differ`);
    const timeIt = (fn: (x: Msg) => Uint8Array, pool: Msg[]) => {
      const t0 = performance.now();
      for (let i = 1; i < pool.length; i++) fn(pool[i]);
      return performance.now() - t0;
    };
    // Alternate the order each round; round -1 is warm-up.
    const [x, y] =
      round_ % 2 === 0
        ? [timeIt(c.ours, a), timeIt(c.lodestar, b)]
        : (() => {
            const t2 = timeIt(c.lodestar, b);
            return [timeIt(c.ours, a), t2];
          })();
    if (round_ >= 0) {
      tOurs += x;
      tTheirs += y;
      n += m - 1;
    }
  }
  const ours = (n * 1000) / tOurs;
  const theirs = (n * 1000) / tTheirs;
  results.push({
    name: `signing_root/${c.name}`,
    unit: 'ops/s',
    value: Math.round(ours),
    baseline: Math.round(theirs),
    n,
  });
  ratios[`signing_root/${c.name}/ours_over_lodestar`] = round(ours / theirs, 3);
  signingFigures[c.name] = { ours: Math.round(ours), lodestar: Math.round(theirs) };
  log(
    `  ${c.name.padEnd(32)} ${String(Math.round(ours)).padStart(9)}/s   lodestar ${String(Math.round(theirs)).padStart(9)}/s   (n=${n})`,
  );
}

// ---- 2. decode of 10,000-validator responses ----
const N = quick ? 1_000 : 10_000;
const runs = quick ? 3 : 15;
const dutiesValue = Array.from({ length: N }, (_, i) => ({
  ...randomValue(AttesterDuties.elementType, rng),
  validatorIndex: i,
}));
const dependent = randomValue(ssz.Root, rng);
const dutiesCodec = endpoints.getAttesterDuties.routes[0]!.resp;
const dutiesJsonText = JSON.stringify(
  dutiesCodec.toJson({ data: dutiesValue, meta: { dependentRoot: dependent, executionOptimistic: false } })
    .body,
);
const dutiesSsz = dutiesCodec.toSsz!({
  data: dutiesValue,
  meta: { dependentRoot: dependent, executionOptimistic: false },
});
const dutiesMeta = { status: 200, header: (h: string) => dutiesSsz.headers?.[h.toLowerCase()] };

const validatorsValue = Array.from({ length: N }, (_, i) => ({
  index: i,
  balance: 32_000_000_000 + (rng() % 1000),
  status: VALIDATOR_STATUSES[2],
  validator: {
    ...randomValue(ssz.phase0.Validator, rng),
    exitEpoch: Number.POSITIVE_INFINITY,
    withdrawableEpoch: Number.POSITIVE_INFINITY,
  },
}));
const validatorsCodec = endpoints.getStateValidators.routes[1]!.resp;
const validatorsJsonText = JSON.stringify(validatorsCodec.toJson({ data: validatorsValue, meta: {} }).body);
const validatorsSsz = validatorsCodec.toSsz!({ data: validatorsValue, meta: {} });
const validatorsMeta = { status: 200, header: (h: string) => validatorsSsz.headers?.[h.toLowerCase()] };
const rawValidatorsJson = (JSON.parse(validatorsJsonText) as { data: Record<string, unknown>[] }).data.map(
  (v) => ({ ...v, status: '2' }),
);
void rawValidatorsJson;

log(`decode of ${N}-validator responses (median of ${runs}):`);
const decode: [string, number, () => unknown, () => unknown, () => unknown][] = [
  [
    'attester_duties',
    dutiesJsonText.length,
    () => dutiesCodec.fromJson(JSON.parse(dutiesJsonText), dutiesMeta),
    () => dutiesCodec.fromSsz!(dutiesSsz.bytes, dutiesMeta),
    () => AttesterDuties.fromJson((JSON.parse(dutiesJsonText) as { data: unknown }).data),
  ],
  [
    'validators',
    validatorsJsonText.length,
    () => validatorsCodec.fromJson(JSON.parse(validatorsJsonText), validatorsMeta),
    () => validatorsCodec.fromSsz!(validatorsSsz.bytes, validatorsMeta),
    () =>
      ValidatorResponsesSsz.fromJson(
        (JSON.parse(validatorsJsonText) as { data: Record<string, unknown>[] }).data.map((v) => ({
          ...v,
          status: '2',
        })),
      ),
  ],
];
const decodeFigures: Record<string, unknown> = {};
for (const [name, jsonBytes, fromJson, fromSsz, lenient] of decode) {
  const sszBytes = name === 'attester_duties' ? dutiesSsz.bytes.length : validatorsSsz.bytes.length;
  const j = medianMs(fromJson, runs);
  const s = medianMs(fromSsz, runs);
  const l = medianMs(lenient, runs);
  results.push({
    name: `decode/${name}/json_strict`,
    unit: 'ms',
    value: round(j, 3),
    baseline: round(l, 3),
    n: runs,
  });
  results.push({ name: `decode/${name}/ssz`, unit: 'ms', value: round(s, 3), n: runs });
  ratios[`decode/${name}/json_over_ssz`] = round(j / s, 2);
  ratios[`decode/${name}/strict_json_over_lenient_json`] = round(j / l, 2);
  decodeFigures[name] = {
    validators: N,
    jsonMs: round(j, 2),
    sszMs: round(s, 2),
    lenientJsonMs: round(l, 2),
    jsonBytes,
    sszBytes,
  };
  log(
    `  ${name.padEnd(16)} JSON ${round(j, 2)} ms (${jsonBytes} B)   SSZ ${round(s, 2)} ms (${sszBytes} B)   lenient JSON ${round(l, 2)} ms`,
  );
}

const figures = {
  quick,
  preset: 'mainnet',
  signingRootsPerSecond: signingFigures,
  decode: decodeFigures,
  note: 'signing roots: ours vs Lodestar config.getDomain + state-transition computeSigningRoot on the same values (roots checked equal first); decode: JSON includes JSON.parse of the text and strict validation, SSZ is the route codec on the bytes, lenient = @chainsafe/ssz fromJson',
};
process.stdout.write(
  `${JSON.stringify({ package: '@diva-dvt/beacon-api', node: process.version, cpu: cpus()[0]?.model ?? 'unknown', results, ratios, figures }, null, 2)}\n`,
);
