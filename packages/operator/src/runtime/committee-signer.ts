// The ThresholdSigner of a real operator: this node holds one share of each validator it serves,
// and signs together with that validator's committee over the p2p network.
//
// - `decide` (values that differ between beacon nodes) runs one rotational consensus instance per
//   (validator, duty), started with this node's value: the decision is the value t members signed,
//   with the group signature. The instance's sign guard (slashing protection) records durably
//   what this member signs before its partial leaves, and its proposals are recorded before they
//   leave (`persistProposals`), so neither a restart nor a re-run duty makes this node sign twice.
// - `sign` (values the duty fixes: RANDAO reveal, selection proofs) only exchanges partial
//   signatures: t partials over the same root are combined and the result checked once.
// Messages for an instance this node has not started yet (a peer is ahead) wait in a bounded
// buffer; nothing a peer sends can throw here (bad messages are dropped, counted and reported to
// the network, which scores the peer).
import type { Bls, PublicKey } from '@diva-dvt/bls-threshold';
import { createThresholdScheme } from '@diva-dvt/bls-threshold';
import {
  createMessageAllocator,
  type Evidence,
  type ProposalStore,
  type SignGuard,
  type ValueType,
} from '@diva-dvt/consensus';
import type { Clock } from '../clock.ts';
import type { OperatorAddress } from '../committee/types.ts';
import { OperatorError } from '../errors.ts';
import { type EvidenceStore, leaderEquivocationOf } from '../evidence-store.ts';
import { type Logger, silentLogger } from '../logger.ts';
import type { P2pNetwork, PeerOffence } from '../p2p/types.ts';
import { doubleSignedPartialOf } from '../share-evidence.ts';
import type { DecidedValue, SigningDuty, ThresholdSigner } from '../signer.ts';
import type { DirectDelivery } from './auth.ts';
import { decideWithCommittee, type EvidenceContext } from './consensus-session.ts';
import {
  decodeCombinedFrame,
  decodePartialFrame,
  FRAME_COMBINED,
  FRAME_CONSENSUS,
  FRAME_PARTIAL,
} from './frames.ts';
import { type ProposalDomain, proposalDomainSeparator } from './leader-proposal.ts';
import { exchangePartials } from './partial-exchange.ts';
import { PendingMessages } from './pending.ts';
import { sameCommittee } from './same-committee.ts';
import {
  type BatchStats,
  SameRootBatch,
  VerifiedSignatures,
  withVerifiedSignatures,
} from './same-root-batch.ts';
import type { Session, SessionHost, SignerValidator, SigningEvent, ValidatorEntry } from './session.ts';

export type { SignerValidator, SigningEvent } from './session.ts';

export interface CommitteeSignerComponents {
  readonly network: P2pNetwork;
  readonly bls: Bls;
  readonly clock: Clock;
  /** The slashing-protection guard of one consensus instance (by validator and duty). */
  readonly guardFor: (validator: SignerValidator, duty: SigningDuty) => SignGuard;
  /** Durable record of this node's proposals (recommended: without it a restart may equivocate). */
  readonly proposals?: ProposalStore;
  /**
   * Keeps evidence provable on chain: leader equivocations (need `proposalDomain`) for
   * `submitLeaderEquivocations`, double-signed key shares for `submitDoubleSignedPartials`.
   */
  readonly evidence?: EvidenceStore;
  readonly logger?: Logger;
  readonly onEvent?: (event: SigningEvent) => void;
}

export interface CommitteeSignerInit {
  readonly self: OperatorAddress;
  /** This operator's 32-byte secp256k1 identity key: signs its consensus messages. */
  readonly identityKey: Uint8Array;
  /** Operators' compressed secp256k1 public keys (this one's included), to check their messages. */
  readonly operatorKeys: ReadonlyMap<OperatorAddress, Uint8Array>;
  readonly validators: readonly SignerValidator[];
  /**
   * The chain and evidence contract of the network: PROPOSALs are then signed as the contract's
   * EIP-712 `Proposal(instance, round, valueRoot)` and checked so by the members (all members of a
   * committee must agree on it). Without it proposals are signed like other messages and an
   * equivocation cannot be proven on chain.
   */
  readonly proposalDomain?: ProposalDomain;
  /** Round 1's timeout (default 1,000 ms); round r waits base·2^(r-1), at most 8 times base. */
  readonly roundTimeoutMs?: number;
  /** A finished instance keeps answering late members for this long (default 4,000 ms). */
  readonly lingerMs?: number;
  /**
   * Round 1's leader is the designated combiner: it combines the t partials and broadcasts the
   * group signature (DECIDED), which the others verify once instead of combining themselves (the
   * Lagrange combination costs ~10 ms, a verification ~1 ms). The others hold round-1 votes for
   * up to this long (default 300 ms) waiting for it, then combine themselves; 0 disables holding.
   */
  readonly combinerWaitMs?: number;
  /**
   * Fault injection for devnets and tests. `equivocateAsLeader`: as round 1's leader, this member
   * proposes two values to the two halves of the committee (./equivocation-fault.ts), so the others
   * keep evidence the contracts punish. Never on a real network.
   */
  readonly faults?: { readonly equivocateAsLeader?: boolean };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export class CommitteeSigner implements ThresholdSigner {
  readonly #c: CommitteeSignerComponents;
  readonly #init: CommitteeSignerInit;
  readonly #logger: Logger;
  readonly #byIndex = new Map<number, ValidatorEntry>();
  readonly #sessions = new Map<string, Session>();
  readonly #pending = new PendingMessages();
  readonly #allocator = createMessageAllocator();
  readonly #direct: DirectDelivery = { bytes: undefined, member: 0 };
  readonly #evidence: Evidence[] = [];
  readonly #host: SessionHost;
  readonly #domainSeparator: Uint8Array | undefined;
  readonly #batch: SameRootBatch;

  constructor(components: CommitteeSignerComponents, init: CommitteeSignerInit) {
    if (init.identityKey.length !== 32) {
      throw new OperatorError({ code: 'INVALID_OPTION', option: 'identityKey', reason: 'expected 32 bytes' });
    }
    this.#c = components;
    this.#init = init;
    this.#domainSeparator =
      init.proposalDomain === undefined ? undefined : proposalDomainSeparator(init.proposalDomain);
    this.#logger = components.logger ?? silentLogger;
    this.#batch = new SameRootBatch(components.bls);
    this.#host = {
      clock: components.clock,
      logger: this.#logger,
      broadcast: (entry, frame, twin) => this.#broadcast(entry, frame, twin),
      drop: (from, reason, offence) => this.#drop(from, reason, offence),
      event: (event) => components.onEvent?.(event),
      deadline: (duty, onExpire) => this.#deadline(duty, onExpire),
      open: (id, session, settled) => this.#open(id, session, settled),
    };
    this.setValidators(init.validators);
    components.network.onMessage((from, bytes) => this.#receive(from, bytes));
  }

  /** Replaces the validators served (committees change at run time); running duties finish. */
  setValidators(validators: readonly SignerValidator[]): void {
    const next = new Map<number, ValidatorEntry>();
    validators.forEach((v, i) => {
      const where = `validators[${i}]`;
      if (next.has(v.validatorIndex)) {
        throw new OperatorError({ code: 'INVALID_OPTION', option: where, reason: 'validator listed twice' });
      }
      // The same committee and share keep their entry (and its running instances); a committee
      // changed by a resharing (members, public shares, share) gets a new one.
      const known = this.#byIndex.get(v.validatorIndex);
      next.set(
        v.validatorIndex,
        known !== undefined && sameCommittee(known.validator, v) ? known : this.#entry(v, where),
      );
    });
    this.#byIndex.clear();
    for (const [k, v] of next) this.#byIndex.set(k, v);
  }

  /** Equivocation and double-signing evidence seen so far (oldest first), for submission. */
  evidence(): readonly Evidence[] {
    return this.#evidence;
  }

  /** Group signatures checked in same-root batches so far (./same-root-batch.ts). */
  get batchStats(): Readonly<BatchStats> {
    return this.#batch.stats;
  }

  /** Instances running or lingering. */
  get activeInstances(): number {
    return this.#sessions.size;
  }

  /** Closes every instance (their requests fail). */
  stop(): void {
    for (const s of this.#sessions.values()) s.close();
    this.#sessions.clear();
  }

  #entry(v: SignerValidator, where: string): ValidatorEntry {
    const { bls } = this.#c;
    const { committee, share } = v;
    const members = [...committee.members].sort((a, b) => a.shareIndex - b.shareIndex);
    members.forEach((m, i) => {
      if (m.shareIndex !== i + 1) {
        throw new OperatorError({
          code: 'INVALID_OPTION',
          option: `${where}.committee.members`,
          reason: `share indices must be 1..${members.length}`,
        });
      }
    });
    const own = members.find((m) => m.operator === this.#init.self);
    if (own === undefined || own.shareIndex !== share.shareIndex) {
      throw new OperatorError({
        code: 'INVALID_OPTION',
        option: `${where}.share`,
        reason: `this operator (${this.#init.self}) does not hold share ${share.shareIndex} of the committee`,
      });
    }
    const publicKeys = members.map((m) => {
      const key = this.#init.operatorKeys.get(m.operator);
      if (key === undefined) {
        throw new OperatorError({
          code: 'INVALID_OPTION',
          option: `${where}.committee`,
          reason: `no identity key for operator ${m.operator}`,
        });
      }
      return key;
    });
    const publicShares: PublicKey[] = members.map((m) => bls.publicKeyFromBytes(m.publicShare));
    const groupKey = bls.publicKeyFromBytes(committee.groupPublicKey);
    const scheme = createThresholdScheme(bls, {
      shareIndex: share.shareIndex,
      secretShare: share.secretKey,
      publicShares,
      groupPublicKey: groupKey,
      threshold: committee.threshold,
    });
    const verified = new VerifiedSignatures();
    return {
      validator: v,
      scheme: withVerifiedSignatures(scheme, verified),
      groupKey,
      verified,
      memberOf: new Map(members.map((m) => [m.operator, m.shareIndex])),
      addresses: members.map((m) => m.operator),
      publicKeys,
    };
  }

  #validator(duty: SigningDuty): ValidatorEntry {
    const entry = this.#byIndex.get(duty.validatorIndex);
    if (entry === undefined)
      throw new OperatorError({ code: 'UNKNOWN_VALIDATOR', validatorIndex: duty.validatorIndex });
    return entry;
  }

  #broadcast(entry: ValidatorEntry, frame: Uint8Array, twin?: Uint8Array): void {
    if (twin === undefined) {
      for (const address of entry.addresses)
        if (address !== this.#init.self) this.#c.network.send(address, frame);
      return;
    }
    // fault injection: the first half of the others (rounded down) gets `frame`, the rest `twin`;
    // with this member's own vote neither half reaches t, so both proposals spread in round changes
    const others = entry.addresses.filter((address) => address !== this.#init.self);
    const half = Math.floor(others.length / 2);
    for (const [i, address] of others.entries()) this.#c.network.send(address, i < half ? frame : twin);
  }

  /** Runs `session` until it settles or its deadline passes, then lingers to answer late members. */
  #open(id: Uint8Array, session: Session, settled: Promise<unknown>): void {
    const key = hex(id);
    this.#sessions.get(key)?.close();
    this.#sessions.set(key, session);
    for (const { from, bytes } of this.#pending.take(key)) this.#route(from, bytes, session);
    const linger = this.#init.lingerMs ?? 4_000;
    const end = () => {
      setTimeout(() => {
        if (this.#sessions.get(key) === session) {
          this.#sessions.delete(key);
          session.close();
        }
      }, linger).unref?.();
    };
    settled.then(end, end);
  }

  #route(from: OperatorAddress, bytes: Uint8Array, session: Session): void {
    const member = session.entry.memberOf.get(from);
    if (member === undefined) return this.#drop(from, 'not a member of the committee', 'unexpected');
    session.deliver(member, bytes);
  }

  #drop(from: OperatorAddress, reason: string, offence: PeerOffence | undefined): void {
    if (offence !== undefined) this.#c.network.report(from, offence);
    this.#c.onEvent?.({ type: 'dropped', from, reason });
  }

  #receive(from: OperatorAddress, bytes: Uint8Array): void {
    let id: Uint8Array;
    const kind = bytes[0];
    // Frames of other kinds belong to the node's other parts on the same network (clock offsets,
    // DKG ceremonies, the chain lifecycle's statements and reports) or to a newer peer: not ours to
    // judge. Scoring them as malformed banned honest peers once reports ran beside the signer.
    if (kind !== FRAME_CONSENSUS && kind !== FRAME_PARTIAL && kind !== FRAME_COMBINED) return;
    if (kind === FRAME_CONSENSUS && bytes.length >= 1 + 35) id = bytes.subarray(4, 36);
    else if (
      (kind === FRAME_PARTIAL && decodePartialFrame(bytes) !== undefined) ||
      (kind === FRAME_COMBINED && decodeCombinedFrame(bytes) !== undefined)
    )
      id = bytes.subarray(1, 33);
    else return this.#drop(from, 'malformed frame', 'malformed');
    const key = hex(id);
    const session = this.#sessions.get(key);
    if (session === undefined) return this.#pending.add(key, from, bytes, this.#c.clock.nowMs());
    if (kind === FRAME_PARTIAL) return this.#route(from, bytes, session);
    // A group signature (or any message of an instance that may carry one) waits for the end of the
    // turn, to be checked with the others over the same root; the messages keep their order.
    const { entry } = session;
    const combined = entry.memberOf.has(from) ? session.combinedOf(bytes) : undefined;
    if (combined === undefined && !this.#batch.holding) return this.#route(from, bytes, session);
    this.#batch.hold(entry.verified, entry.groupKey, combined, () => {
      // the session may have been replaced meanwhile: route to the current one
      const current = this.#sessions.get(key);
      if (current !== undefined) this.#route(from, bytes, current);
      else this.#pending.add(key, from, bytes, this.#c.clock.nowMs());
    });
  }

  #deadline(duty: SigningDuty, onExpire: () => void): () => void {
    const controller = new AbortController();
    void this.#c.clock.waitUntil(duty.deadlineMs, controller.signal).then(() => {
      if (!controller.signal.aborted) onExpire();
    });
    return () => controller.abort();
  }

  async decide<V>(ownValue: V, valueType: ValueType<V>, duty: SigningDuty): Promise<DecidedValue<V>> {
    const entry = this.#validator(duty);
    return decideWithCommittee(this.#host, entry, ownValue, valueType, duty, {
      identityKey: this.#init.identityKey,
      guard: this.#c.guardFor(entry.validator, duty),
      proposals: this.#c.proposals,
      allocator: this.#allocator,
      direct: this.#direct,
      roundTimeoutMs: this.#init.roundTimeoutMs ?? 1_000,
      combinerWaitMs: this.#init.combinerWaitMs ?? 300,
      proposalDomainSeparator: this.#domainSeparator,
      onEvidence: (e, context) => this.#keep(entry, e, context),
      equivocateAsLeader: this.#init.faults?.equivocateAsLeader === true,
    });
  }

  /** Keeps `evidence` in memory and, in the contract's form, in the evidence store. */
  #keep(entry: ValidatorEntry, evidence: Evidence, context: EvidenceContext): void {
    this.#evidence.push(evidence);
    const store = this.#c.evidence;
    const operator = entry.addresses[evidence.member - 1];
    if (store === undefined || operator === undefined) return;
    const { groupPublicKey, members } = entry.validator.committee;
    try {
      // a leader's proposals are provable only when signed as the contract's EIP-712 Proposal
      const leader =
        this.#domainSeparator === undefined
          ? undefined
          : leaderEquivocationOf(evidence, { operator, groupPublicKey, rootOf: context.rootOf });
      if (leader !== undefined) store.recordLeaderEquivocation(leader);
      const share = doubleSignedPartialOf(evidence, {
        ...context,
        operator,
        groupPublicKey,
        committee: entry.addresses,
        publicShares: Buffer.concat(members.map((m) => m.publicShare)),
        duty: context.duty.type,
      });
      if (share !== undefined) store.recordDoubleSignedPartial(share);
    } catch (error) {
      this.#logger.error('could not store equivocation evidence', {
        operator,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  async sign(signingRoot: Uint8Array, duty: SigningDuty): Promise<Uint8Array> {
    return exchangePartials(
      this.#host,
      this.#validator(duty),
      signingRoot,
      duty,
      this.#init.combinerWaitMs ?? 300,
    );
  }
}
