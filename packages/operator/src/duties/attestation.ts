// Attesting (phase0 validator.md "Attesting"): when attestations are due (ATTESTATION_DUE_BPS,
// a third into the slot), ask the node for the attestation data of the validator's committee, agree
// with the committee on one (the node's is this member's candidate), sign it under
// DOMAIN_BEACON_ATTESTER, and submit an Attestation with the validator's single bit set
// in its committee's aggregation bits. Deadline: the end of the slot. From electra on (EIP-7549) the
// data's index is 0 (the committee is no longer signed) and the message is a SingleAttestation
// (committee index, attester index, data, signature) on the v2 pool endpoint.
import { BitArray } from '@chainsafe/ssz';
import type { AttesterDuty } from '@diva-dvt/beacon-api';
import {
  type AttestationData,
  forkAtEpoch,
  forkAtLeast,
  type Phase0Attestation,
  type SingleAttestation,
} from '@diva-dvt/beacon-api/spec';
import * as step from '../internal/duty.ts';
import type { DutyOutcome } from '../outcome.ts';
import { attestationDataValue, electraAttestationDataValue } from './values.ts';

export interface AttestResult {
  readonly outcome: DutyOutcome;
  /**
   * The data the committee decided (the node's own when no decision was reached), also when the
   * attestation was then dropped: what the aggregate aggregates.
   */
  readonly data: AttestationData | undefined;
}

export async function attest(ctx: step.DutyContext, duty: AttesterDuty): Promise<AttestResult> {
  const { slot, validatorIndex } = duty;
  const t = step.withinSlot(ctx, 'attestation', validatorIndex, slot, ctx.spec.attestationDueBps);
  let data: AttestationData | undefined;
  const outcome = await step.settle(async () => {
    step.checkDeadline(ctx, t, 'before-signing');
    const fork = forkAtEpoch(ctx.signing.schedule, ctx.times.epochOf(slot)).fork;
    const electra = forkAtLeast(fork, 'electra');
    // the data's index: the committee before electra, 0 from electra on
    const dataIndex = electra ? 0 : duty.committeeIndex;
    data = await step.stage(ctx, t, 'attestation', 'produce', async () => {
      const d = (
        await ctx.shared.get(slot, `attestation-data/${duty.committeeIndex}`, () =>
          ctx.api.produceAttestationData(
            { slot, committeeIndex: duty.committeeIndex },
            step.callOptions(ctx, t),
          ),
        )
      ).data;
      if (d.slot !== slot) throw step.unexpected('attestation', 'data.slot', `${d.slot}, asked for ${slot}`);
      if (d.index !== dataIndex) {
        throw step.unexpected('attestation', 'data.index', `${d.index}, expected ${dataIndex}`);
      }
      return d;
    });
    const decided = await step.decide(
      ctx,
      t,
      'attestation',
      data,
      electra
        ? electraAttestationDataValue(ctx.signing, { slot, slotsPerEpoch: ctx.spec.slotsPerEpoch })
        : attestationDataValue(ctx.signing, {
            slot,
            committeeIndex: duty.committeeIndex,
            slotsPerEpoch: ctx.spec.slotsPerEpoch,
          }),
    );
    data = decided.value;
    if (electra) {
      const single: SingleAttestation = {
        committeeIndex: duty.committeeIndex,
        attesterIndex: validatorIndex,
        data: decided.value,
        signature: decided.signature,
      };
      return step.publish(ctx, t, 'attestation', single, (opts) =>
        ctx.api.submitPoolAttestations({ fork, data: [single] }, opts),
      );
    }
    const attestation: Phase0Attestation = {
      aggregationBits: BitArray.fromSingleBit(duty.committeeLength, duty.validatorCommitteeIndex),
      data: decided.value,
      signature: decided.signature,
    };
    return step.publish(ctx, t, 'attestation', attestation, (opts) =>
      ctx.api.submitPoolAttestations({ fork, data: [attestation] }, opts),
    );
  });
  return { outcome, data };
}
