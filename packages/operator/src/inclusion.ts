// Whether the validators' attestations made it on chain: after an attestation is published, each
// later block (one request per slot, shared by every validator served) is searched for an
// attestation with the same data whose aggregation bit of the validator is set. Found: `included`
// with the inclusion delay in slots; not found in the blocks of the following epoch's worth of
// slots (timely target ends there in altair): `not-included`. Empty slots (404) are skipped; a
// block the node cannot give now is asked for again at the next search, and an attestation is only
// given up on once every slot of its window was searched, never guessed. So an operator can tell "signed and sent, but nobody included it"
// (a network or proposer matter) from a duty that failed here.
//
// Electra attestations (SingleAttestation) are not checked: finding the validator's bit in an
// on-chain electra attestation needs the lengths of every committee of the slot, which the node's
// duties do not give (the committees endpoint is not in @diva-dvt/beacon-api yet).
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
  /** The validator's position in its committee's aggregation bits. */
  readonly position: number;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A 404 from the node, or from every node of a pool: the slot has no block. */
function isNotFound(e: unknown): boolean {
  if (isBeaconApiError(e, 'HTTP_ERROR')) return e.details.status === 404;
  if (isBeaconApiError(e, 'ALL_NODES_FAILED')) {
    return e.details.errors.length > 0 && e.details.errors.every((x) => /HTTP 404\b/.test(x.message));
  }
  return false;
}

interface BlockAttestation {
  readonly data: AttestationData;
  readonly aggregationBits: { get(i: number): boolean; readonly bitLen: number };
}

export class InclusionTracker {
  readonly #watched: Watched[] = [];
  readonly #onResult: (r: InclusionResult) => void;
  /** The last slot whose block was searched. */
  #searched = -1;

  constructor(onResult: (r: InclusionResult) => void) {
    this.#onResult = onResult;
  }

  get watching(): number {
    return this.#watched.length;
  }

  /** Remembers a published pre-electra attestation; other outcomes are ignored. */
  watch(outcome: DutyOutcome): void {
    if (outcome.duty !== 'attestation' || outcome.status !== 'published') return;
    const message = outcome.message;
    if (!('aggregationBits' in message)) return; // electra: see the header
    let position = -1;
    for (let i = 0; i < message.aggregationBits.bitLen; i++) {
      if (message.aggregationBits.get(i)) {
        position = i;
        break;
      }
    }
    if (position < 0) return;
    this.#watched.push({
      validatorIndex: outcome.validatorIndex,
      slot: outcome.slot,
      dataRoot: hex(ssz.phase0.AttestationData.hashTreeRoot(message.data)),
      position,
    });
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

  #match(blockSlot: number, attestations: readonly BlockAttestation[]): void {
    if (attestations.length === 0) return;
    const byRoot = new Map<string, BlockAttestation[]>();
    for (const a of attestations) {
      if (a.aggregationBits === undefined || a.data === undefined) continue; // electra shape
      const root = hex(ssz.phase0.AttestationData.hashTreeRoot(a.data));
      const list = byRoot.get(root);
      if (list === undefined) byRoot.set(root, [a]);
      else list.push(a);
    }
    for (let i = this.#watched.length - 1; i >= 0; i--) {
      const w = this.#watched[i]!;
      if (w.slot >= blockSlot) continue;
      const found = byRoot
        .get(w.dataRoot)
        ?.some((a) => w.position < a.aggregationBits.bitLen && a.aggregationBits.get(w.position));
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
    for (let i = this.#watched.length - 1; i >= 0; i--) {
      const w = this.#watched[i]!;
      if (this.#searched - w.slot < window) continue;
      this.#watched.splice(i, 1);
      this.#onResult({ validatorIndex: w.validatorIndex, slot: w.slot, status: 'not-included' });
    }
  }
}
