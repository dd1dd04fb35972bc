// The beacon-chain indices of the validators a node serves: those its committees name, else asked
// of the beacon node by public key (a validator not in its state yet is asked again later).
import type { BeaconApi } from '@diva-dvt/beacon-api';
import type { ValidatorCommittee } from '../committee/types.ts';
import type { Logger } from '../logger.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * Updates `indices` (group public key hex without 0x -> index): drops validators no longer listed,
 * adds those the committees name, asks the beacon node for the rest. A failed request is logged.
 */
export async function resolveValidatorIndices(
  api: BeaconApi,
  validators: readonly ValidatorCommittee[],
  indices: Map<string, number>,
  logger: Logger,
): Promise<void> {
  const known = new Set(validators.map((v) => hex(v.groupPublicKey)));
  for (const key of [...indices.keys()]) if (!known.has(key)) indices.delete(key);
  const ask: string[] = [];
  for (const v of validators) {
    const key = hex(v.groupPublicKey);
    if (indices.has(key)) continue;
    if (v.validatorIndex !== undefined) indices.set(key, v.validatorIndex);
    else ask.push(`0x${key}`);
  }
  if (ask.length === 0) return;
  try {
    const found = (await api.getStateValidators({ stateId: 'head', ids: ask })).data;
    for (const v of found) indices.set(hex(v.validator.pubkey), v.index);
    const missing = ask.length - found.length;
    if (missing > 0) logger.info('validators not on chain yet', { count: missing });
  } catch (e) {
    logger.warn('could not look up validator indices', { error: e instanceof Error ? e.message : String(e) });
  }
}
