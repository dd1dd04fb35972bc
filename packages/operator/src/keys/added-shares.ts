// The key shares of validators added while the node runs (`keys import` or a chain-accepted DKG
// result written into the keys directory, then a new committee snapshot). Unlike `loadKeyShares`,
// which is all or nothing (a node must not start without a share it was told to hold), each
// validator here loads on its own: one missing or bad keystore is reported and skipped, the others
// are served, and the skipped one is tried again at the next snapshot.
import type { SecretKeyShare } from '@diva-dvt/bls-threshold';
import type { CommitteeSnapshot, OperatorAddress, ValidatorCommittee } from '../committee/types.ts';
import type { Logger } from '../logger.ts';
import {
  type KeyShareLoadFailure,
  keyShareLoadFailure,
  type LoadedKeyShare,
  type LoadKeySharesParameters,
  loadKeyShares,
} from './keystore.ts';

export type { KeyShareLoadFailure };

export interface AddedKeyShares {
  /** By group public key, lower-case `0x` hex. */
  readonly shares: ReadonlyMap<`0x${string}`, LoadedKeyShare>;
  readonly failures: readonly KeyShareLoadFailure[];
}

/**
 * Loads this operator's share of each given committee, one committee at a time (a few at run time;
 * the start loads thousands with `loadKeySharesCached`). Never throws for a keystore: each failure
 * is returned instead, and its validator left out.
 */
export async function loadAddedKeyShares(parameters: LoadKeySharesParameters): Promise<AddedKeyShares> {
  const shares = new Map<`0x${string}`, LoadedKeyShare>();
  const failures: KeyShareLoadFailure[] = [];
  for (const committee of parameters.committees) {
    try {
      const one = await loadKeyShares({ ...parameters, committees: [committee] });
      for (const [key, share] of one) shares.set(key, share);
    } catch (error) {
      failures.push(keyShareLoadFailure(committee.groupPublicKey, error));
    }
  }
  return { shares, failures };
}

/**
 * The node's share loading at a committee change: loads (with `load`) the shares of the validators
 * `shares` lacks and no other call is loading, adds them to `shares` (keys without 0x), logs the
 * failures and returns them; absent `load`, nothing.
 */
export async function loadMissingShares(
  load: ((committees: readonly ValidatorCommittee[]) => Promise<AddedKeyShares>) | undefined,
  validators: readonly ValidatorCommittee[],
  shares: Map<string, SecretKeyShare>,
  loading: Set<string>,
  logger: Logger,
): Promise<KeyShareLoadFailure[]> {
  if (load === undefined) return [];
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const missing = validators.filter((v) => {
    const key = hex(v.groupPublicKey);
    return !shares.has(key) && !loading.has(key);
  });
  if (missing.length === 0) return [];
  const keys = missing.map((v) => hex(v.groupPublicKey));
  for (const key of keys) loading.add(key);
  try {
    const loaded = await load(missing);
    for (const [key, share] of loaded.shares) shares.set(key.slice(2), share.secretShare);
    if (loaded.shares.size > 0)
      logger.info('key shares loaded for added validators', { count: loaded.shares.size });
    for (const f of loaded.failures) {
      logger.error('key share not loaded; validator skipped until the next committee change', {
        groupPublicKey: f.groupPublicKey,
        code: f.code,
        reason: f.reason,
        ...(f.file !== undefined ? { file: f.file } : {}),
      });
    }
    return [...loaded.failures];
  } finally {
    for (const key of keys) loading.delete(key);
  }
}

/**
 * Drops from `shares` (keys without 0x) the share of each validator whose committee gives `self`
 * another public share in `after` than in `before` (a recorded resharing: same group key, new
 * shares), so that the next load takes the new keystore instead of serving the old share.
 */
export function dropReshared(
  before: CommitteeSnapshot | undefined,
  after: CommitteeSnapshot,
  self: OperatorAddress,
  shares: Map<string, SecretKeyShare>,
  logger: Logger,
): void {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const mine = (v: ValidatorCommittee) => v.members.find((m) => m.operator === self);
  const held = new Map((before?.validators ?? []).map((v) => [hex(v.groupPublicKey), mine(v)]));
  for (const v of after.validators) {
    const key = hex(v.groupPublicKey);
    const was = held.get(key);
    const now = mine(v);
    if (was === undefined || now === undefined || hex(was.publicShare) === hex(now.publicShare)) continue;
    if (shares.delete(key)) {
      logger.info('key share changed by a resharing; the new one is loaded', { groupPublicKey: `0x${key}` });
    }
  }
}

/**
 * Drops from `shares` (keys without 0x) the share of each validator `before` listed and `after` no
 * longer does (this operator left its committee, e.g. ejected by a recorded resharing): a share the
 * node no longer serves is not kept in memory. Listed again later, it is loaded again.
 */
export function dropRemoved(
  before: CommitteeSnapshot | undefined,
  after: CommitteeSnapshot,
  shares: Map<string, SecretKeyShare>,
  logger: Logger,
): void {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const listed = new Set(after.validators.map((v) => hex(v.groupPublicKey)));
  for (const v of before?.validators ?? []) {
    const key = hex(v.groupPublicKey);
    if (!listed.has(key) && shares.delete(key)) {
      logger.info('validator no longer served by this operator; its key share dropped', {
        groupPublicKey: `0x${key}`,
      });
    }
  }
}
