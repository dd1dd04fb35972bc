// The committee Web3Signer backend: a stock validator client signs through the API and the
// committee signs behind it. Values a duty fixes (RANDAO reveal, selection proofs, exits, builder
// registrations) go through the partial-signature exchange (`ThresholdSigner.sign`); values beacon
// nodes may disagree on (attestation data, blocks, aggregates, sync messages and contributions)
// through committee consensus (`ThresholdSigner.decide`), started from the client's value. The
// client gets the group signature only when the committee decided its value (same
// hash_tree_root); otherwise 412 VALUE_DIFFERS, naming both roots. The signer's own guards are the
// slashing protection: a refusal answers 412, no decision or too few partials by the duty's
// deadline 503. One duty is signed once per backend: a second request for a duty being (or
// already) signed joins it, so no client gets two different signatures for one duty from here.

import type { SigningContext } from '@diva-dvt/beacon-api/spec';
import type { Clock } from '../clock.ts';
import type { SigningDutyType } from '../errors.ts';
import { isOperatorError } from '../errors.ts';
import type { ThresholdSigner } from '../signer.ts';
import type { SlashingRefusalReason } from '../slashing/types.ts';
import type { SlotTimes } from '../slot-times.ts';
import { type CommitteeDutyContext, type CommitteePlan, committeePlan } from './committee-duties.ts';
import type { CommitteeDecidedPublisher } from './committee-publish.ts';
import type { Web3SignerBackend, Web3SignerSignRequest, Web3SignerSignResult } from './types.ts';

/**
 * A validator the committee signs for: its group public key (48 bytes) and its index on the beacon
 * chain (a `ValidatorCommittee` fits). Without an index it is not served yet: duties are by index.
 */
export interface CommitteeWeb3SignerValidator {
  readonly validatorIndex?: number;
  readonly groupPublicKey: Uint8Array;
}

export interface CommitteeWeb3SignerBackendOptions {
  /** The node's committee signer (`CommitteeSigner`): consensus, slashing protection, partial exchange. */
  readonly signer: ThresholdSigner;
  /**
   * The validators served now, asked on every request (committees change at run time): e.g.
   * `() => source.current().validators`. A new array is indexed again; the same array is reused.
   */
  readonly validators: () => readonly CommitteeWeb3SignerValidator[];
  readonly clock: Clock;
  /** The chain's slot times (genesis, slot duration, slots per epoch): each duty's deadline. */
  readonly times: SlotTimes;
  /** The chain's signing context: the value types' signing roots, and which fork a slot is in. */
  readonly signing: SigningContext;
  /** ATTESTATION_DUE_BPS (default 3333): blocks and RANDAO reveals are dropped after it. */
  readonly attestationDueBps?: number;
  /** How long exits and builder registrations wait for partials (default one epoch). */
  readonly unscheduledTimeoutMs?: number;
  /**
   * The consensus leader seed of an epoch's duties (the built-in client passes the attester
   * duties' dependent root). Every member must give the same, or leaders rotate differently (a
   * slower decision, never a wrong one); without it the order follows the instance id.
   */
  readonly leaderSeed?: (epoch: number) => Uint8Array | undefined;
  /**
   * Publishes decisions that are not the client's value (the duty is still done), and gives the
   * epoch's leader seed when `leaderSeed` is not given. Without it such a decision is only refused.
   */
  readonly publisher?: CommitteeDecidedPublisher;
  /**
   * Asked before a request starts a new duty (one joining a running or decided duty is answered from
   * it): a slashing-protection refusal known now (e.g. `SlashingProtection.dryRunAttestation`) answers
   * 412 at once, also for a past duty, instead of at the deadline or 503 for a late request. The
   * signer's guard still decides what is signed.
   */
  readonly precheck?: (request: Web3SignerSignRequest) => Promise<SlashingRefusalReason | undefined>;
  /** Each decided message published (or not) by the node because its client asked for another value. */
  readonly onPublished?: (event: CommitteeDecidedPublishEvent) => void;
}

/** A decision this node published itself, or failed to. */
export interface CommitteeDecidedPublishEvent {
  readonly duty: SigningDutyType;
  readonly validatorIndex: number;
  readonly slot: number;
  readonly published: boolean;
  readonly reason?: string;
}

export interface CommitteeWeb3SignerBackend extends Web3SignerBackend {
  /** Requests signed so far (answered 200). */
  readonly signedCount: number;
}

type Outcome = Web3SignerSignResult;

interface Running {
  /** The signing root (fixed values) or the client's value root (decided values) it started with. */
  readonly started: Uint8Array;
  readonly deadlineMs: number;
  /** Decided values: the decided root and signature; fixed values: the signature. */
  readonly result: Promise<{ readonly decidedRoot?: Uint8Array; readonly signature: Uint8Array }>;
}

const hex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/**
 * The detail of a guard refusal. The CommitteeSigner does not report the guard's reason (an EIP-3076
 * rule, or one root per instance), so the answer names the guard, not a rule it cannot know.
 */
const GUARD_REFUSED = 'REFUSED_BY_COMMITTEE_SIGNER_GUARD';

/** The refusal a signer failure answers; anything else is rethrown (500). */
function refusalOf(e: unknown): Outcome | undefined {
  // the validator list said this node serves the key, but the signer holds no share (yet) of it
  if (isOperatorError(e, 'UNKNOWN_VALIDATOR')) return { ok: false, refusal: { reason: 'UNKNOWN_KEY' } };
  if (isOperatorError(e, 'SLASHING_PROTECTION_REFUSED')) {
    return { ok: false, refusal: { reason: 'SLASHING_PROTECTION', detail: GUARD_REFUSED } };
  }
  if (
    isOperatorError(e, 'CONSENSUS_TIMEOUT') ||
    isOperatorError(e, 'TOO_FEW_PARTIALS') ||
    isOperatorError(e, 'COMBINE_FAILED') ||
    isOperatorError(e, 'CONSENSUS_CLOSED')
  ) {
    return { ok: false, refusal: { reason: 'UNAVAILABLE', detail: e.shortMessage } };
  }
  return undefined;
}

/** Creates the backend; it holds no keys (the signer does) and does no I/O of its own. */
export function createCommitteeWeb3SignerBackend(
  options: CommitteeWeb3SignerBackendOptions,
): CommitteeWeb3SignerBackend {
  const { signer, clock, times, publisher } = options;
  const ctx: CommitteeDutyContext = {
    signing: options.signing,
    times,
    clock,
    attestationDueBps: options.attestationDueBps ?? 3333,
    unscheduledTimeoutMs: options.unscheduledTimeoutMs ?? times.slotDurationMs * times.slotsPerEpoch,
    ...(options.leaderSeed !== undefined
      ? { leaderSeed: options.leaderSeed }
      : publisher !== undefined
        ? { leaderSeed: (epoch: number) => publisher.leaderSeed(epoch) }
        : {}),
  };
  let indexed: readonly CommitteeWeb3SignerValidator[] | undefined;
  let byKey = new Map<`0x${string}`, number>();
  let publicKeys: readonly `0x${string}`[] = [];
  const running = new Map<string, Running>();
  let signedCount = 0;

  function refresh(): void {
    const list = options.validators();
    if (list === indexed) return;
    indexed = list;
    byKey = new Map(
      list.flatMap((v) =>
        v.validatorIndex === undefined ? [] : [[hex(v.groupPublicKey), v.validatorIndex]],
      ),
    );
    publicKeys = Object.freeze([...byKey.keys()]);
  }

  /** Drops finished duties once their deadline has passed (a late retry has nothing to join). */
  function prune(): void {
    const now = clock.nowMs();
    for (const [key, r] of running) if (r.deadlineMs < now) running.delete(key);
  }

  /** The duty's signing, joined when one with the same start is running or done for `key`. */
  function start(key: string, plan: CommitteePlan, request: Web3SignerSignRequest): Running {
    const started = plan.kind === 'decide' ? plan.clientRoot : request.signingRoot;
    const known = running.get(key);
    // A decided duty answers every later client from its one decision; a fixed value only the
    // clients that asked for the same root (another root, e.g. another registration timestamp,
    // waits for it and then runs under the same instance id).
    if (known !== undefined && (plan.kind === 'decide' || same(known.started, started))) return known;
    const before = known?.result.catch(() => undefined);
    const result = (async () => {
      await before;
      if (plan.kind === 'decide') {
        const decided = await plan.decide(signer);
        // The committee's decision is the duty: when it is not what this client asked for, the
        // client will not publish it (it gets 412), so the node does. Not a block: only the member
        // whose header was decided holds the body (a built-in member, or another member's client
        // once it has the signature), and it publishes; nothing is left to do here.
        if (
          publisher !== undefined &&
          plan.duty.type !== 'block' &&
          !same(decided.decidedRoot, plan.clientRoot)
        ) {
          const { type, validatorIndex, slot } = plan.duty;
          void publisher
            .publish(decided.message)
            .then((r) => options.onPublished?.({ duty: type, validatorIndex, slot, ...r }));
        }
        return decided;
      }
      return { signature: await signer.sign(request.signingRoot, plan.duty) };
    })();
    const entry: Running = { started, deadlineMs: plan.duty.deadlineMs, result };
    running.set(key, entry);
    // a failed duty is forgotten: a retry before the deadline runs again (the guards still hold)
    result.catch(() => {
      if (running.get(key) === entry) running.delete(key);
    });
    return entry;
  }

  async function sign(request: Web3SignerSignRequest): Promise<Outcome> {
    refresh();
    const validatorIndex = byKey.get(request.pubkeyHex);
    if (validatorIndex === undefined) return { ok: false, refusal: { reason: 'UNKNOWN_KEY' } };
    let plan = committeePlan(ctx, request, validatorIndex);
    if (publisher !== undefined) {
      // the epoch's attester duties: the leader seed, and what an attestation is published with
      await publisher.prepare(times.epochOf(plan.duty.slot));
      plan = committeePlan(ctx, request, validatorIndex);
    }
    prune();
    const { type, slot, subcommitteeIndex } = plan.duty;
    const key = `${validatorIndex}/${type}/${slot}/${subcommitteeIndex ?? ''}`;
    if (!running.has(key) && options.precheck !== undefined) {
      const refused = await options.precheck(request);
      if (refused !== undefined)
        return { ok: false, refusal: { reason: 'SLASHING_PROTECTION', detail: refused } };
    }
    // as the built-in client's checkDeadline: a duty past its deadline starts nothing (no guard record)
    if (!running.has(key) && clock.nowMs() > plan.duty.deadlineMs) {
      return {
        ok: false,
        refusal: {
          reason: 'UNAVAILABLE',
          detail: `${type} of validator ${validatorIndex} at slot ${slot}: its deadline has passed`,
        },
      };
    }
    let done: Awaited<Running['result']>;
    try {
      done = await start(key, plan, request).result;
    } catch (e) {
      const refusal = refusalOf(e);
      if (refusal === undefined) throw e;
      return refusal;
    }
    if (plan.kind === 'decide' && !same(done.decidedRoot as Uint8Array, plan.clientRoot)) {
      return {
        ok: false,
        refusal: {
          reason: 'VALUE_DIFFERS',
          detail: `${type} of validator ${validatorIndex} at slot ${slot}: the committee decided the value with hash_tree_root ${hex(done.decidedRoot as Uint8Array)}, the client asked for ${hex(plan.clientRoot)}${type === 'block' ? '; the member whose block was decided holds its body and publishes it' : publisher !== undefined ? '; the node publishes the decided message itself' : ''}`,
        },
      };
    }
    signedCount++;
    return { ok: true, signature: done.signature };
  }

  return {
    publicKeys() {
      refresh();
      return publicKeys;
    },
    sign,
    get signedCount() {
      return signedCount;
    },
  };
}
