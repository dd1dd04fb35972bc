/**
 * What a member keeps per dealer, and the work on dealings: storing one (catching a dealer that
 * signed two different ones), opening this member's shares, checking proofs of knowledge in batches,
 * and deciding which dealers this member complains about.
 */
import type { RandomSource } from '@diva-dvt/bls-threshold';
import type { CeremonyConfig, Participant } from '../ceremony.ts';
import type { KeyAgreement } from '../encryption.ts';
import { ComplaintReason, messageDigest } from '../messages.ts';
import type { DkgEvent, DkgPhase } from '../types.ts';
import { findInvalidProofs, findInvalidShares, verifyShare } from '../vss.ts';
import { openShares, type ParsedDealing, parseDealing } from './dealing.ts';

export interface DealerState {
  envelope?: Uint8Array;
  digest?: Uint8Array;
  parsed?: ParsedDealing;
  fault?: string;
  myShares?: bigint[];
  myShareBad?: boolean;
  forwarded?: boolean;
  equivocated?: boolean;
  reveals: Map<number, bigint[]>;
}

export interface DealingContext {
  readonly config: CeremonyConfig;
  readonly dealers: readonly Participant[];
  readonly myRecipient: number | undefined;
  readonly encryptionSecretKey: Uint8Array;
  readonly keyAgreement: KeyAgreement | undefined;
  readonly random: RandomSource;
  readonly state: DealerState[];
  emit(event: DkgEvent): void;
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Stores a validly signed dealing of `dealer`. Returns what happened: a new dealing, the same one
 * again, a second different one (evidence emitted, dealer disqualified), or one too late to matter.
 */
export function storeDealing(
  ctx: DealingContext,
  dealer: number,
  envelope: Uint8Array,
  body: Uint8Array,
  phase: DkgPhase,
): 'stored' | 'duplicate' | 'equivocation' | 'late' {
  const ds = ctx.state[dealer - 1]!;
  const digest = messageDigest(envelope);
  const address = ctx.dealers[dealer - 1]!.address;
  if (ds.digest) {
    if (equal(ds.digest, digest)) return 'duplicate';
    if (ds.equivocated) return 'duplicate';
    ds.equivocated = true;
    ctx.emit({
      type: 'evidence',
      evidence: { kind: 'equivocating-dealer', dealer: address, envelopes: [ds.envelope!, envelope] },
    });
    ctx.emit({ type: 'disqualified', dealer: address, reason: 'equivocated' });
    return 'equivocation';
  }
  if (phase === 'finish' || phase === 'done' || phase === 'aborted') return 'late';
  ds.envelope = envelope;
  ds.digest = digest;
  const parsed = parseDealing(ctx.config, address, dealer, body);
  if ('invalid' in parsed) {
    ds.fault = parsed.invalid;
    ctx.emit({ type: 'disqualified', dealer: address, reason: parsed.invalid });
    return 'stored';
  }
  ds.parsed = parsed;
  // In the deal phase proofs and shares are checked in batches at its end; later arrivals alone.
  if (phase !== 'deal') checkProofs(ctx, [dealer]);
  const me = ctx.myRecipient;
  if (me !== undefined && !ds.fault) {
    const shares = openShares(ctx.config, parsed, address, me, ctx.encryptionSecretKey, ctx.keyAgreement);
    if (shares) ds.myShares = shares;
    else ds.myShareBad = true;
    if (shares && phase !== 'deal')
      ds.myShareBad = !shares.every((s, v) => verifyShare(parsed.commitments[v]!, me, s));
  }
  return 'stored';
}

/** Checks the proofs of knowledge of the given dealers in one batch; disqualifies the bad ones. */
export function checkProofs(ctx: DealingContext, candidates: readonly number[]): void {
  const statements = candidates.flatMap((d) => ctx.state[d - 1]!.parsed!.proofs.map((st) => ({ d, st })));
  const invalid = findInvalidProofs(
    statements.map((x) => x.st),
    ctx.random,
  );
  for (const d of new Set(invalid.map((i) => statements[i]!.d))) {
    ctx.state[d - 1]!.fault = 'invalid proof of knowledge';
    ctx.emit({
      type: 'disqualified',
      dealer: ctx.dealers[d - 1]!.address,
      reason: 'invalid proof of knowledge',
    });
  }
}

/**
 * End of the deal phase for a recipient: checks every share it opened (one batch per validator) and
 * returns its complaints: dealers it has nothing from, and dealers whose share to it is bad.
 */
export function ownComplaints(
  ctx: DealingContext,
  myDealer: number | undefined,
): { dealer: number; reason: number }[] {
  const me = ctx.myRecipient!;
  const openable = ctx.state.filter((s) => s.parsed && !s.fault && s.myShares);
  for (let v = 0; v < ctx.config.validatorCount; v++) {
    const items = openable.map((s) => ({ commitments: s.parsed!.commitments[v]!, share: s.myShares![v]! }));
    for (const bad of findInvalidShares(items, me, ctx.random)) openable[bad]!.myShareBad = true;
  }
  const against: { dealer: number; reason: number }[] = [];
  ctx.state.forEach((s, i) => {
    const dealer = i + 1;
    if (dealer === myDealer) return;
    if (!s.digest) against.push({ dealer, reason: ComplaintReason.Missing });
    else if (s.parsed && !s.fault && s.myShareBad) against.push({ dealer, reason: ComplaintReason.BadShare });
  });
  for (const c of against) {
    ctx.emit({
      type: 'complaint',
      dealer: ctx.dealers[c.dealer - 1]!.address,
      reason: c.reason === ComplaintReason.Missing ? 'missing' : 'bad-share',
    });
  }
  return against;
}

/**
 * True when every echoed digest matches this member's dealings and no complaint was raised, but for
 * a dealing missing in every view (this member's and each complainer's: an absent dealer, such as an
 * old member left out of a resharing). No justification can answer that one (a reveal needs the
 * dealing's commitments), so waiting out the justify phase would change nothing.
 */
export function allQuiet(
  state: readonly DealerState[],
  complaints: Iterable<{
    digests: readonly Uint8Array[];
    against: readonly { dealer: number; reason: number }[];
  }>,
): boolean {
  const zero = new Uint8Array(32);
  for (const c of complaints) {
    for (const a of c.against) {
      if (a.reason !== ComplaintReason.Missing || state[a.dealer - 1]?.digest) return false;
    }
    const same = (d: Uint8Array, i: number) => {
      const mine = state[i]?.digest;
      return mine ? equal(d, mine) : equal(d, zero);
    };
    if (!c.digests.every(same)) return false;
  }
  return true;
}
