// What a node does with a committee decision that is not its own client's (decision 29): the
// duty is still the committee's, so the node publishes the decided, combined message to its beacon
// nodes itself, and its client gets 412. The message is built as the built-in validator client
// builds it (../duties/*.ts); an attestation needs the validator's place in its committee
// (aggregation bits before electra, the committee index from electra on), which only the attester
// duties say: they are fetched once per epoch for the validators served through the API, and their
// dependent root is also the epoch's consensus leader seed (as the built-in client's,
// ../internal/epoch-duties.ts), so members behind the API and built-in members meet under the same
// leader order. A block cannot be published from here: clients send only its header; the member
// whose value was decided (its client or built-in duty) holds the body and publishes it.
import { BitArray } from '@chainsafe/ssz';
import type { AttesterDuty, BeaconApi } from '@diva-dvt/beacon-api';
import {
  type AttestationData,
  type BeaconBlockHeader,
  type ContributionAndProof,
  type ElectraAggregateAndProof,
  type Fork,
  forkAtEpoch,
  forkAtLeast,
  type Phase0AggregateAndProof,
  type SigningContext,
} from '@diva-dvt/beacon-api/spec';
import { type Logger, silentLogger } from '../logger.ts';
import type { SlotTimes } from '../slot-times.ts';

/** A decided value with its group signature, as the committee backend hands it over. */
export type DecidedMessage =
  | {
      readonly type: 'attestation';
      readonly validatorIndex: number;
      readonly data: AttestationData;
      readonly signature: Uint8Array;
    }
  | {
      readonly type: 'aggregate';
      readonly fork: Fork;
      readonly value: Phase0AggregateAndProof | ElectraAggregateAndProof;
      readonly signature: Uint8Array;
    }
  | {
      readonly type: 'sync-committee-message';
      readonly validatorIndex: number;
      readonly slot: number;
      readonly beaconBlockRoot: Uint8Array;
      readonly signature: Uint8Array;
    }
  | {
      readonly type: 'sync-committee-contribution';
      readonly value: ContributionAndProof;
      readonly signature: Uint8Array;
    }
  | {
      readonly type: 'block';
      readonly header: BeaconBlockHeader;
      readonly signature: Uint8Array;
    };

/** What the committee backend asks of the node's chain side (`CommitteeWeb3SignerBackendOptions.publisher`). */
export interface CommitteeDecidedPublisher {
  /** Called before a duty of `epoch` is planned: loads what the epoch's duties need (attester duties). */
  prepare(epoch: number): Promise<void>;
  /** The epoch's consensus leader seed (the attester duties' dependent root), once prepared. */
  leaderSeed(epoch: number): Uint8Array | undefined;
  /** Publishes a decided message; resolves `published` or says why not (never throws). */
  publish(message: DecidedMessage): Promise<{ readonly published: boolean; readonly reason?: string }>;
}

export interface BeaconDecidedPublisherOptions {
  readonly api: BeaconApi;
  readonly signing: SigningContext;
  readonly times: SlotTimes;
  /** The validator indices served through the API now (their attester duties are fetched). */
  readonly validatorIndices: () => readonly number[];
  readonly logger?: Logger;
}

interface EpochEntry {
  readonly indices: string;
  readonly duties: Promise<{
    readonly dependentRoot?: Uint8Array;
    readonly byIndex: Map<number, AttesterDuty>;
  }>;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The publisher over beacon nodes; attester duties are cached per epoch (two epochs kept). */
export function createBeaconDecidedPublisher(
  options: BeaconDecidedPublisherOptions,
): CommitteeDecidedPublisher {
  const { api, signing, times } = options;
  const logger = options.logger ?? silentLogger;
  const epochs = new Map<number, EpochEntry>();
  const seeds = new Map<number, Uint8Array>();

  function attesterDuties(epoch: number): EpochEntry['duties'] {
    const indices = [...options.validatorIndices()].sort((a, b) => a - b);
    const key = indices.join(',');
    const known = epochs.get(epoch);
    // validators added at run time: ask again with the new set
    if (known !== undefined && known.indices === key) return known.duties;
    const duties = (async () => {
      if (indices.length === 0) return { byIndex: new Map<number, AttesterDuty>() };
      const r = await api.getAttesterDuties({ epoch, indices });
      const dependentRoot = r.meta.dependentRoot;
      if (dependentRoot?.length === 32) seeds.set(epoch, dependentRoot);
      return {
        ...(dependentRoot !== undefined ? { dependentRoot } : {}),
        byIndex: new Map(r.data.map((d) => [d.validatorIndex, d] as const)),
      };
    })();
    const entry = { indices: key, duties };
    epochs.set(epoch, entry);
    // a failed fetch is asked again by the next request
    duties.catch(() => {
      if (epochs.get(epoch) === entry) epochs.delete(epoch);
    });
    for (const e of epochs.keys()) if (e < epoch - 1) epochs.delete(e);
    for (const e of seeds.keys()) if (e < epoch - 1) seeds.delete(e);
    return duties;
  }

  const forkOf = (slot: number) => forkAtEpoch(signing.schedule, times.epochOf(slot)).fork;

  async function publishAttestation(
    m: Extract<DecidedMessage, { type: 'attestation' }>,
  ): Promise<{ published: boolean; reason?: string }> {
    const { data } = m;
    const duty = (await attesterDuties(times.epochOf(data.slot))).byIndex.get(m.validatorIndex);
    if (duty === undefined || duty.slot !== data.slot) {
      return {
        published: false,
        reason: `no attester duty of validator ${m.validatorIndex} at slot ${data.slot}`,
      };
    }
    const fork = forkOf(data.slot);
    if (forkAtLeast(fork, 'electra')) {
      const single = {
        committeeIndex: duty.committeeIndex,
        attesterIndex: m.validatorIndex,
        data,
        signature: m.signature,
      };
      await api.submitPoolAttestations({ fork, data: [single] });
    } else {
      const attestation = {
        aggregationBits: BitArray.fromSingleBit(duty.committeeLength, duty.validatorCommitteeIndex),
        data,
        signature: m.signature,
      };
      await api.submitPoolAttestations({ fork, data: [attestation] });
    }
    return { published: true };
  }

  return {
    async prepare(epoch) {
      try {
        await attesterDuties(epoch);
      } catch (e) {
        // without duties the request is still planned (no leader seed: a slower decision)
        logger.warn('web3signer: could not fetch attester duties', { epoch, error: errorText(e) });
      }
    },
    leaderSeed: (epoch) => seeds.get(epoch),
    async publish(m) {
      try {
        switch (m.type) {
          case 'attestation':
            return await publishAttestation(m);
          case 'aggregate':
            await api.publishAggregateAndProofs({
              fork: m.fork,
              data: [{ message: m.value, signature: m.signature }],
            } as Parameters<BeaconApi['publishAggregateAndProofs']>[0]);
            return { published: true };
          case 'sync-committee-message':
            await api.submitPoolSyncCommitteeSignatures({
              data: [
                {
                  slot: m.slot,
                  beaconBlockRoot: m.beaconBlockRoot,
                  validatorIndex: m.validatorIndex,
                  signature: m.signature,
                },
              ],
            });
            return { published: true };
          case 'sync-committee-contribution':
            await api.publishContributionAndProofs({ data: [{ message: m.value, signature: m.signature }] });
            return { published: true };
          case 'block':
            return {
              published: false,
              reason:
                'a block is published by the member whose block was decided (clients send only the header)',
            };
        }
      } catch (e) {
        return { published: false, reason: errorText(e) };
      }
    },
  };
}
