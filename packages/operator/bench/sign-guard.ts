// Benchmark of the attestation sign guard on a real slashing database file: the time for 1, 100 and
// 1,000 validators' guard checks of one slot (all asked in one macrotask, so one transaction and
// one fsync), against the baseline measured in the same run: the same checks one after another,
// each its own transaction (`checkAndRecordAttestation`). Median over several slots, a fresh file
// per size; the validators are registered in a first, unmeasured slot. One JSON document on stdout.
//   node --conditions=diva:source bench/sign-guard.ts [--dir DIR]   (default: the OS temp dir)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAttestationGuard } from '../src/sign-guard.ts';
import { createSlashingProtection, type SlashingProtection } from '../src/slashing-protection.ts';

const at = process.argv.indexOf('--dir');
const base = mkdtempSync(join(at > 0 ? (process.argv[at + 1] ?? tmpdir()) : tmpdir(), 'diva-bench-guard-'));
const gvr = new Uint8Array(32).fill(7);
const pubkeyOf = (i: number) => {
  const key = new Uint8Array(48);
  new DataView(key.buffer).setUint32(0, i);
  return key;
};
const root = (epoch: number) => new Uint8Array(32).fill(epoch & 0xff);
const value = (epoch: number) => ({
  slot: epoch * 32,
  index: 0,
  beaconBlockRoot: root(epoch),
  source: { epoch, root: root(epoch) },
  target: { epoch: epoch + 1, root: root(epoch + 1) },
});
const instance = new Uint8Array(32);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(size: number, slots: number, mode: 'guard' | 'sequential'): Promise<number> {
  const db: SlashingProtection = await createSlashingProtection({
    path: join(base, `${mode}-${size}.sqlite`),
    genesisValidatorsRoot: gvr,
  });
  const guards = Array.from({ length: size }, (_, i) => createAttestationGuard(db, pubkeyOf(i)));
  const slot = async (epoch: number) => {
    if (mode === 'guard') {
      const answers = await Promise.all(
        guards.map((g) => g.allow({ instance, value: value(epoch), root: root(epoch) })),
      );
      if (!answers.every(Boolean)) throw new Error('a check was refused');
      return;
    }
    for (let i = 0; i < size; i++) {
      const v = value(epoch);
      const r = await db.checkAndRecordAttestation({
        pubkey: pubkeyOf(i),
        sourceEpoch: v.source.epoch,
        targetEpoch: v.target.epoch,
        signingRoot: root(epoch),
      });
      if (!r.allowed) throw new Error('a check was refused');
    }
  };
  await slot(1);
  const times: number[] = [];
  for (let epoch = 2; epoch < 2 + slots; epoch++) {
    const start = performance.now();
    await slot(epoch);
    times.push(performance.now() - start);
  }
  await db.close();
  return median(times);
}

const sizes = [1, 100, 1000];
const results = [];
for (const size of sizes) {
  const guardMs = await measure(size, 15, 'guard');
  const sequentialMs = await measure(size, size >= 1000 ? 3 : 9, 'sequential');
  results.push({
    validators: size,
    guardBatchedMs: Number(guardMs.toFixed(3)),
    sequentialTransactionsMs: Number(sequentialMs.toFixed(3)),
    guardMicrosecondsPerCheck: Number(((guardMs * 1000) / size).toFixed(1)),
    speedup: Number((sequentialMs / guardMs).toFixed(1)),
  });
}
rmSync(base, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify(
    {
      benchmark: '@diva-dvt/operator sign-guard',
      node: process.version,
      note: 'attestation guard checks of one slot on a real file (WAL, synchronous=FULL): median ms per slot',
      results,
    },
    null,
    2,
  )}\n`,
);
