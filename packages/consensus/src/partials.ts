/**
 * Partial signatures of one instance at one member: collected by root, checked on arrival or (lazily)
 * when a combination fails, combined, and turned into double-signing evidence when a member signs
 * two roots.
 */
import { equal, key, keyHex } from './bytes.ts';
import type { BodyReader } from './codec.ts';
import type { Evidence, PartialScheme } from './types.ts';

/**
 * Partials on one root: by member (arrays indexed by member), with the message that carried each
 * (for evidence) and whether it was checked, and the members in the order their partials arrived
 * (combination takes the first t).
 */
class Tally<P> {
  readonly key: string;
  readonly root: Uint8Array;
  size = 0;
  readonly members: number[] = [];
  readonly partial: (P | undefined)[];
  readonly message: (Uint8Array | undefined)[];
  readonly verified: boolean[];
  constructor(key: string, root: Uint8Array, n: number) {
    this.key = key;
    this.root = root;
    // Sized once for members 1..n (they grow otherwise, a reallocation at a time).
    this.partial = new Array(n + 1).fill(undefined);
    this.message = new Array(n + 1).fill(undefined);
    this.verified = new Array(n + 1).fill(false);
  }
  has(member: number): boolean {
    return this.partial[member] !== undefined;
  }
  add(member: number, partial: P, message: Uint8Array | undefined, verified: boolean): void {
    this.partial[member] = partial;
    this.message[member] = message;
    this.verified[member] = verified;
    this.members.push(member);
    this.size++;
  }
  remove(member: number): void {
    if (this.partial[member] === undefined) return;
    this.partial[member] = undefined;
    this.message[member] = undefined;
    this.verified[member] = false;
    this.members.splice(this.members.indexOf(member), 1);
    this.size--;
  }
}

export class Partials<P, S> {
  private readonly byRoot = new Map<string, Tally<P>>();
  /** Each member's first root (its tally), for double-signing evidence. */
  private readonly firstRoot: (Tally<P> | undefined)[] = [];
  private readonly doubleSigners: number[] = [];
  /** How many roots each member has a partial on here: at most two (the second is evidence). */
  private readonly rootCount: number[];
  /** The last root keyed: nearly every partial of an instance is on one root. */
  private lastRoot: Uint8Array | undefined;
  private lastRootKey = '';
  private readonly n: number;
  private readonly t: number;
  private readonly scheme: PartialScheme<P, S>;
  private readonly lazy: boolean;
  /** Counts a partial dropped as invalid. */
  private readonly dropped: (member: number) => void;
  private readonly evidence: (evidence: Evidence) => void;

  constructor(
    n: number,
    t: number,
    scheme: PartialScheme<P, S>,
    lazy: boolean,
    dropped: (member: number) => void,
    evidence: (evidence: Evidence) => void,
  ) {
    this.n = n;
    this.t = t;
    this.scheme = scheme;
    this.lazy = lazy;
    this.dropped = dropped;
    this.evidence = evidence;
    this.rootCount = new Array(n + 1).fill(0);
  }

  /** Reads a 32-byte root from the opened message's body (the last root keyed, if equal: no copy). */
  readRoot(reader: BodyReader): Uint8Array {
    const last = this.lastRoot;
    return last === undefined ? reader.fixed(32) : reader.fixedOr(last);
  }

  keyOf(root: Uint8Array): string {
    const last = this.lastRoot;
    if (last !== undefined && (last === root || equal(last, root))) return this.lastRootKey;
    this.lastRoot = new Uint8Array(root);
    this.lastRootKey = key(root);
    return this.lastRootKey;
  }

  /** Drops an unverified partial that turned out invalid (counted), so a valid one may replace it. */
  private forget(member: number, tally: Tally<P>): void {
    if (tally.has(member)) this.rootCount[member]!--;
    tally.remove(member);
    if (this.firstRoot[member] === tally) this.firstRoot[member] = undefined;
    this.dropped(member);
  }

  /**
   * Records a partial from `member` on `root`: verified now, or (with `partialVerification:
   * 'on-combine'`) when a combination including it fails or evidence needs it; `trusted` marks this
   * member's own. Returns the root's key, or undefined if the partial is dropped. A member's second
   * root produces double-signing evidence (both partials verified first), once both came in messages
   * the member signed: `message` is undefined for a partial shown in a leader's justification.
   * `check` verifies it now whatever the mode (before the value that came with it is kept). A member
   * has partials on at most two roots here: a third is dropped unread (no honest member signs two).
   */
  add(
    member: number,
    root: Uint8Array,
    partialBytes: Uint8Array,
    message: Uint8Array | undefined,
    trusted = false,
    check = false,
  ): string | undefined {
    const scheme = this.scheme;
    const rootKey = this.keyOf(root);
    if (this.rootCount[member]! >= 2 && !this.byRoot.get(rootKey)?.has(member) && !this.roomFor(member)) {
      this.dropped(member);
      return undefined;
    }
    let partial: P;
    try {
      partial = scheme.decodePartial(partialBytes);
    } catch {
      this.dropped(member);
      return undefined;
    }
    let verified = trusted;
    if (!verified && (!this.lazy || check)) {
      if (!scheme.verifyPartial(member, root, partial)) {
        this.dropped(member);
        return undefined;
      }
      verified = true;
    }
    let before = this.firstRoot[member];
    if (
      before !== undefined &&
      before.key !== rootKey &&
      message !== undefined &&
      !this.doubleSigners.includes(member)
    ) {
      // Evidence must hold up: both partials valid.
      if (!verified) {
        if (!scheme.verifyPartial(member, root, partial)) {
          this.dropped(member);
          return undefined;
        }
        verified = true;
      }
      if (!before.verified[member]) {
        if (scheme.verifyPartial(member, before.root, before.partial[member]!))
          before.verified[member] = true;
        else {
          this.forget(member, before);
          before = undefined;
        }
      }
      if (before !== undefined) {
        this.doubleSigners.push(member);
        this.evidence({
          kind: 'double-signed-partial',
          member,
          messages: [before.message[member]!, message],
        });
      }
    }
    let tally = this.byRoot.get(rootKey);
    if (tally === undefined) {
      // Messages are kept as handed in (also for evidence), so the root can be too.
      tally = new Tally(rootKey, root, this.n);
      this.byRoot.set(rootKey, tally);
    }
    if (!tally.has(member)) {
      tally.add(member, partial, message, verified);
      this.rootCount[member]!++;
    } else if (tally.message[member] === undefined) tally.message[member] = message;
    // Only a partial in a message the member signed can be evidence: a first root is one of those.
    if (before === undefined && message !== undefined) this.firstRoot[member] = tally;
    return rootKey;
  }

  /**
   * Whether a member with partials on two roots may get a third: only if checking its unchecked
   * ones (with `'on-combine'`) drops one (garbage must not use up an honest member's two roots).
   */
  private roomFor(member: number): boolean {
    if (!this.lazy) return false;
    for (const tally of this.byRoot.values())
      if (tally.has(member) && !tally.verified[member]) {
        if (this.scheme.verifyPartial(member, tally.root, tally.partial[member]!))
          tally.verified[member] = true;
        else this.forget(member, tally);
      }
    return this.rootCount[member]! < 2;
  }

  /**
   * Verified partials held, by root key, from members that signed no other root here (unverified
   * ones, with `partialVerification: 'on-combine'`, are checked first and the invalid dropped): what
   * a leader weighs when it re-proposes and a member when it checks that choice. A member with
   * partials on two roots is faulty (no honest member signs two) and would sign anything: it says
   * nothing about which value honest members can still sign, so it weighs for neither.
   */
  verifiedCounts(): Map<string, number> {
    if (this.lazy)
      for (const tally of this.byRoot.values())
        for (const member of [...tally.members]) {
          if (tally.verified[member]) continue;
          if (this.scheme.verifyPartial(member, tally.root, tally.partial[member]!))
            tally.verified[member] = true;
          else this.forget(member, tally);
        }
    const counts = new Map<string, number>();
    for (const [root, tally] of this.byRoot) {
      let count = 0;
      for (const member of tally.members) if (this.rootCount[member] === 1) count++;
      if (count > 0) counts.set(root, count);
    }
    return counts;
  }

  /** The verified partials on the root with key `root`, encoded, by member (a leader shows them). */
  verifiedPartials(root: string): Map<number, Uint8Array> {
    const out = new Map<number, Uint8Array>();
    const tally = this.byRoot.get(root);
    if (tally !== undefined)
      for (const member of tally.members)
        if (tally.verified[member]) out.set(member, this.scheme.encodePartial(tally.partial[member]!));
    return out;
  }

  /** How many partials are held on the root with key `root`. */
  count(root: string): number {
    return this.byRoot.get(root)?.size ?? 0;
  }

  /** Combines the first t partials on a root; the signature if it verifies. */
  private combineFirst(tally: Tally<P>, rootBytes: Uint8Array): S | undefined {
    const t = this.t;
    const chosen: { member: number; partial: P }[] = [];
    for (const member of tally.members) {
      if (chosen.length === t) break;
      chosen.push({ member, partial: tally.partial[member]! });
    }
    const signature = this.scheme.combine(rootBytes, chosen);
    return this.scheme.verifyCombined(rootBytes, signature) ? signature : undefined;
  }

  /**
   * Combines the first t partials on the root with key `root` (bytes `rootBytes`); the signature if
   * it verifies. When it does not and some were not checked, checks those, drops the invalid ones
   * and tries again.
   */
  combine(root: string, rootBytes: Uint8Array): S | undefined {
    const tally = this.byRoot.get(root);
    if (tally === undefined || tally.size < this.t) return undefined;
    let signature = this.combineFirst(tally, rootBytes);
    if (signature === undefined && this.lazy) {
      // Some partial is bad: check the unverified ones, drop the invalid, try again.
      for (const member of [...tally.members]) {
        if (tally.verified[member]) continue;
        if (this.scheme.verifyPartial(member, rootBytes, tally.partial[member]!))
          tally.verified[member] = true;
        else this.forget(member, tally);
      }
      if (tally.size >= this.t) signature = this.combineFirst(tally, rootBytes);
    }
    return signature;
  }

  /** Signers by root, canonically ordered. */
  describe(): string {
    const roots = [...this.byRoot.values()]
      .map((tally) => `${keyHex(tally.key)}:${[...tally.members].sort().join('.')}`)
      .sort();
    return `p[${roots.join(',')}]`;
  }
}
