// Attesting (phase0 validator.md "Attesting"): when attestations are due (ATTESTATION_DUE_BPS,
// a third into the slot), ask the node for the attestation data of the validator's committee, sign
// it under DOMAIN_BEACON_ATTESTER, and submit an Attestation with the validator's single bit set
// in its committee's aggregation bits. Deadline: the end of the slot. Electra's SingleAttestation
// is not built yet: from electra on the duty fails with UNSUPPORTED_FORK instead of sending the
// old container.
import { BitArray } from '@chainsafe/ssz';
import {
  type AttestationData,
  type AttesterDuty,
  attestationDataSigningRoot,
  forkAtEpoch,
  forkAtLeast,
  type Phase0Attestation,
} from '@diva-dvt/beacon-api';
import {
  callOptions,
  checkDeadline,
  type DutyContext,
  type DutyTarget,
  publish,
  settle,
  sign,
  stage,
  unexpected,
  unsupportedFork,
} from '../internal/duty.ts';
import type { DutyOutcome } from '../outcome.ts';

export interface AttestResult {
  readonly outcome: DutyOutcome;
  /** The data the node gave (also when the attestation was then dropped), for the aggregate. */
  readonly data: AttestationData | undefined;
}

export async function attest(ctx: DutyContext, duty: AttesterDuty): Promise<AttestResult> {
  const { slot, validatorIndex } = duty;
  const t: DutyTarget<'attestation'> = {
    duty: 'attestation',
    validatorIndex,
    slot,
    dueMs: ctx.times.atBps(slot, ctx.spec.attestationDueBps),
    deadlineMs: ctx.times.slotStartMs(slot + 1),
  };
  let data: AttestationData | undefined;
  const outcome = await settle(async () => {
    checkDeadline(ctx, t, 'before-signing');
    const fork = forkAtEpoch(ctx.signing.schedule, ctx.times.epochOf(slot)).fork;
    data = await stage(t, 'attestation', 'produce', async () => {
      if (forkAtLeast(fork, 'electra')) throw unsupportedFork('attestation', fork);
      const d = (
        await ctx.api.produceAttestationData(
          { slot, committeeIndex: duty.committeeIndex },
          callOptions(ctx, t),
        )
      ).data;
      if (d.slot !== slot) throw unexpected('attestation', 'data.slot', `${d.slot}, asked for ${slot}`);
      if (d.index !== duty.committeeIndex) {
        throw unexpected('attestation', 'data.index', `${d.index}, asked for ${duty.committeeIndex}`);
      }
      return d;
    });
    const attestationData = data;
    const signature = await sign(ctx, t, 'attestation', attestationDataSigningRoot(ctx.signing, data), {
      attestationData,
    });
    const attestation: Phase0Attestation = {
      aggregationBits: BitArray.fromSingleBit(duty.committeeLength, duty.validatorCommitteeIndex),
      data: attestationData,
      signature,
    };
    return publish(ctx, t, 'attestation', attestation, () =>
      ctx.api.submitPoolAttestations({ fork, data: [attestation] }, callOptions(ctx, t)),
    );
  });
  return { outcome, data };
}
