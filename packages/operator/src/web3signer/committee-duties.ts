// How a Web3Signer request becomes a committee signing duty: the `SigningDuty` the built-in
// validator client (../duties/*.ts) builds for the same duty — the same duty type, slot,
// subcommittee and deadline, so the instance id (runtime/frames.ts `dutyInstanceId`: group key,
// type, slot, subcommittee) is the one other members compute, whether they run the built-in
// validator client or a stock one behind this API — and, for values beacon nodes may disagree on,
// the value type of ../duties/values.ts the committee agrees with. Requests a committee cannot sign
// safely are refused here (INVALID_SIGN_REQUEST: answered 400) with the reason.
import {
  type AttestationData,
  type BeaconBlockHeader,
  type ContributionAndProof,
  type ElectraAggregateAndProof,
  forkAtEpoch,
  forkAtLeast,
  type Phase0AggregateAndProof,
  type SigningContext,
  ssz,
} from '@diva-dvt/beacon-api/spec';
import type { ValueType } from '@diva-dvt/consensus';
import type { Clock } from '../clock.ts';
import {
  aggregateValue,
  attestationDataValue,
  blockHeaderValue,
  contributionValue,
  electraAggregateValue,
  electraAttestationDataValue,
  syncHeadRootValue,
} from '../duties/values.ts';
import { OperatorError, type SigningDutyType } from '../errors.ts';
import { committeeDuty, type SlotDutyType, slotDutyDeadlineMs } from '../internal/committee-duty.ts';
import type { SigningDuty, ThresholdSigner } from '../signer.ts';
import type { SlotTimes } from '../slot-times.ts';
import type { DecidedMessage } from './committee-publish.ts';
import type { Web3SignerSignRequest } from './types.ts';

/** What the mapping needs: the chain's signing context and slot times, and the clock. */
export interface CommitteeDutyContext {
  readonly signing: SigningContext;
  readonly times: SlotTimes;
  readonly clock: Clock;
  /** ATTESTATION_DUE_BPS: a block (and its RANDAO reveal) is useless after it (the built-in deadline). */
  readonly attestationDueBps: number;
  /** How long exits and builder registrations collect partials (their requests name no slot time). */
  readonly unscheduledTimeoutMs: number;
  /** The leader seed of an epoch's duties (the built-in client's attester dependent root), if known. */
  readonly leaderSeed?: (epoch: number) => Uint8Array | undefined;
}

/** A value the committee agrees on, run through `ThresholdSigner.decide`. */
export interface DecidePlan {
  readonly kind: 'decide';
  readonly duty: SigningDuty;
  /** hash_tree_root of the client's value. */
  readonly clientRoot: Uint8Array;
  /**
   * Decides from the client's value: the decided value's hash_tree_root, the group signature, and
   * the decided message (what the node publishes when the decision is not its client's value).
   */
  decide(signer: ThresholdSigner): Promise<{
    readonly decidedRoot: Uint8Array;
    readonly signature: Uint8Array;
    readonly message: DecidedMessage;
  }>;
}

/** A value the duty fixes: `ThresholdSigner.sign` over the request's signing root. */
export interface FixedPlan {
  readonly kind: 'fixed';
  readonly duty: SigningDuty;
}

export type CommitteePlan = DecidePlan | FixedPlan;

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

function refuse(field: string, reason: string): OperatorError {
  return new OperatorError({ code: 'INVALID_SIGN_REQUEST', field, reason });
}

/**
 * A decide plan over the client's `value`: refused when the duty's own checks refuse it, or when
 * this signer's chain configuration gives another signing root than the client's `fork_info` did
 * (the group signature would not be over what the client asked for).
 */
function decidePlan<V>(
  request: Web3SignerSignRequest,
  duty: SigningDuty,
  value: V,
  valueType: ValueType<V>,
  hashTreeRoot: (v: V) => Uint8Array,
  field: string,
  messageOf: (v: V, signature: Uint8Array) => DecidedMessage,
): DecidePlan {
  if (!valueType.isValid(value)) {
    throw refuse(
      field,
      `not a value the committee may sign for this ${duty.type} duty of validator ${duty.validatorIndex} at slot ${duty.slot}`,
    );
  }
  if (!same(valueType.signingRoot(value), request.signingRoot)) {
    throw refuse(
      'fork_info',
      `the signing root of this ${duty.type} under the committee's chain configuration differs from the one fork_info gives (${hex(request.signingRoot)})`,
    );
  }
  return {
    kind: 'decide',
    duty,
    clientRoot: hashTreeRoot(value),
    async decide(signer) {
      const decided = await signer.decide(value, valueType, duty);
      return {
        decidedRoot: hashTreeRoot(decided.value),
        signature: decided.signature,
        message: messageOf(decided.value, decided.signature),
      };
    },
  };
}

/** The committee duty of `request`, signed for validator `validatorIndex`; throws INVALID_SIGN_REQUEST when unsupported. */
export function committeePlan(
  ctx: CommitteeDutyContext,
  request: Web3SignerSignRequest,
  validatorIndex: number,
): CommitteePlan {
  const { signing, times } = ctx;
  // the built-in client's duties and deadlines (../internal/committee-duty.ts): one instance per duty
  const duty = (type: SigningDutyType, slot: number, deadlineMs: number, subcommitteeIndex?: number) =>
    committeeDuty({
      type,
      validatorIndex,
      slot,
      deadlineMs,
      subcommitteeIndex,
      leaderSeed: ctx.leaderSeed?.(times.epochOf(slot)),
    });
  const deadline = (type: SlotDutyType, slot: number) =>
    slotDutyDeadlineMs(times, type, slot, ctx.attestationDueBps);
  const r = request.request;
  switch (r.type) {
    case 'AGGREGATION_SLOT':
      return { kind: 'fixed', duty: duty('selection-proof', r.slot, deadline('selection-proof', r.slot)) };
    case 'SYNC_COMMITTEE_SELECTION_PROOF':
      return {
        kind: 'fixed',
        duty: duty(
          'sync-committee-selection-proof',
          r.slot,
          deadline('sync-committee-selection-proof', r.slot),
          r.subcommitteeIndex,
        ),
      };
    case 'RANDAO_REVEAL': {
      // The built-in client signs the reveal under the block's duty slot; the request names only the
      // epoch, and clients ask at the proposal slot's start: the slot running now is the proposal's.
      const slot = times.slotAt(ctx.clock.nowMs());
      if (slot < 0 || times.epochOf(slot) !== r.epoch) {
        throw refuse(
          'randao_reveal.epoch',
          `a committee signs the RANDAO reveal of epoch ${r.epoch} only during that epoch (its members find each other by the proposal slot, the one running when asked)`,
        );
      }
      return { kind: 'fixed', duty: duty('randao-reveal', slot, deadline('randao-reveal', slot)) };
    }
    case 'VOLUNTARY_EXIT': {
      const exit = r.voluntaryExit;
      if (exit.validatorIndex !== validatorIndex) {
        throw refuse(
          'voluntary_exit.validator_index',
          `${exit.validatorIndex} is not this key's validator ${validatorIndex}`,
        );
      }
      // as ../duties/voluntary-exit.ts: the exit epoch's first slot, the same on every member
      const deadlineMs = ctx.clock.nowMs() + ctx.unscheduledTimeoutMs;
      return { kind: 'fixed', duty: duty('voluntary-exit', times.firstSlotOf(exit.epoch), deadlineMs) };
    }
    case 'VALIDATOR_REGISTRATION': {
      const reg = r.validatorRegistration;
      if (!same(reg.pubkey, request.pubkey)) {
        throw refuse('validator_registration.pubkey', 'not the public key of the URL');
      }
      // as ../duties/builder-registration.ts: the epoch of the timestamp's first slot; members
      // combine only when every client sent the same timestamp (the same signing root)
      const slot = Math.max(0, times.slotAt(reg.timestamp * 1000));
      const deadlineMs = ctx.clock.nowMs() + ctx.unscheduledTimeoutMs;
      return {
        kind: 'fixed',
        duty: duty('builder-registration', times.firstSlotOf(times.epochOf(slot)), deadlineMs),
      };
    }
    case 'DEPOSIT':
      throw refuse(
        'type',
        'a committee does not sign deposits through a validator client: the deposit data is signed once, when the validator key is created (the key ceremony), and no committee duty exists for it',
      );
    case 'ATTESTATION': {
      const data = r.attestation;
      const electra = forkAtLeast(forkAtEpoch(signing.schedule, times.epochOf(data.slot)).fork, 'electra');
      const valueType = electra
        ? electraAttestationDataValue(signing, { slot: data.slot, slotsPerEpoch: times.slotsPerEpoch })
        : attestationDataValue(signing, {
            slot: data.slot,
            committeeIndex: data.index,
            slotsPerEpoch: times.slotsPerEpoch,
          });
      return decidePlan<AttestationData>(
        request,
        duty('attestation', data.slot, deadline('attestation', data.slot)),
        data,
        valueType,
        (v) => ssz.phase0.AttestationData.hashTreeRoot(v),
        'attestation',
        (v, signature) => ({ type: 'attestation', validatorIndex, data: v, signature }),
      );
    }
    case 'SYNC_COMMITTEE_MESSAGE':
      return decidePlan<Uint8Array>(
        request,
        duty('sync-committee-message', r.slot, deadline('sync-committee-message', r.slot)),
        r.beaconBlockRoot,
        syncHeadRootValue(signing, r.slot),
        (v) => v,
        'sync_committee_message.beacon_block_root',
        (v, signature) => ({
          type: 'sync-committee-message',
          validatorIndex,
          slot: r.slot,
          beaconBlockRoot: v,
          signature,
        }),
      );
    case 'SYNC_COMMITTEE_CONTRIBUTION_AND_PROOF': {
      const value: ContributionAndProof = r.contributionAndProof;
      const { contribution } = value;
      return decidePlan<ContributionAndProof>(
        request,
        duty(
          'sync-committee-contribution',
          contribution.slot,
          deadline('sync-committee-contribution', contribution.slot),
          contribution.subcommitteeIndex,
        ),
        value,
        contributionValue(signing, {
          slot: contribution.slot,
          subcommitteeIndex: contribution.subcommitteeIndex,
          aggregatorIndex: validatorIndex,
          // the client's own sync message root and selection proof: members whose clients
          // disagree on them do not accept each other's contributions (no decision: 503)
          beaconBlockRoot: contribution.beaconBlockRoot,
          selectionProof: value.selectionProof,
        }),
        (v) => ssz.altair.ContributionAndProof.hashTreeRoot(v),
        'contribution_and_proof',
        (v, signature) => ({ type: 'sync-committee-contribution', value: v, signature }),
      );
    }
    case 'AGGREGATE_AND_PROOF':
    case 'AGGREGATE_AND_PROOF_V2':
      return aggregatePlan(ctx, request, r.fork, r.aggregateAndProof, validatorIndex, duty);
    case 'BLOCK':
    case 'BLOCK_V2': {
      // Decided over the header for every fork, with the value type built-in members use for their
      // own blocks (../duties/values.ts `blockHeaderValue`: one instance, one encoding): from
      // bellatrix on it is all the client sends, and its root is the block root the signature is
      // over. When this client's header is decided, the client publishes the block (it alone holds
      // the body); otherwise the member that built the decided block does. See README "Behind the API".
      const header = r.blockHeader;
      return decidePlan<BeaconBlockHeader>(
        request,
        duty('block', header.slot, deadline('block', header.slot)),
        header,
        blockHeaderValue(signing, { slot: header.slot, proposerIndex: validatorIndex }),
        (v) => ssz.phase0.BeaconBlockHeader.hashTreeRoot(v),
        'beacon_block',
        (v, signature) => ({ type: 'block', header: v, signature }),
      );
    }
  }
}

function aggregatePlan(
  ctx: CommitteeDutyContext,
  request: Web3SignerSignRequest,
  fork: Parameters<typeof aggregateValue>[1]['fork'],
  value: Phase0AggregateAndProof | ElectraAggregateAndProof,
  validatorIndex: number,
  duty: (type: SigningDutyType, slot: number, deadlineMs: number) => SigningDuty,
): CommitteePlan {
  const { signing, times } = ctx;
  const { data } = value.aggregate;
  const d = duty(
    'aggregate',
    data.slot,
    slotDutyDeadlineMs(times, 'aggregate', data.slot, ctx.attestationDueBps),
  );
  // the container must be the chain's at that slot (the built-in client's): AGGREGATE_AND_PROOF
  // (phase0's) in an electra epoch would be agreed under another value type than other members'
  const chain = forkAtEpoch(signing.schedule, times.epochOf(data.slot)).fork;
  if (forkAtLeast(chain, 'electra') !== forkAtLeast(fork, 'electra')) {
    throw refuse('type', `a ${fork} aggregate at slot ${data.slot}, which is in ${chain}`);
  }
  // The client's own attestation data and selection proof bind the value, as the decided data
  // does in the built-in client: members whose clients aggregate other data do not agree.
  const base = { aggregatorIndex: validatorIndex, data, selectionProof: value.selectionProof };
  if (forkAtLeast(fork, 'electra')) {
    const electra = value as ElectraAggregateAndProof;
    const committees = electra.aggregate.committeeBits?.getTrueBitIndexes?.() ?? [];
    if (committees.length !== 1) {
      throw refuse(
        'aggregate_and_proof.aggregate.committee_bits',
        `names ${committees.length} committees, expected one`,
      );
    }
    return decidePlan<ElectraAggregateAndProof>(
      request,
      d,
      electra,
      electraAggregateValue(signing, { ...base, committeeIndex: committees[0] as number }),
      (v) => ssz.electra.AggregateAndProof.hashTreeRoot(v),
      'aggregate_and_proof',
      (v, signature) => ({ type: 'aggregate', fork, value: v, signature }),
    );
  }
  const phase0 = value as Phase0AggregateAndProof;
  return decidePlan<Phase0AggregateAndProof>(
    request,
    d,
    phase0,
    aggregateValue(signing, { ...base, fork }),
    (v) => ssz.phase0.AggregateAndProof.hashTreeRoot(v),
    'aggregate_and_proof',
    (v, signature) => ({ type: 'aggregate', fork, value: v, signature }),
  );
}
