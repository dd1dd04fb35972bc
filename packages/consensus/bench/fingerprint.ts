// Prints a digest of simulator reports over a fixed mix of scenarios (honest, crashes, loss, random
// Byzantine faults, broken guards, both protocols), to check that a change of the simulator's or
// the state machines' speed left their behaviour unchanged: same digest before and after. The
// second digest leaves out byte counts, for changes of message sizes only (the stand-in crypto's).
//   node bench/fingerprint.ts [count]
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { qbftProtocol, rotationalProtocol } from '../src/index.ts';
import { simulateInstance } from '../src/sim/index.ts';
import { randomScenario } from '../test/helpers/scenarios.ts';

const count = Number(process.argv[2] ?? 200);
const parts: string[] = [];
const withoutBytes: string[] = [];
/** Decided roots labelled by first appearance, so the digest does not depend on the root function. */
const canonical = (r: ReturnType<typeof simulateInstance>) => {
  const labels = new Map<string, number>();
  const decisions = r.decisions.map((d) => {
    if (d === undefined) return -1;
    if (!labels.has(d)) labels.set(d, labels.size);
    return labels.get(d);
  });
  withoutBytes.push(JSON.stringify({ ...r, decisions, bytes: undefined }));
  return JSON.stringify({ ...r, decisions });
};
for (const protocol of [rotationalProtocol, qbftProtocol]) {
  for (let i = 0; i < count; i++) {
    for (const guard of ['durable', 'broken'] as const) {
      const r = simulateInstance(randomScenario(protocol, i, guard), i);
      parts.push(canonical(r));
    }
    const h = simulateInstance(
      { protocol, n: 16, t: 11, seed: 3, network: { latencyMs: 50, jitterMs: 10 } },
      i,
    );
    parts.push(canonical(h));
  }
}
const digest = (xs: string[]) => bytesToHex(sha256(utf8ToBytes(xs.join('\n'))));
process.stdout.write(`${digest(parts)}\nwithout byte counts: ${digest(withoutBytes)}\n`);
