// The resharings the chain asks for with this operator in them, and where each one's outputs wait
// (./reshare-request.ts runs them, ./reshare-cleanup.ts removes what the chain superseded).
import { join } from 'node:path';
import { keccak256, toBytes } from 'viem';
import type { OperatorAddress } from '../committee/types.ts';
import type { ChainState, ChainValidator } from './chain-state.ts';

/** A resharing the chain asks for and this operator takes part in. */
export interface PendingReshare {
  readonly validator: ChainValidator;
  /** The draw's committee now: the new members, seat order = share order. */
  readonly committee: readonly OperatorAddress[];
  /** The generation it records (`generationOf + 1`). */
  readonly generation: number;
  /** The old members still seated: they deal. */
  readonly dealers: readonly OperatorAddress[];
}

/** The resharings the chain asks for, in ascending draw id, with `self` in the old or the new committee. */
export function pendingReshares(state: ChainState, self: OperatorAddress): PendingReshare[] {
  const out: PendingReshare[] = [];
  for (const validator of state.validators()) {
    const draw = state.draw(validator.drawId);
    if (draw?.status !== 'approved') continue;
    const old = validator.members.map((m) => m.operator);
    if (old.length === draw.committee.length && old.every((a, i) => a === draw.committee[i])) continue;
    if (!old.includes(self) && !draw.committee.includes(self)) continue;
    const dealers = old.filter((a) => draw.committee.includes(a));
    out.push({ validator, committee: draw.committee, generation: validator.generation + 1, dealers });
  }
  return out;
}

/** `<stateDir>/reshare/draw-<id>-gen-<g>-<committee hash>`. */
export function reshareDir(
  stateDir: string,
  drawId: bigint,
  generation: number,
  committee: readonly string[],
): string {
  const committeeHash = keccak256(toBytes(committee.join(','))).slice(2, 14);
  return join(stateDir, 'reshare', `draw-${drawId}-gen-${generation}-${committeeHash}`);
}
