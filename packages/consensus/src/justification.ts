/**
 * The leader-choice rule of rotational rounds >= 2 and its justification (issue 14, items 1-3). The
 * leader of round r >= 2 proposes the value with the most verified partials it holds (`mostSigned`)
 * and sends, along with its PROPOSAL, a JUSTIFICATION: t round changes of round r from distinct
 * members and the verified partials on that value it holds (votes of earlier rounds included). A
 * member votes on such a proposal only once it holds a valid justification of that round, and only
 * if no other root holds more verified partials in its view, the justification's included
 * (`rightChoice`): the leader-choice rule, checked by every member before it signs. Members that
 * signed two roots weigh for neither. The round-1 fast path is unchanged.
 *
 * The PROPOSAL stays its own message (value only, signed by the leader): round changes embed it as
 * evidence and it never embeds another round's justification, so no message nests without bound.
 */
import { equal } from './bytes.ts';
import { BodyReader, decodeWire, lengthPrefixed, malformed, writeFields } from './codec.ts';
import type { Core } from './core.ts';

/** The round-change kind (as in `RotationalKind`; here to avoid an import cycle). */
const ROUND_CHANGE = 3;

/** A round change a member holds: the root it claims (a key, null for none) and its bytes. */
export interface HeldRoundChange {
  readonly root: string | null;
  readonly bytes: Uint8Array;
}

/**
 * The body of a justification for `root` (key `rootKey`): t round changes (those claiming nothing
 * first, then those claiming the root, then the rest, each by sender: what a leader sends depends on
 * what it holds, not on the order it came in), the root, and the other verified partials on it the
 * leader holds (by member). Body: u8 count ‖ count × (u32 length ‖ round change) ‖ root [32] ‖
 * u8 count ‖ count × (u16 member ‖ u32 length ‖ partial).
 */
export function encodeJustification(
  roundChanges: ReadonlyMap<number, HeldRoundChange>,
  root: Uint8Array,
  rootKey: string,
  t: number,
  partials: ReadonlyMap<number, Uint8Array>,
): Uint8Array {
  const picked: Uint8Array[] = [];
  const covered: number[] = [];
  const bySender = [...roundChanges].sort((x, y) => x[0] - y[0]);
  for (const pass of [0, 1, 2])
    for (const [sender, rc] of bySender) {
      if (picked.length === t) break;
      const category = rc.root === null ? 0 : rc.root === rootKey ? 1 : 2;
      if (category !== pass) continue;
      picked.push(rc.bytes);
      if (category === 1) covered.push(sender);
    }
  const shown = [...partials].filter(([m]) => !covered.includes(m)).sort((x, y) => x[0] - y[0]);
  const fields: (Uint8Array | number | { u8: number })[] = [{ u8: picked.length }];
  for (const rc of picked) fields.push(lengthPrefixed(rc));
  fields.push(root, { u8: shown.length });
  for (const [member, partial] of shown)
    fields.push({ u8: member >>> 8 }, { u8: member & 0xff }, lengthPrefixed(partial));
  return writeFields(...fields);
}

/** What a received justification showed: its round changes of the round (sender, root claimed, bytes). */
export interface ReadJustification {
  readonly roundChanges: readonly (readonly [number, string | null, Uint8Array])[];
  /** Roots that received partials (to try deciding on). */
  readonly roots: readonly string[];
}

/**
 * Reads a justification of round `round` (its body; throws if malformed): each round change must be
 * a validly signed rotational round change of this instance and round (others are skipped) and
 * counts once per sender; every partial it carries and every partial shown is recorded, checked as
 * any partial is (shown partials are no evidence: the member did not sign the message). The
 * justification holds when t distinct members' round changes are among them.
 *
 * A justification listing more than n round changes or n partials is malformed and read no further
 * (`count` below): an honest leader sends t round changes and fewer than n partials, while the
 * one-byte counts would let a faulty leader make every member check up to 255 message signatures
 * and 510 partials per justification (a round change that fails its check is not counted for its
 * sender, so the same one can be listed again).
 */
export function readJustification<V, P, S>(
  core: Core<V, P, S>,
  body: Uint8Array,
  round: number,
  protocol: number,
): ReadJustification {
  const { params } = core;
  const reader = new BodyReader(body);
  const count = (what: string) => {
    const c = reader.u8();
    if (c > core.n) throw malformed('body', `a justification lists ${c} ${what}, more than n = ${core.n}`);
    return c;
  };
  const messages: Uint8Array[] = [];
  for (let c = count('round changes'); c > 0; c--) messages.push(reader.bytesField());
  const root = reader.fixed(32);
  const shown: [number, Uint8Array][] = [];
  for (let c = count('partials'); c > 0; c--) {
    const member = (reader.u8() << 8) | reader.u8();
    shown.push([member, reader.bytesField()]);
  }
  reader.end();
  const roundChanges: [number, string | null, Uint8Array][] = [];
  const roots: string[] = [];
  for (const bytes of messages) {
    let m: ReturnType<typeof decodeWire>;
    try {
      m = decodeWire(bytes, params.maxMessageBytes);
    } catch {
      continue;
    }
    if (m.protocol !== protocol || m.kind !== ROUND_CHANGE || m.round !== round) continue;
    if (!equal(m.instance, params.instance) || m.sender < 1 || m.sender > core.n) continue;
    if (roundChanges.some(([s]) => s === m.sender)) continue;
    if (!params.auth.verify(m.sender, m.signed, m.signature)) continue;
    const rc = new BodyReader(m.body);
    try {
      let rootKey: string | null = null;
      if (rc.u8() === 1) {
        const value = rc.bytesField();
        const partial = rc.bytesField();
        rc.bytesField();
        rc.end();
        const decoded = core.decodeValue(value);
        if (!decoded) continue;
        rootKey = core.partials.add(m.sender, decoded.root, partial, bytes, false, true) ?? null;
        if (rootKey === null) continue;
        core.learnValue(decoded.root, decoded.value, value);
        if (!roots.includes(rootKey)) roots.push(rootKey);
      } else rc.end();
      roundChanges.push([m.sender, rootKey, bytes]);
    } catch {
      // malformed inside: skipped
    }
  }
  for (const [member, partial] of shown) {
    if (member < 1 || member > core.n) continue;
    const rootKey = core.partials.add(member, root, partial, undefined, false, true);
    if (rootKey !== undefined && !roots.includes(rootKey)) roots.push(rootKey);
  }
  return { roundChanges, roots };
}

/**
 * Whether `root` is a right choice in this member's view: no other root is supported by more members
 * that signed only it than `root` has verified partials (any signer's: a faulty member's partial on
 * `root` counts towards its decision, and on another root says nothing about honest members),
 * counting only roots whose value is known or that more than f members signed (the roots a leader
 * weighs). Ties are allowed (the leader breaks them by root). A leader's choice by `mostSigned`
 * passes it in the leader's own view.
 */
export function rightChoice<V, P, S>(core: Core<V, P, S>, root: string): boolean {
  const counts = core.partials.verifiedCounts(); // (checks the unchecked partials first)
  const mine = core.partials.count(root);
  for (const [other, count] of counts)
    if (other !== root && count > mine && (count > core.f || core.knownValue(other) !== undefined))
      return false;
  return true;
}

/**
 * The root a leader re-proposes: the one with the most verified partials held from any message
 * (votes of earlier rounds included, not only the claims of the round changes), ties broken by
 * root. Roots whose value is unknown are passed over, unless one is signed by more than f members
 * and leads: an honest member signed it and its round change will bring the value, so the leader
 * waits for it (null). Undefined when no root with a known value has a partial.
 */
export function mostSigned<V, P, S>(core: Core<V, P, S>): string | null | undefined {
  let best: string | undefined;
  let bestCount = 0;
  let unknownCount = 0;
  for (const [root, count] of core.partials.verifiedCounts()) {
    if (core.knownValue(root) === undefined) {
      if (count > core.f) unknownCount = Math.max(unknownCount, count);
      continue;
    }
    if (count > bestCount || (count === bestCount && best !== undefined && root < best)) {
      best = root;
      bestCount = count;
    }
  }
  return unknownCount > bestCount ? null : best;
}
