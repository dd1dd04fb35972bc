// Whether the validators' attestations made it on chain: after an attestation is published, each
// later block (one request per slot, shared by every validator served) is searched for an
// attestation with the same data whose aggregation bit of the validator is set. Found: `included`
// with the inclusion delay in slots; not found in the blocks of the following epoch's worth of
// slots (timely target ends there in altair): `not-included`. Empty slots (404) are skipped; a
// block the node cannot give now is asked for again at the next search, and an attestation is only
// given up on once every slot of its window was searched, never guessed. So an operator can tell "signed and sent, but nobody included it"
// (a network or proposer matter) from a duty that failed here.
//
// Electra (EIP-7549): the validator sends a SingleAttestation, and blocks carry aggregates whose
// aggregation bits run over every committee set in `committee_bits`, one after another in index
// order. The validator's bit is the sum of the lengths of the set committees before its own plus
// its place in its committee, so the slot's committees are asked for (one request per slot, only
// once a block carries the same data) before such an attestation can be matched.
import { isBeaconApiError } from '@diva-dvt/beacon-api';
import { type AttestationData, ssz } from '@diva-dvt/beacon-api/spec';
import type { DutyContext } from './internal/duty.ts';
import type { DutyOutcome } from './outcome.ts';

export interface InclusionResult {
  readonly validatorIndex: number;
  /** The attestation's slot. */
  readonly slot: number;
  readonly status: 'included' | 'not-included';
  /** Where it was found (`included` only). */
  readonly inclusionSlot?: number;
  /** inclusionSlot − slot (1 is the best possible). */
  readonly delaySlots?: number;
}

interface Watched {
  readonly validatorIndex: number;
  readonly slot: number;
  readonly dataRoot: string;
  /** Pre-electra: the validator's position in its committee's aggregation bits. */
  readonly position: number;
  /** Electra: the validator's committee (its position is found in the slot's committees). */
  readonly committeeIndex?: number;
}

/** Electra: the committees of one slot, by index. */
type SlotCommittees = ReadonlyMap<number, readonly number[]>;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A 404 from the node, or from every node of a pool: the slot has no block. */
function isNotFound(e: unknown): boolean {
  if (isBeaconApiError(e, 'HTTP_ERROR')) return e.details.status === 404;
  if (isBeaconApiError(e, 'ALL_NODES_FAILED')) {
    return e.details.errors.length > 0 && e.details.errors.every((x) => /HTTP 404\b/.test(x.message));
  }
  return false;
}

interface Bits {
  get(i: number): boolean;
  readonly bitLen: number;
}

interface BlockAttestation {
  readonly data: AttestationData;
  readonly aggregationBits: Bits;
  /** Electra's aggregates only. */
  readonly committeeBits?: Bits;
}

/**
 * The validator's bit in an electra aggregate: the lengths of the set committees before its own,
 * plus its place in its committee; -1 when its committee is not set or unknown.
 */
function electraPosition(committees: SlotCommittees, committeeBits: Bits, w: Watched): number {
  const own = committees.get(w.committeeIndex ?? -1);
  if (own === undefined || w.committeeIndex === undefined || !committeeBits.get(w.committeeIndex)) return -1;
  const place = own.indexOf(w.validatorIndex);
  if (place < 0) return -1;
  let offset = 0;
  for (let i = 0; i < w.committeeIndex; i++) {
    if (!committeeBits.get(i)) continue;
    const c = committees.get(i);
    if (c === undefined) return -1;
    offset += c.length;
  }
  return offset + place;
}

export class InclusionTracker {
  readonly #watched: Watched[] = [];
  readonly #onResult: (r: InclusionResult) => void;
  /** The last slot whose block was searched. */
  #searched = -1;
  /** Electra: the committees of the watched slots asked for so far. */
  readonly #committees = new Map<number, SlotCommittees>();

  constructor(onResult: (r: InclusionResult) => void) {
    this.#onResult = onResult;
  }

  get watching(): number {
    return this.#watched.length;
  }

  /** Remembers a published attestation (either format); other outcomes are ignored. */
  watch(outcome: DutyOutcome): void {
    if (outcome.duty !== 'attestation' || outcome.status !== 'published') return;
    const message = outcome.message;
    const dataRoot = hex(ssz.phase0.AttestationData.hashTreeRoot(message.data));
    const base = { validatorIndex: outcome.validatorIndex, slot: outcome.slot, dataRoot };
    if (!('aggregationBits' in message)) {
      this.#watched.push({ ...base, position: -1, committeeIndex: message.committeeIndex });
      return;
    }
    let position = -1;
    for (let i = 0; i < message.aggregationBits.bitLen; i++) {
      if (message.aggregationBits.get(i)) {
        position = i;
        break;
      }
    }
    if (position < 0) return;
    this.#watched.push({ ...base, position });
  }

  /**
   * Searches the blocks of the slots since the last search up to `slot` (inclusive) and ends the
   * attestations whose window closed. Call at the start of each slot with the previous slot.
   */
  async searchUpTo(ctx: DutyContext, slot: number): Promise<void> {
    if (this.#watched.length === 0) {
      this.#searched = Math.max(this.#searched, slot);
      return;
    }
    // a node down for longer than the window: the slots it could not give are given up on
    const from = Math.max(this.#searched + 1, slot - 2 * ctx.spec.slotsPerEpoch);
    for (let s = from; s <= slot; s++) {
      const attestations = await this.#blockAttestations(ctx, s);
      if (attestations === 'unavailable') break;
      if (!(await this.#committeesFor(ctx, s, attestations))) break;
      this.#match(s, attestations);
      this.#searched = s;
    }
    this.#expire(ctx.spec.slotsPerEpoch);
  }

  async #blockAttestations(ctx: DutyContext, slot: number): Promise<BlockAttestation[] | 'unavailable'> {
    try {
      const block = (await ctx.api.getBlock({ blockId: slot }, { timeoutMs: ctx.spec.slotDurationMs / 2 }))
        .data;
      const message = block?.message;
      if (message?.slot !== slot) return [];
      const list = message.body?.attestations;
      return Array.isArray(list) ? (list as BlockAttestation[]) : [];
    } catch (e) {
      // an empty slot: nothing to learn from it; anything else: ask again next time
      return isNotFound(e) ? [] : 'unavailable';
    }
  }

  /**
   * Electra: asks for the committees of every watched slot whose data this block carries (once
   * per slot); false when the node cannot answer now (the block is searched again next time).
   */
  async #committeesFor(ctx: DutyContext, blockSlot: number, attestations: readonly BlockAttestation[]) {
    const roots = new Set<string>();
    for (const a of attestations) {
      if (a.committeeBits !== undefined && a.data !== undefined)
        roots.add(hex(ssz.phase0.AttestationData.hashTreeRoot(a.data)));
    }
    const slots = new Set<number>();
    for (const w of this.#watched) {
      if (w.committeeIndex !== undefined && w.slot < blockSlot && roots.has(w.dataRoot)) slots.add(w.slot);
    }
    for (const slot of slots) {
      if (this.#committees.has(slot)) continue;
      try {
        const list = (
          await ctx.api.getEpochCommittees(
            { stateId: 'head', slot, epoch: Math.floor(slot / ctx.spec.slotsPerEpoch) },
            { timeoutMs: ctx.spec.slotDurationMs / 2 },
          )
        ).data;
        this.#committees.set(
          slot,
          new Map(list.filter((c) => c.slot === slot).map((c) => [c.index, c.validators])),
        );
      } catch {
        return false;
      }
    }
    return true;
  }

  #match(blockSlot: number, attestations: readonly BlockAttestation[]): void {
    if (attestations.length === 0) return;
    const byRoot = new Map<string, BlockAttestation[]>();
    for (const a of attestations) {
      if (a.aggregationBits === undefined || a.data === undefined) continue;
      const root = hex(ssz.phase0.AttestationData.hashTreeRoot(a.data));
      const list = byRoot.get(root);
      if (list === undefined) byRoot.set(root, [a]);
      else list.push(a);
    }
    for (let i = this.#watched.length - 1; i >= 0; i--) {
      const w = this.#watched[i]!;
      if (w.slot >= blockSlot) continue;
      const found = byRoot.get(w.dataRoot)?.some((a) => {
        let position = w.position;
        if (w.committeeIndex !== undefined || a.committeeBits !== undefined) {
          // both electra, or the formats differ (never the same attestation)
          const committees = this.#committees.get(w.slot);
          if (w.committeeIndex === undefined || a.committeeBits === undefined || committees === undefined)
            return false;
          position = electraPosition(committees, a.committeeBits, w);
        }
        return position >= 0 && position < a.aggregationBits.bitLen && a.aggregationBits.get(position);
      });
      if (found !== true) continue;
      this.#watched.splice(i, 1);
      this.#onResult({
        validatorIndex: w.validatorIndex,
        slot: w.slot,
        status: 'included',
        inclusionSlot: blockSlot,
        delaySlots: blockSlot - w.slot,
      });
    }
  }

  #expire(window: number): void {
    for (const slot of this.#committees.keys()) {
      if (this.#searched - slot >= window) this.#committees.delete(slot);
    }
    for (let i = this.#watched.length - 1; i >= 0; i--) {
      const w = this.#watched[i]!;
      if (this.#searched - w.slot < window) continue;
      this.#watched.splice(i, 1);
      this.#onResult({ validatorIndex: w.validatorIndex, slot: w.slot, status: 'not-included' });
    }
  }
}
