// The resharings the chain asks for with this operator in them, and where each one's outputs wait
// (./reshare-request.ts runs them, ./reshare-cleanup.ts removes what the chain superseded).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keccak256, toBytes } from 'viem';
import { parseClusterFile } from '../committee/cluster-file.ts';
import type { OperatorAddress } from '../committee/types.ts';
import { CLUSTER_FILE_NAME } from '../dkg/outputs.ts';
import { OperatorError } from '../errors.ts';
import { shareKeystoreFileName } from '../keys/keystore.ts';
import type { ChainState, ChainValidator } from './chain-state.ts';

/** A resharing the chain asks for and this operator takes part in. */
export interface PendingReshare {
  readonly validator: ChainValidator;
  /** The draw's committee now: the new members, seat order = share order. */
  readonly committee: readonly OperatorAddress[];
  /** The generation it records (`generationOf + 1`). */
  readonly generation: number;
  /** The old members still seated, less those that asked for a new share: they deal. */
  readonly dealers: readonly OperatorAddress[];
}

/**
 * The resharings the chain asks for (a committee changed by a replacement, or a member's
 * `requestShareRegeneration`), in ascending draw id, with `self` in the old or the new committee.
 */
export function pendingReshares(state: ChainState, self: OperatorAddress): PendingReshare[] {
  const out: PendingReshare[] = [];
  for (const validator of state.validators()) {
    const draw = state.draw(validator.drawId);
    if (draw?.status !== 'approved') continue;
    const old = validator.members.map((m) => m.operator);
    const regenerating = draw.regenerating ?? [];
    const same = old.length === draw.committee.length && old.every((a, i) => a === draw.committee[i]);
    // same committee: only a member's request for a new share of its seat asks for a resharing
    if (same && regenerating.length === 0) continue;
    if (!old.includes(self) && !draw.committee.includes(self)) continue;
    // a member that lost its share keeps its seat and only receives: the others deal
    const dealers = old.filter((a) => draw.committee.includes(a) && !regenerating.includes(a));
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

/** A finished resharing in `dir`: the new public shares and this member's keystore (undefined: none). */
export async function readFinished(
  dir: string,
  self: OperatorAddress,
): Promise<{ publicShares: Uint8Array[]; keystore: string | undefined } | undefined> {
  const text = await readFile(join(dir, CLUSTER_FILE_NAME), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const v = parseClusterFile(text, { file: dir }).validators[0]!;
    const me = v.members.find((m) => m.operator === self);
    return {
      publicShares: v.members.map((m) => m.publicShare),
      keystore:
        me === undefined ? undefined : join(dir, shareKeystoreFileName(v.groupPublicKey, me.shareIndex)),
    };
  } catch (cause) {
    throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path: dir, operation: 'read' }, { cause });
  }
}
