/**
 * The simulator's Byzantine members: what each strategy sends instead of what its (honest) state
 * machine produced, the double voter's extra partials, and the round-change spam. Byzantine members
 * coordinate: they share the two values they play against each other (A and B) and, for the
 * cross-round split, one division of the honest members into two sides.
 */
import { attachSignature, decodeWire, encodeUnsigned } from '../codec.ts';
import type { MessageAuthenticator, PartialScheme } from '../types.ts';
import type { ByzantineStrategy, Faults } from './config.ts';
import type { ForgingHooks } from './forging.ts';
import type { Rng } from './random.ts';
import { SIM_SIGNATURE_BYTES, simValueType } from './scheme.ts';

export interface ByzantineContext {
  readonly n: number;
  readonly protocolId: number;
  readonly hooks: ForgingHooks;
  readonly instance: Uint8Array;
  readonly auths: readonly MessageAuthenticator[];
  readonly schemes: readonly PartialScheme<unknown, unknown>[];
  /** The simulation's random source (drawn from in the order the events happen). */
  readonly rng: Rng;
  readonly valueA: Uint8Array;
  readonly valueB: Uint8Array;
  readonly byzantine: ReadonlyMap<number, ByzantineStrategy>;
  readonly faults: Faults;
  readonly honest: readonly number[];
  /** Sends `payload` from `from` to `to` at virtual time `at` over the modelled network. */
  readonly transmit: (from: number, to: number, payload: Uint8Array, at: number) => void;
}

export interface ByzantineMembers {
  /** What Byzantine member `j` sends to `to` instead of `payload` (its state machine's output). */
  out(j: number, payload: Uint8Array, to: number): Uint8Array[];
  /**
   * A double-voting member signs a partial for every proposal it sees, and for the other value of
   * the two an equivocating leader uses.
   */
  doubleVote(j: number, payload: Uint8Array, at: number): void;
  /** A round-change spammer's round changes for rounds 2-59, sent at `at`. */
  spam(j: number, at: number): void;
}

export function createByzantineMembers(ctx: ByzantineContext): ByzantineMembers {
  const { n, hooks, instance, auths, schemes, rng, valueA, valueB, byzantine, faults, transmit } = ctx;
  /**
   * The cross-round split's side A (`Faults.crossRoundSideA`, else the first half of the honest
   * members), who get A from a Byzantine round-1 leader; the others get B from a later one.
   */
  const sideA = new Array<boolean>(n + 1).fill(false);
  for (const m of faults.crossRoundSideA ?? ctx.honest.slice(0, Math.floor(ctx.honest.length / 2)))
    sideA[m] = true;

  const forge = (j: number, kind: number, round: number, body: Uint8Array) => {
    const signed = encodeUnsigned(ctx.protocolId, kind, instance, round, j, body);
    return attachSignature(signed, auths[j]!.sign(signed));
  };

  const out = (j: number, payload: Uint8Array, to: number): Uint8Array[] => {
    const strategy = byzantine.get(j);
    if (!strategy) return [payload];
    const m = decodeWire(payload);
    switch (strategy) {
      case 'equivocating-leader':
        // Value A to odd members, B to even ones.
        if (m.kind === hooks.kinds.proposal) {
          return [forge(j, m.kind, m.round, hooks.proposalBody(to % 2 === 0 ? valueB : valueA, m.body))];
        }
        return [payload];
      case 'silent-leader':
        return m.kind === hooks.kinds.proposal ? [] : [payload];
      case 'bad-partials':
        return m.kind === hooks.kinds.vote
          ? [forge(j, m.kind, m.round, hooks.corruptVote(m.body, rng.bytes(SIM_SIGNATURE_BYTES)))]
          : [payload];
      case 'double-vote':
        // Its own honest votes are replaced by the forged ones (see doubleVote); it announces nothing.
        if (m.kind === hooks.kinds.vote || m.kind === hooks.kinds.decided) return [];
        if (m.kind === hooks.kinds.roundChange)
          return [forge(j, m.kind, m.round, hooks.emptyRoundChangeBody())];
        if (m.kind === hooks.kinds.proposal && faults.splitBrain) {
          const b = m.round > 1 || faults.splitBrain.minority.includes(to);
          return [forge(j, m.kind, m.round, hooks.proposalBody(b ? valueB : valueA, m.body))];
        }
        return [payload];
      case 'cross-round-split':
        // Leading round 1: A to side A only. Leading a later round: B to the other side only (with
        // whatever justification its state machine built). Its own partials are withheld.
        if (m.kind === hooks.kinds.proposal) {
          if (m.round === 1)
            return sideA[to] ? [forge(j, m.kind, 1, hooks.proposalBody(valueA, m.body))] : [];
          return sideA[to] ? [] : [forge(j, m.kind, m.round, hooks.proposalBody(valueB, m.body))];
        }
        return withheld(j, m, payload);
      case 'equivocating-withholding':
        if (m.kind === hooks.kinds.proposal)
          return [forge(j, m.kind, m.round, hooks.proposalBody(to % 2 === 0 ? valueB : valueA, m.body))];
        return withheld(j, m, payload);
      case 'withheld-partials':
        return withheld(j, m, payload);
      default:
        return [payload];
    }
  };

  /** No votes, and round changes that claim nothing: the member's partials are withheld. */
  const withheld = (j: number, m: ReturnType<typeof decodeWire>, payload: Uint8Array): Uint8Array[] => {
    if (m.kind === hooks.kinds.vote) return [];
    if (m.kind === hooks.kinds.roundChange) return [forge(j, m.kind, m.round, hooks.emptyRoundChangeBody())];
    return [payload];
  };

  const doubleVote = (j: number, payload: Uint8Array, at: number) => {
    let m: ReturnType<typeof decodeWire>;
    try {
      m = decodeWire(payload);
      if (m.kind !== hooks.kinds.proposal) return;
      hooks.proposalValue(m.body);
    } catch {
      return; // not a message this strategy reacts to
    }
    const seen = hooks.proposalValue(m.body);
    const isA = seen.every((b, i) => b === valueA[i]);
    const isB = seen.every((b, i) => b === valueB[i]);
    const split = faults.splitBrain;
    const targets = split ? (m.round === 1 ? [valueA] : [valueB]) : isA || isB ? [valueA, valueB] : [seen];
    for (const value of targets) {
      const root = simValueType.signingRoot(value);
      const partial = schemes[j]!.encodePartial(schemes[j]!.signPartial(root));
      const extra = [
        ...(hooks.extraVotes?.(m.round, value, root) ?? []),
        { kind: hooks.kinds.vote, body: hooks.voteBody(root, value, partial) },
      ];
      const directed = split !== undefined && value === valueA;
      for (const x of extra) {
        const forged = forge(j, x.kind, m.round, x.body);
        for (let to = 1; to <= n; to++) {
          if (to !== j && (!directed || to === split.victim)) transmit(j, to, forged, at);
        }
      }
    }
  };

  const spam = (j: number, at: number) => {
    for (let r = 2; r < 60; r++) {
      const message = forge(j, hooks.kinds.roundChange, r, hooks.emptyRoundChangeBody());
      for (let to = 1; to <= n; to++) if (to !== j) transmit(j, to, message, at);
    }
  };

  return { out, doubleVote, spam };
}
