// What a resharing leaves on disk once the chain has moved past it (a part of ./reshare-request.ts):
//   - pending directories `<stateDir>/reshare/draw-<id>-gen-<g>-<committee hash>` (and the staging
//     directories `.draw-….dkg-*.tmp` a crashed run left beside them). One is kept while it may
//     still serve: the ceremony under way, the finished one of the resharing the chain asks for now
//     (this member in its committee), the one whose recording is yet to be promoted. Any other is
//     superseded (another generation recorded, the request replaced by another committee, this
//     member out of it, the validator gone) and removed: it holds a share keystore nobody will use.
//     A directory of a validator the chain does not show (yet) is left alone.
//   - share keystores in the keys directory that a recorded resharing superseded: of a validator that
//     no longer seats this operator at that share index (ejected, or seated elsewhere), and the old
//     generation's keystore of a kept seat whose new share never arrived (it cannot sign with the new
//     committee). They leave the keys directory, with their entry in the start-up bundle
//     (../keys/share-cache.ts), only once every configured RPC shows the recording deep enough
//     (./rpc-witnesses.ts): see ./reshare-retire.ts.
// Only names this module recognises are touched.
import { readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { OperatorAddress } from '../committee/types.ts';
import { OperatorError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ChainState } from './chain-state.ts';
import { pendingReshares, reshareDir } from './reshare-pending.ts';

const PENDING = /^draw-(\d+)-gen-(\d+)-[0-9a-f]{12}$/;
const STAGING = /^\.(draw-\d+-gen-\d+-[0-9a-f]{12})\.dkg-.*\.tmp$/;
const KEYSTORE = /^keystore-([0-9a-f]{96})-(\d+)\.json$/;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const nameOf = (drawId: bigint, generation: number, committee: readonly string[]) =>
  basename(reshareDir('', drawId, generation, committee));

/**
 * The names in a `<stateDir>/reshare` listing that the chain has superseded (pure). `running`: the
 * directory name of the ceremony under way; `promoted(drawId, generation)`: whether the recorded
 * generation's share was dealt with (promoted, or found missing).
 */
export function supersededReshareDirs(parameters: {
  readonly names: readonly string[];
  readonly state: ChainState;
  readonly self: OperatorAddress;
  readonly running?: string | undefined;
  readonly promoted: (drawId: bigint, generation: number) => boolean;
}): string[] {
  const { state, self } = parameters;
  const wanted = new Map<bigint, string>();
  for (const p of pendingReshares(state, self)) {
    if (p.committee.includes(self))
      wanted.set(p.validator.drawId, nameOf(p.validator.drawId, p.generation, p.committee));
  }
  const out: string[] = [];
  for (const name of parameters.names) {
    const inner = STAGING.exec(name)?.[1] ?? name;
    const parsed = PENDING.exec(inner);
    if (parsed === null || inner === parameters.running) continue;
    const drawId = BigInt(parsed[1]!);
    const generation = Number(parsed[2]);
    const v = state.validator(drawId);
    if (v === undefined || generation > v.generation + 1) continue; // the chain does not show it
    if (wanted.get(drawId) === inner) continue; // in flight
    const members = v.members.map((m) => m.operator);
    const recorded = generation === v.generation && inner === nameOf(drawId, generation, members);
    if (recorded && members.includes(self) && !parameters.promoted(drawId, generation)) continue;
    out.push(name);
  }
  return out;
}

/**
 * The share keystores in a keys-directory listing that the chain no longer gives this operator (pure):
 * of a validator with a recorded resharing (generation > 0) whose members do not seat `self` at that
 * share index.
 */
export function staleShareKeystores(
  names: readonly string[],
  state: ChainState,
  self: OperatorAddress,
): string[] {
  const reshared = new Map(state.validators().map((v) => [hex(v.groupPublicKey), v]));
  return names.filter((name) => {
    const parsed = KEYSTORE.exec(name);
    const v = parsed === null ? undefined : reshared.get(parsed[1]!);
    if (v === undefined || v.generation === 0) return false;
    return v.members.find((m) => m.operator === self)?.shareIndex !== Number(parsed![2]);
  });
}

/** Removes the superseded pending directories of `<stateDir>/reshare`; returns their names. */
export async function expireReshareDirs(parameters: {
  readonly stateDir: string;
  readonly state: ChainState;
  readonly self: OperatorAddress;
  readonly running?: string | undefined;
  readonly promoted: (drawId: bigint, generation: number) => boolean;
  readonly logger: Logger;
}): Promise<string[]> {
  const root = join(parameters.stateDir, 'reshare');
  const names = await readdir(root).catch(() => [] as string[]);
  const running = parameters.running === undefined ? undefined : basename(parameters.running);
  const stale = supersededReshareDirs({ ...parameters, names, running });
  for (const name of stale) {
    try {
      await rm(join(root, name), { recursive: true, force: true });
    } catch (cause) {
      throw new OperatorError(
        { code: 'FILE_ACCESS_FAILED', path: join(root, name), operation: 'write' },
        { cause },
      );
    }
    parameters.logger.info('resharing directory superseded by the chain; removed', { dir: name });
  }
  return stale;
}
