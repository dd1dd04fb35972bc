// An epoch's duties of the validators served, fetched once per epoch: attester, proposer and
// sync committee duties, and for each attester duty the aggregation selection proof (signed as soon
// as the duty is known; the node is told `is_aggregator` with the committee subscription).
import type { AttesterDuty, SyncDuty } from '@diva-dvt/beacon-api';
import { type AggregatorSelection, selectAggregator } from '../duties/aggregation.ts';
import type { EpochDuties } from '../outcome.ts';
import type { DutyContext } from './duty.ts';

export interface ValidatorEpoch {
  readonly duties: EpochDuties;
  /** The aggregation selection of the attester duty, when there is one. */
  readonly selection: Promise<AggregatorSelection> | undefined;
}

/** The duties of `indices` in `epoch`; undefined when the node did not answer (retried next slot). */
export async function fetchEpochDuties(
  ctx: DutyContext,
  indices: readonly number[],
  epoch: number,
  onDuties: ((duties: EpochDuties) => void) | undefined,
): Promise<ValidatorEpoch[] | undefined> {
  if (indices.length === 0) return [];
  let att: AttesterDuty[];
  let dependentRoot: Uint8Array | undefined;
  let prop: { validatorIndex: number; slot: number }[];
  let sync: SyncDuty[];
  try {
    [att, prop, sync] = await Promise.all([
      ctx.api.getAttesterDuties({ epoch, indices }).then((r) => {
        dependentRoot = r.meta.dependentRoot;
        return r.data;
      }),
      ctx.api.getProposerDuties({ epoch }).then((r) => r.data),
      ctx.api.getSyncCommitteeDuties({ epoch, indices }).then((r) => r.data),
    ]);
  } catch (e) {
    ctx.logger.error('could not fetch duties', {
      epoch,
      error: e instanceof Error ? e.message : String(e),
    });
    return undefined;
  }
  // The consensus leader seed of the epoch's duties (see SigningDuty.leaderSeed); a node that gives
  // none leaves the committee on the group-key order, as every member whose node gives none.
  if (dependentRoot?.length === 32) ctx.leaderSeeds.set(epoch, dependentRoot);
  for (const e of ctx.leaderSeeds.keys()) if (e < epoch - 1) ctx.leaderSeeds.delete(e);
  return indices.map((validatorIndex) => {
    const attester = att.find((d) => d.validatorIndex === validatorIndex);
    const duties: EpochDuties = {
      epoch,
      validatorIndex,
      attester,
      proposerSlots: prop.filter((d) => d.validatorIndex === validatorIndex && d.slot > 0).map((d) => d.slot),
      sync: sync.find((d) => d.validatorIndex === validatorIndex),
    };
    onDuties?.(duties);
    const selection = attester === undefined ? undefined : selectAggregator(ctx, attester);
    if (attester !== undefined && selection !== undefined) {
      void selection.then((s) =>
        ctx.api
          .prepareBeaconCommitteeSubnet({
            data: [
              {
                validatorIndex,
                committeeIndex: attester.committeeIndex,
                committeesAtSlot: attester.committeesAtSlot,
                slot: attester.slot,
                isAggregator: s.selectionProof !== undefined,
              },
            ],
          })
          .catch((e: unknown) =>
            ctx.logger.warn('committee subscription failed', {
              validatorIndex,
              slot: attester.slot,
              error: e instanceof Error ? e.message : String(e),
            }),
          ),
      );
    }
    return { duties, selection };
  });
}
