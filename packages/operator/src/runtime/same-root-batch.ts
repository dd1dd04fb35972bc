// Same-root batch verification of group signatures (decision 44). In a slot, the validators a node
// serves mostly sign one message: after Electra every attester of a slot signs the same attestation
// data, and the sync committee members sign the same head. Each validator's designated combiner
// sends its committee the group signature (a consensus DECIDED, or a COMBINED frame), and checking
// one costs a hash to G2 and two pairings (~0.9 ms with blst). Received group signatures are held
// until the end of the event-loop turn (one `setImmediate`), grouped by the message they sign, and
// each group of two or more is checked at once: the keys and signatures combined with random 64-bit
// scalars (blst's `aggregateWithRandomness`), then one verification. A group that passes marks its
// signatures verified for their own validator only (a per-validator `VerifiedSignatures`), the
// messages are delivered as before, and the consensus instance's `verifyCombined` finds the mark
// instead of pairing again. A group that fails marks nothing: each message is then checked alone on
// the normal path, which drops the bad one and reports its sender. Safety is unchanged: a signature
// is accepted only if it verifies under its validator's group key, alone or in a batch.
import type { Bls, PublicKey, Signature, ThresholdScheme } from '@diva-dvt/bls-threshold';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * One validator's group signatures checked by a batch, by their bytes, for the turn in which the
 * batch's messages are delivered.
 */
export class VerifiedSignatures {
  readonly #byBytes = new Map<string, { root: Uint8Array; signature: Signature }>();
  readonly #roots = new WeakMap<Signature, Uint8Array>();

  add(bytes: Uint8Array, root: Uint8Array, signature: Signature): void {
    this.#byBytes.set(hex(bytes), { root, signature });
  }

  /** Forgets what `add` put under `bytes` (the batch's turn is over). */
  discard(bytes: Uint8Array): void {
    this.#byBytes.delete(hex(bytes));
  }

  /** The decoded signature if a batch verified these bytes; it then counts as verified over its root. */
  take(bytes: Uint8Array): Signature | undefined {
    if (this.#byBytes.size === 0) return undefined;
    const hit = this.#byBytes.get(hex(bytes));
    if (hit === undefined) return undefined;
    this.#roots.set(hit.signature, hit.root);
    return hit.signature;
  }

  /** Whether `signature` came from `take` and its batch verified it over `root`. */
  verified(root: Uint8Array, signature: Signature): boolean {
    const known = this.#roots.get(signature);
    return known !== undefined && equal(known, root);
  }
}

/** `scheme`, whose decoding and combined-signature check consult `verified` first. */
export function withVerifiedSignatures(
  scheme: ThresholdScheme,
  verified: VerifiedSignatures,
): ThresholdScheme {
  return {
    ...scheme,
    decodeSignature: (bytes) => verified.take(bytes) ?? scheme.decodeSignature(bytes),
    verifyCombined: (root, signature) =>
      verified.verified(root, signature) || scheme.verifyCombined(root, signature),
  };
}

/** A group signature a session found in a received message, before the message is delivered. */
export interface ReceivedCombined {
  /** Equal for messages over the same signing root (computed at most once per key and turn). */
  readonly key: string;
  readonly signature: Uint8Array;
  /** The signing root; may throw for a value the session would refuse. */
  readonly root: () => Uint8Array;
}

interface Held {
  readonly verified: VerifiedSignatures;
  readonly groupKey: PublicKey;
  readonly combined: ReceivedCombined | undefined;
  readonly deliver: () => void;
}

export interface BatchStats {
  /** Signatures checked in groups of two or more. */
  batched: number;
  /** Groups checked. */
  groups: number;
  /** Groups that failed (each of their signatures then checked alone). */
  failedGroups: number;
}

/** Holds received group signatures until the end of the turn and checks them by signing root. */
export class SameRootBatch {
  readonly #bls: Bls;
  #held: Held[] = [];
  #scheduled = false;
  readonly stats: BatchStats = { batched: 0, groups: 0, failedGroups: 0 };

  constructor(bls: Bls) {
    this.#bls = bls;
  }

  /** Whether messages wait for the end of this turn (later ones wait too, to keep their order). */
  get holding(): boolean {
    return this.#held.length > 0;
  }

  /**
   * Delivers the message with `deliver` at the end of this turn, after checking `combined` with the
   * others of the turn over the same root. Messages keep their order of arrival.
   */
  hold(
    verified: VerifiedSignatures,
    groupKey: PublicKey,
    combined: ReceivedCombined | undefined,
    deliver: () => void,
  ): void {
    this.#held.push({ verified, groupKey, combined, deliver });
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    const held = this.#held;
    this.#held = [];
    this.#scheduled = false;
    const byKey = new Map<string, Held[]>();
    for (const h of held) {
      if (h.combined === undefined) continue;
      const group = byKey.get(h.combined.key);
      if (group === undefined) byKey.set(h.combined.key, [h]);
      else group.push(h);
    }
    const marked: Held[] = [];
    for (const group of byKey.values()) {
      if (group.length < 2) continue;
      const checked = this.#check(group);
      if (checked !== undefined) marked.push(...checked);
    }
    try {
      for (const h of held) h.deliver();
    } finally {
      for (const h of marked) h.verified.discard(h.combined!.signature);
    }
  }

  /** Checks one group; marks and returns its members if the batch verifies. */
  #check(group: Held[]): Held[] | undefined {
    let root: Uint8Array;
    const items: { publicKey: PublicKey; signature: Signature }[] = [];
    try {
      root = group[0]!.combined!.root();
      for (const h of group) {
        items.push({ publicKey: h.groupKey, signature: this.#bls.signatureFromBytes(h.combined!.signature) });
      }
    } catch {
      return undefined; // a value or signature the normal path will drop
    }
    this.stats.groups++;
    if (!this.#bls.verifySameMessage(root, items)) {
      this.stats.failedGroups++;
      return undefined;
    }
    this.stats.batched += group.length;
    for (const [i, h] of group.entries()) h.verified.add(h.combined!.signature, root, items[i]!.signature);
    return group;
  }
}
