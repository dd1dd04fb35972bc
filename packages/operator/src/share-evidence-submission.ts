// Submits the stored double-signed partials (./share-evidence.ts) to the evidence contract, once
// each: attestations as proveDoubleAttestation (double or surround vote), block headers as
// proveDoubleProposal, with the ShareRef the contract checks (the draw of the group key, the
// generation whose recorded hashes match the stored committee and public shares). Idempotent like
// the leader equivocations (./evidence-submission.ts): what the contract punished already
// (`punished(drawId, operator)`, another member or this node before a restart) is marked and
// skipped; a failure (the chain unreachable, a refusal) is answered and left for the next run.
// Unprovable evidence (another duty, an unknown value) is never sent.

import { ssz } from '@diva-dvt/beacon-api/spec';
import type { EvidenceAttestationData, EvidenceBlockHeader, ShareRef } from '@diva-dvt/contracts';
import { revertOf } from './chain/revert.ts';
import type { OperatorAddress } from './committee/types.ts';
import type { EvidenceStore, StoredDoubleSignedPartial } from './evidence-store.ts';
import type { EvidenceChain } from './evidence-submission.ts';

/** What became of one stored double-signed partial in this run. */
export type PartialEvidenceSubmission = {
  readonly operator: OperatorAddress;
  readonly instance: `0x${string}`;
  readonly shareIndex: number;
} & (
  | { readonly status: 'proven'; readonly transaction: `0x${string}` }
  | { readonly status: 'already-proven' }
  /** The chain knows no draw for the group key, or no generation with these shares (yet). */
  | { readonly status: 'unknown-validator' }
  | { readonly status: 'failed'; readonly error: unknown }
);

const hex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;

function attestationOf(value: Uint8Array): EvidenceAttestationData {
  const d = ssz.phase0.AttestationData.deserialize(value);
  return {
    slot: BigInt(d.slot),
    index: BigInt(d.index),
    beaconBlockRoot: hex(d.beaconBlockRoot),
    source: { epoch: BigInt(d.source.epoch), root: hex(d.source.root) },
    target: { epoch: BigInt(d.target.epoch), root: hex(d.target.root) },
  };
}

function headerOf(value: Uint8Array): EvidenceBlockHeader {
  const h = ssz.phase0.BeaconBlockHeader.deserialize(value);
  return {
    slot: BigInt(h.slot),
    proposerIndex: BigInt(h.proposerIndex),
    parentRoot: hex(h.parentRoot),
    stateRoot: hex(h.stateRoot),
    bodyRoot: hex(h.bodyRoot),
  };
}

async function submitOne(
  store: EvidenceStore,
  chain: EvidenceChain,
  e: StoredDoubleSignedPartial,
): Promise<PartialEvidenceSubmission> {
  const where = { operator: e.operator, instance: e.instance, shareIndex: e.shareIndex };
  const key = { groupPublicKey: e.groupPublicKey, instance: e.instance, shareIndex: e.shareIndex };
  let drawId: bigint | undefined;
  const already = async (): Promise<PartialEvidenceSubmission | undefined> => {
    if (drawId === undefined || !(await chain.isSharePunished(drawId, e.operator))) return undefined;
    store.markPartialProven(key, { status: 'already-proven' });
    return { ...where, status: 'already-proven' };
  };
  try {
    drawId = await chain.drawIdOf(e.groupPublicKey);
    if (drawId === undefined) return { ...where, status: 'unknown-validator' };
    const punished = await already();
    if (punished !== undefined) return punished;
    const generation = await chain.generationOf(drawId, e.committee, e.publicShares);
    if (generation === undefined) return { ...where, status: 'unknown-validator' };
    const share: ShareRef = {
      drawId,
      generation,
      shareIndex: BigInt(e.shareIndex),
      committee: e.committee,
      publicShares: hex(e.publicShares),
    };
    // unproven() returns only provable records: both values are known and decode
    const [first, second] = [e.first.value!, e.second.value!];
    const signatures = { firstSignature: e.first.partial, secondSignature: e.second.partial };
    const transaction =
      e.duty === 'block'
        ? await chain.proveDoubleProposal({
            share,
            first: headerOf(first),
            second: headerOf(second),
            ...signatures,
          })
        : await chain.proveDoubleAttestation({
            share,
            first: attestationOf(first),
            second: attestationOf(second),
            ...signatures,
          });
    store.markPartialProven(key, { status: 'proven', transaction });
    return { ...where, status: 'proven', transaction };
  } catch (error) {
    // Someone may have proven it between the check and the proof: that is success, not a failure.
    const punished = await already().catch(() => undefined);
    if (punished !== undefined) return punished;
    if (revertOf(error)?.name === 'AlreadyPunished') {
      store.markPartialProven(key, { status: 'already-proven' });
      return { ...where, status: 'already-proven' };
    }
    return { ...where, status: 'failed', error };
  }
}

/**
 * Proves every provable double-signed partial the store holds and the chain has not punished yet,
 * one transaction each, in the order they were recorded; answers what became of each one.
 */
export async function submitDoubleSignedPartials(
  store: EvidenceStore,
  chain: EvidenceChain,
): Promise<PartialEvidenceSubmission[]> {
  const results: PartialEvidenceSubmission[] = [];
  for (const e of store.doubleSignedPartials({ unproven: true }))
    results.push(await submitOne(store, chain, e));
  return results;
}
