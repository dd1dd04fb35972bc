// Attestation aggregation (phase0 validator.md "Attestation aggregation"): the selection proof is
// the validator's signature over the slot under DOMAIN_SELECTION_PROOF, signed when the epoch's
// duties arrive (the node is told `is_aggregator` with the committee subscription); an aggregator,
// when aggregates are due (AGGREGATE_DUE_BPS, two thirds into the slot), asks the node for the
// aggregate of the attestation data the committee decided, agrees with the committee on one
// AggregateAndProof (nodes may hold different aggregates), and signs and publishes it under
// DOMAIN_AGGREGATE_AND_PROOF. Deadline: the end of the slot. From electra on (EIP-7549) the node is
// asked for its committee's aggregate (v2 with committee_index), which carries committee_bits with
// that one committee, and the AggregateAndProof is electra's.
import type { AttesterDuty } from '@diva-dvt/beacon-api';
import {
  type ElectraAggregateAndProof,
  forkAtEpoch,
  forkAtLeast,
  type Phase0AggregateAndProof,
  selectionProofSigningRoot,
  ssz,
} from '@diva-dvt/beacon-api/spec';
import { OperatorError } from '../errors.ts';
import * as step from '../internal/duty.ts';
import type { DutyOutcome } from '../outcome.ts';
import { isAttestationAggregator } from '../selection.ts';
import type { AttestResult } from './attestation.ts';
import { aggregateValue, electraAggregateValue } from './values.ts';

/** A selected aggregator's proof, or the outcome that ends the aggregation duty here. */
export type AggregatorSelection =
  | { readonly selectionProof: Uint8Array; readonly outcome?: undefined }
  | { readonly selectionProof?: undefined; readonly outcome: DutyOutcome };

function target(ctx: step.DutyContext, duty: AttesterDuty): step.DutyTarget<'aggregate'> {
  return step.withinSlot(ctx, 'aggregate', duty.validatorIndex, duty.slot, ctx.spec.aggregateDueBps);
}

/** Signs the selection proof of an attester duty and decides whether the validator aggregates. */
export async function selectAggregator(
  ctx: step.DutyContext,
  duty: AttesterDuty,
): Promise<AggregatorSelection> {
  const t = target(ctx, duty);
  try {
    const root = selectionProofSigningRoot(ctx.signing, duty.slot);
    const selectionProof = await step.sign(ctx, t, 'selection-proof', root);
    return isAttestationAggregator(ctx.spec, duty.committeeLength, selectionProof)
      ? { selectionProof }
      : { outcome: { ...step.base(t), status: 'not-selected' } };
  } catch (e) {
    if (e instanceof step.DutyEnd) return { outcome: e.outcome };
    throw e;
  }
}

/**
 * Publishes the aggregate of the attestation data as the selected aggregator of `duty`'s committee.
 * Without data (the attestation could not be produced) the aggregate ends as the attestation did.
 */
export function aggregate(
  ctx: step.DutyContext,
  duty: AttesterDuty,
  attested: AttestResult,
  selectionProof: Uint8Array,
): Promise<DutyOutcome> {
  const t = target(ctx, duty);
  const { data, outcome: attestation } = attested;
  if (data === undefined) {
    return Promise.resolve(
      attestation.status === 'late'
        ? { ...step.base(t), status: 'late', stage: 'before-signing', atMs: ctx.clock.nowMs() }
        : {
            ...step.base(t),
            status: 'failed',
            error: new OperatorError(
              {
                code: 'DUTY_FAILED',
                duty: 'aggregate',
                validatorIndex: duty.validatorIndex,
                slot: duty.slot,
                stage: 'produce',
              },
              { cause: attestation.status === 'failed' ? attestation.error : undefined },
            ),
          },
    );
  }
  return step.settle(async () => {
    step.checkDeadline(ctx, t, 'before-signing');
    const fork = forkAtEpoch(ctx.signing.schedule, ctx.times.epochOf(duty.slot)).fork;
    const dataRoot = ssz.phase0.AttestationData.hashTreeRoot(data);
    const electra = forkAtLeast(fork, 'electra');
    const attestation = await step.stage(ctx, t, 'aggregate', 'produce', async () => {
      const key = `aggregate/${duty.committeeIndex}/${Buffer.from(dataRoot).toString('hex')}`;
      const a = (
        await ctx.shared.get(duty.slot, key, () =>
          ctx.api.getAggregatedAttestation(
            { slot: duty.slot, attestationDataRoot: dataRoot, committeeIndex: duty.committeeIndex },
            step.callOptions(ctx, t),
          ),
        )
      ).data;
      if (!ssz.phase0.AttestationData.equals(a.data, data)) {
        throw step.unexpected('aggregate', 'aggregate.data', 'not the attestation data asked for');
      }
      if (electra) {
        // (a phase0 Attestation from a node without v2 has no committee_bits: refused here too)
        const committees: number[] = a.committeeBits?.getTrueBitIndexes?.() ?? [];
        if (committees.length !== 1 || committees[0] !== duty.committeeIndex) {
          throw step.unexpected(
            'aggregate',
            'aggregate.committeeBits',
            `committees [${committees.join(', ')}], asked for ${duty.committeeIndex}`,
          );
        }
      }
      return a;
    });
    const base = { aggregatorIndex: duty.validatorIndex, aggregate: attestation, selectionProof };
    const decided = electra
      ? await step.decide(
          ctx,
          t,
          'aggregate',
          base as ElectraAggregateAndProof,
          electraAggregateValue(ctx.signing, {
            aggregatorIndex: duty.validatorIndex,
            committeeIndex: duty.committeeIndex,
            data,
            selectionProof,
          }),
        )
      : await step.decide(
          ctx,
          t,
          'aggregate',
          base as Phase0AggregateAndProof,
          aggregateValue(ctx.signing, { fork, aggregatorIndex: duty.validatorIndex, data, selectionProof }),
        );
    const signed = { message: decided.value, signature: decided.signature };
    return step.publish(ctx, t, 'aggregate', signed, (opts) =>
      ctx.api.publishAggregateAndProofs({ fork, data: [signed] }, opts),
    );
  });
}
