import { createRotationalInstance } from '../src/index.ts';
import { createMemoryGuard, createSimAuth, createSimScheme, simValueType } from '../src/sim/index.ts';
import { sha256 } from '@noble/hashes/sha2.js';
const n = 16, t = 11;
const instance = sha256(new Uint8Array([1]));
const leaderSeed = sha256(new Uint8Array([2]));
const value = sha256(new Uint8Array([3]));
const opts = { immutableInputs: true };
const mk = (j: number) => createRotationalInstance({ n, t, self: j, instance, leaderSeed, valueType: simValueType, scheme: createSimScheme(n, t, 7, j, opts), auth: createSimAuth(n, 7, j, opts), guard: createMemoryGuard() });
// Run all 16 with synchronous broadcast to collect the messages each member receives.
const members = Array.from({ length: n + 1 }, (_, j) => (j === 0 ? undefined : mk(j)));
const inbox: Uint8Array[][] = Array.from({ length: n + 1 }, () => []);
const queue: { from: number; bytes: Uint8Array }[] = [];
for (let j = 1; j <= n; j++) for (const m of members[j]!.start(value).messages) queue.push({ from: j, bytes: m.bytes });
while (queue.length) { const { from, bytes } = queue.shift()!; for (let k = 1; k <= n; k++) if (k !== from) { inbox[k]!.push(bytes); for (const m of members[k]!.handle(bytes).messages) queue.push({ from: k, bytes: m.bytes }); } }
console.log('inbox sizes', inbox.slice(1).map((x) => x.length).join(','), 'decided', members.slice(1).filter((m) => m!.decision()).length);
// Now time: fresh member 5 handles its inbox (proposal, votes, decided...), repeated.
const R = 20000;
for (const label of ['warm', 'timed']) {
  const s = performance.now();
  for (let r = 0; r < R; r++) { const m = mk(5); m.start(value); for (const b of inbox[5]!) m.handle(b); }
  if (label === 'timed') console.log('us per member-instance', ((performance.now() - s) * 1000) / R);
}
const s2 = performance.now();
for (let r = 0; r < R; r++) { const m = mk(5); m.start(value); }
console.log('us per create+start', ((performance.now() - s2) * 1000) / R);
