// Attestation aggregation (phase0 validator.md "Attestation aggregation"): the selection proof is
// the validator's signature over the slot under DOMAIN_SELECTION_PROOF, signed when the epoch's
// duties arrive (the node is told `is_aggregator` with the committee subscription); an aggregator,
// when aggregates are due (AGGREGATE_DUE_BPS, two thirds into the slot), asks the node for the
// aggregate of its attestation data, and signs and publishes AggregateAndProof under
// DOMAIN_AGGREGATE_AND_PROOF. Deadline: the end of the slot. Electra's per-committee aggregates are
// not built yet (UNSUPPORTED_FORK).
import {
  type AttestationData,
  type AttesterDuty,
  aggregateAndProofSigningRoot,
  forkAtEpoch,
  forkAtLeast,
  type Phase0AggregateAndProof,
  selectionProofSigningRoot,
  ssz,
} from '@diva-dvt/beacon-api';
import {
  base,
  callOptions,
  checkDeadline,
  type DutyContext,
  DutyEnd,
  type DutyTarget,
  publish,
  settle,
  sign,
  stage,
  unexpected,
  unsupportedFork,
} from '../internal/duty.ts';
import type { DutyOutcome } from '../outcome.ts';
import { isAttestationAggregator } from '../selection.ts';

/** A selected aggregator's proof, or the outcome that ends the aggregation duty here. */
export type AggregatorSelection =
  | { readonly selectionProof: Uint8Array; readonly outcome?: undefined }
  | { readonly selectionProof?: undefined; readonly outcome: DutyOutcome };

function target(ctx: DutyContext, duty: AttesterDuty): DutyTarget<'aggregate'> {
  return {
    duty: 'aggregate',
    validatorIndex: duty.validatorIndex,
    slot: duty.slot,
    dueMs: ctx.times.atBps(duty.slot, ctx.spec.aggregateDueBps),
    deadlineMs: ctx.times.slotStartMs(duty.slot + 1),
  };
}

/** Signs the selection proof of an attester duty and decides whether the validator aggregates. */
export async function selectAggregator(ctx: DutyContext, duty: AttesterDuty): Promise<AggregatorSelection> {
  const t = target(ctx, duty);
  try {
    const root = selectionProofSigningRoot(ctx.signing, duty.slot);
    const selectionProof = await sign(ctx, t, 'selection-proof', root);
    return isAttestationAggregator(ctx.spec, duty.committeeLength, selectionProof)
      ? { selectionProof }
      : { outcome: { ...base(t), status: 'not-selected' } };
  } catch (e) {
    if (e instanceof DutyEnd) return { outcome: e.outcome };
    throw e;
  }
}

/** Publishes the aggregate of `data` as the selected aggregator of `duty`'s committee. */
export function aggregate(
  ctx: DutyContext,
  duty: AttesterDuty,
  data: AttestationData,
  selectionProof: Uint8Array,
): Promise<DutyOutcome> {
  const t = target(ctx, duty);
  return settle(async () => {
    checkDeadline(ctx, t, 'before-signing');
    const fork = forkAtEpoch(ctx.signing.schedule, ctx.times.epochOf(duty.slot)).fork;
    const dataRoot = ssz.phase0.AttestationData.hashTreeRoot(data);
    const attestation = await stage(t, 'aggregate', 'produce', async () => {
      if (forkAtLeast(fork, 'electra')) throw unsupportedFork('aggregate', fork);
      const a = (
        await ctx.api.getAggregatedAttestation(
          { slot: duty.slot, attestationDataRoot: dataRoot, committeeIndex: duty.committeeIndex },
          callOptions(ctx, t),
        )
      ).data;
      if (!ssz.phase0.AttestationData.equals(a.data, data)) {
        throw unexpected('aggregate', 'aggregate.data', 'not the attestation data asked for');
      }
      return a;
    });
    const message: Phase0AggregateAndProof = {
      aggregatorIndex: duty.validatorIndex,
      aggregate: attestation,
      selectionProof,
    };
    const signature = await sign(ctx, t, 'aggregate', aggregateAndProofSigningRoot(ctx.signing, message));
    const signed = { message, signature };
    return publish(ctx, t, 'aggregate', signed, () =>
      ctx.api.publishAggregateAndProofs({ fork, data: [signed] }, callOptions(ctx, t)),
    );
  });
}
