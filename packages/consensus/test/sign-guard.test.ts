// The sign guard (issue 14, item 9): a slashing database answers asynchronously, so an instance
// holds its partial until the guard's answer is in and sends none when it refuses; and the runtime
// keys the guard by what Ethereum slashes, so a duty re-run under a new instance id is refused too.
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  type ConsensusInstance,
  type ConsensusOutput,
  createQbftInstance,
  createRotationalInstance,
  leaderOrder,
  RotationalKind,
  type SignGuard,
  type SignRequest,
  type ValueType,
} from '../src/index.ts';
import { createMemoryGuard, createSimAuth, createSimScheme, simValueType } from '../src/sim/index.ts';

const n = 4;
const t = 3;
const leaderSeed = new Uint8Array(32).fill(1);
const kindOf = (bytes: Uint8Array) => bytes[2];

/** A guard whose answers the test gives: each request waits until `answer` is called. */
function deferredGuard<V>() {
  const asked: { request: SignRequest<V>; answer: (allowed: boolean | Error) => void }[] = [];
  const guard: SignGuard<V> = {
    allow: (request) =>
      new Promise<boolean>((resolve, reject) =>
        asked.push({ request, answer: (a) => (a instanceof Error ? reject(a) : resolve(a)) }),
      ),
  };
  return { guard, asked };
}

function member<V>(
  self: number,
  instance: Uint8Array,
  guard: SignGuard<V>,
  valueType: ValueType<V>,
  create = createRotationalInstance,
): ConsensusInstance<V, unknown> {
  return create({
    n,
    t,
    self,
    instance,
    leaderSeed,
    valueType,
    scheme: createSimScheme(n, t, 1, self),
    auth: createSimAuth(n, 1, self),
    guard,
  });
}

describe('an asynchronous sign guard', () => {
  const instance = new Uint8Array(32).fill(7);
  const leader = leaderOrder(n, instance, leaderSeed)[0]!;
  const value = new Uint8Array(32).fill(3);

  it('holds the partial until the guard allows it, then hands it out as the pending output', async () => {
    const { guard, asked } = deferredGuard<Uint8Array>();
    const m = member(leader, instance, guard, simValueType);
    const out = m.start(value);
    // The proposal leaves; the vote (the partial) does not, yet.
    expect(out.messages.map((x) => kindOf(x.bytes))).toEqual([RotationalKind.Proposal]);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.request.value).toEqual(value);
    expect(out.pending).toBeDefined();
    asked[0]!.answer(true);
    const later = await out.pending!;
    expect(later.messages.map((x) => kindOf(x.bytes))).toEqual([RotationalKind.Vote]);
  });

  it('sends no partial when the guard refuses, rejects or throws', async () => {
    for (const answer of [false, new Error('database unavailable')]) {
      const { guard, asked } = deferredGuard<Uint8Array>();
      const out = member(leader, instance, guard, simValueType).start(value);
      asked[0]!.answer(answer);
      const later = await out.pending!;
      expect(later.messages).toEqual([]);
      expect(later.pending).toBeUndefined();
    }
    const throwing: SignGuard<Uint8Array> = {
      allow: () => {
        throw new Error('database unavailable');
      },
    };
    const out = member(leader, instance, throwing, simValueType).start(value);
    expect(out.messages.map((x) => kindOf(x.bytes))).toEqual([RotationalKind.Proposal]);
    expect(out.pending).toBeUndefined();
  });

  it.each([
    ['rotational', createRotationalInstance],
    ['qbft', createQbftInstance],
  ] as const)('lets a %s committee decide when every guard answers later', async (_name, create) => {
    // Guards that record durably (a memory guard) and answer on a later turn of the event loop.
    const members = Array.from({ length: n }, (_, i) => {
      const durable = createMemoryGuard<Uint8Array>();
      const guard: SignGuard<Uint8Array> = {
        allow: (request) => new Promise((resolve) => setImmediate(() => resolve(durable.allow(request)))),
      };
      return member(i + 1, instance, guard, simValueType, create);
    });
    const waiting: Promise<void>[] = [];
    const deliver = (from: number, out: ConsensusOutput<Uint8Array, unknown>): void => {
      if (out.pending) waiting.push(out.pending.then((next) => deliver(from, next)));
      for (const { bytes } of out.messages)
        members.forEach((m, i) => {
          if (i !== from) deliver(i, m.handle(bytes));
        });
    };
    members.forEach((m, i) => {
      deliver(i, m.start(value));
    });
    while (waiting.length > 0) await waiting.shift();
    const roots = members.map((m) => m.decision()?.root);
    expect(roots[0]).toBeDefined();
    for (const root of roots) expect(root).toEqual(roots[0]);
  });
});

/** A block as the guard sees it: its slot, and the rest. */
interface Block {
  readonly slot: number;
  readonly body: Uint8Array;
}
const blockType: ValueType<Block> = {
  encode: (b) => {
    const out = new Uint8Array(8 + b.body.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(b.slot));
    out.set(b.body, 8);
    return out;
  },
  decode: (bytes) => ({
    slot: Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0)),
    body: bytes.slice(8),
  }),
  isValid: (b) => Number.isSafeInteger(b.slot) && b.body.length === 32,
  signingRoot: (b) => sha256(blockType.encode(b)),
};

describe('a guard keyed by what Ethereum slashes', () => {
  const first = new Uint8Array(32).fill(1);
  // A second instance id for the same duty (a re-run) whose round-1 leader is the first's.
  const leader = leaderOrder(n, first, leaderSeed)[0]!;
  let k = 2;
  while (leaderOrder(n, new Uint8Array(32).fill(k), leaderSeed)[0] !== leader) k++;
  const rerun = new Uint8Array(32).fill(k);
  const blockX = { slot: 5, body: new Uint8Array(32).fill(0xaa) };
  const blockY = { slot: 5, body: new Uint8Array(32).fill(0xbb) };
  const votes = (out: ConsensusOutput<Block, unknown>) =>
    out.messages.filter((x) => kindOf(x.bytes) === RotationalKind.Vote).length;

  it('refuses a second block for the same slot when the duty is re-run under a new instance id', () => {
    const guard = createMemoryGuard<Block>({ key: (r) => `block/validator-9/${r.value.slot}` });
    expect(votes(member(leader, first, guard, blockType).start(blockX))).toBe(1);
    expect(votes(member(leader, rerun, guard, blockType).start(blockY))).toBe(0);
    // The same block again is allowed (signing one root twice is not slashable).
    expect(votes(member(leader, rerun, guard, blockType).start(blockX))).toBe(1);
    expect([...guard.signed.keys()]).toEqual(['block/validator-9/5']);
  });

  it('would sign both blocks if keyed by instance id (the hazard the key removes)', () => {
    const guard = createMemoryGuard<Block>();
    expect(votes(member(leader, first, guard, blockType).start(blockX))).toBe(1);
    expect(votes(member(leader, rerun, guard, blockType).start(blockY))).toBe(1);
  });
});
