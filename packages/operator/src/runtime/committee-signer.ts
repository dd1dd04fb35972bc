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
import type { Bls, PublicKey, SecretKeyShare, Signature } from '@diva-dvt/bls-threshold';
import { createThresholdScheme, type ThresholdScheme } from '@diva-dvt/bls-threshold';
import {
  type ConsensusInstance,
  type ConsensusOutput,
  createMessageAllocator,
  createRotationalInstance,
  type DropReason,
  type Evidence,
  leaderOf,
  leaderOrder,
  type ProposalStore,
  persistProposals,
  RotationalKind,
  type SignGuard,
  type ValueType,
} from '@diva-dvt/consensus';
import type { Clock } from '../clock.ts';
import type { OperatorAddress, ValidatorCommittee } from '../committee/types.ts';
import { OperatorError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import type { P2pNetwork, PeerOffence } from '../p2p/types.ts';
import type { DecidedValue, SigningDuty, ThresholdSigner } from '../signer.ts';
import { createOperatorAuthenticator, type DirectDelivery } from './auth.ts';
import {
  decodeCombinedFrame,
  decodePartialFrame,
  dutyInstanceId,
  encodeCombinedFrame,
  encodeConsensusFrame,
  encodePartialFrame,
  FRAME_COMBINED,
  FRAME_CONSENSUS,
  FRAME_PARTIAL,
} from './frames.ts';
import { PendingMessages } from './pending.ts';

/** A validator this node signs for: its committee and this node's share of its key. */
export interface SignerValidator {
  readonly validatorIndex: number;
  readonly committee: ValidatorCommittee;
  readonly share: SecretKeyShare;
}

/** What happened to a signing request, for metrics and logs. */
export type SigningEvent =
  | {
      readonly type: 'decided';
      readonly duty: SigningDuty;
      readonly round: number;
      readonly latencyMs: number;
      /** Whether the decided value is this node's own. */
      readonly own: boolean;
    }
  | { readonly type: 'combined'; readonly duty: SigningDuty; readonly latencyMs: number }
  | { readonly type: 'timeout'; readonly duty: SigningDuty; readonly stage: 'consensus' | 'partials' }
  | { readonly type: 'evidence'; readonly duty: SigningDuty; readonly evidence: Evidence }
  | { readonly type: 'dropped'; readonly from: OperatorAddress; readonly reason: string };

export interface CommitteeSignerComponents {
  readonly network: P2pNetwork;
  readonly bls: Bls;
  readonly clock: Clock;
  /** The slashing-protection guard of one consensus instance (by validator and duty). */
  readonly guardFor: (validator: SignerValidator, duty: SigningDuty) => SignGuard;
  /** Durable record of this node's proposals (recommended: without it a restart may equivocate). */
  readonly proposals?: ProposalStore;
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
}

interface ValidatorEntry {
  readonly validator: SignerValidator;
  readonly scheme: ThresholdScheme;
  /** Member index (share index) by operator address. */
  readonly memberOf: ReadonlyMap<OperatorAddress, number>;
  /** Operator address by member index - 1. */
  readonly addresses: readonly OperatorAddress[];
  readonly publicKeys: readonly Uint8Array[];
}

interface Session {
  readonly entry: ValidatorEntry;
  readonly duty: SigningDuty;
  readonly startedMs: number;
  /** Feeds one message from `member` (already checked to be a member of the committee). */
  deliver(member: number, bytes: Uint8Array): void;
  close(): void;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const OFFENCES: Partial<Record<DropReason, PeerOffence>> = {
  malformed: 'malformed',
  oversized: 'malformed',
  'unsupported-version': 'malformed',
  'bad-signature': 'invalid',
  'invalid-value': 'invalid',
  'invalid-partial': 'invalid',
  'invalid-decision': 'invalid',
};

/** `guard`, telling `onRefused` when it refuses (or fails, which refuses too). */
function watchRefusals(guard: SignGuard, onRefused: () => void): SignGuard {
  return {
    allow(request) {
      let answer: boolean | PromiseLike<boolean>;
      try {
        answer = guard.allow(request);
      } catch (e) {
        onRefused();
        throw e;
      }
      if (typeof answer === 'boolean') {
        if (!answer) onRefused();
        return answer;
      }
      return Promise.resolve(answer).then(
        (ok) => {
          if (!ok) onRefused();
          return ok;
        },
        (e: unknown) => {
          onRefused();
          throw e;
        },
      );
    },
  };
}

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

  constructor(components: CommitteeSignerComponents, init: CommitteeSignerInit) {
    if (init.identityKey.length !== 32) {
      throw new OperatorError({ code: 'INVALID_OPTION', option: 'identityKey', reason: 'expected 32 bytes' });
    }
    this.#c = components;
    this.#init = init;
    this.#logger = components.logger ?? silentLogger;
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
      next.set(v.validatorIndex, this.#byIndex.get(v.validatorIndex) ?? this.#entry(v, where));
    });
    this.#byIndex.clear();
    for (const [k, v] of next) this.#byIndex.set(k, v);
  }

  /** Equivocation and double-signing evidence seen so far (oldest first), for submission. */
  evidence(): readonly Evidence[] {
    return this.#evidence;
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
    const scheme = createThresholdScheme(bls, {
      shareIndex: share.shareIndex,
      secretShare: share.secretKey,
      publicShares,
      groupPublicKey: bls.publicKeyFromBytes(committee.groupPublicKey),
      threshold: committee.threshold,
    });
    return {
      validator: v,
      scheme,
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

  #broadcast(entry: ValidatorEntry, frame: Uint8Array): void {
    for (const address of entry.addresses)
      if (address !== this.#init.self) this.#c.network.send(address, frame);
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
    if (bytes[0] === FRAME_CONSENSUS && bytes.length >= 1 + 35) id = bytes.subarray(4, 36);
    else if (
      (bytes[0] === FRAME_PARTIAL && decodePartialFrame(bytes) !== undefined) ||
      (bytes[0] === FRAME_COMBINED && decodeCombinedFrame(bytes) !== undefined)
    )
      id = bytes.subarray(1, 33);
    else return this.#drop(from, 'malformed frame', 'malformed');
    const session = this.#sessions.get(hex(id));
    if (session !== undefined) this.#route(from, bytes, session);
    else this.#pending.add(hex(id), from, bytes, this.#c.clock.nowMs());
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
    const { committee, share } = entry.validator;
    const id = dutyInstanceId({ ...duty, groupPublicKey: committee.groupPublicKey });
    const startedMs = this.#c.clock.nowMs();
    const base = this.#init.roundTimeoutMs ?? 1_000;
    const direct = this.#direct;
    const seed = committee.groupPublicKey.subarray(0, 32);
    const n = committee.members.length;
    const waitMs = this.#init.combinerWaitMs ?? 300;
    const holdVotes = waitMs > 0 && leaderOf(leaderOrder(n, id, seed), 1) !== share.shareIndex;
    let refused = false;
    const inner = createRotationalInstance({
      n,
      t: committee.threshold,
      self: share.shareIndex,
      instance: id,
      // TODO(issue 16): an earlier epoch's RANDAO mix; the instance id alone makes the order predictable.
      leaderSeed: seed,
      valueType,
      scheme: entry.scheme,
      auth: createOperatorAuthenticator({
        secretKey: this.#init.identityKey,
        publicKeys: entry.publicKeys,
        direct,
      }),
      guard: watchRefusals(this.#c.guardFor(entry.validator, duty), () => {
        refused = true;
      }),
      timeouts: { baseMs: base, growth: 2, maxMs: base * 8 },
      partialVerification: 'on-combine',
      allocator: this.#allocator,
    });
    const proposals = this.#c.proposals;
    const instance: ConsensusInstance<V, Signature> =
      proposals === undefined
        ? inner
        : persistProposals(inner, { instance: id, valueType, store: proposals });

    return new Promise<DecidedValue<V>>((resolve, reject) => {
      const timers = new Set<ReturnType<typeof setTimeout>>();
      let closed = false;
      let settled = false;
      let markSettled: () => void = () => {};
      const settledPromise = new Promise<void>((done) => {
        markSettled = done;
      });
      const ownRoot = valueType.signingRoot(ownValue);
      /** Round-1 votes held while waiting for the designated combiner's DECIDED. */
      let holding:
        | { votes: { member: number; message: Uint8Array }[]; timer?: ReturnType<typeof setTimeout> }
        | undefined = holdVotes ? { votes: [] } : undefined;
      const feed = (member: number, message: Uint8Array) => {
        direct.bytes = message;
        direct.member = member;
        let out: ConsensusOutput<V, Signature>;
        try {
          out = instance.handle(message);
        } finally {
          direct.bytes = undefined;
        }
        handle(out);
      };
      /** Stops holding: feeds the held votes (no DECIDED came in time, or a new round began). */
      const release = () => {
        const held = holding;
        holding = undefined;
        if (held === undefined) return;
        if (held.timer !== undefined) clearTimeout(held.timer);
        if (instance.decision() !== undefined || closed) return;
        for (const v of held.votes) feed(v.member, v.message);
      };
      const handle = (out: ConsensusOutput<V, Signature>): void => {
        if (closed) return;
        for (const m of out.messages) this.#broadcast(entry, encodeConsensusFrame(m.bytes));
        for (const timer of out.timers) {
          const handleTimer = setTimeout(() => {
            timers.delete(handleTimer);
            handle(instance.timeout(timer.round));
          }, timer.delayMs);
          timers.add(handleTimer);
        }
        for (const event of out.events) {
          if (event.type === 'round' && event.round > 1) release();
          if (event.type === 'decided') release();
          if (event.type === 'decided' && !settled) {
            settled = true;
            cancelDeadline();
            markSettled();
            const { decision } = event;
            this.#c.onEvent?.({
              type: 'decided',
              duty,
              round: decision.round,
              latencyMs: this.#c.clock.nowMs() - startedMs,
              own: Buffer.compare(decision.root, ownRoot) === 0,
            });
            resolve({ value: decision.value, signature: entry.scheme.encodeSignature(decision.signature) });
          } else if (event.type === 'evidence') {
            this.#evidence.push(event.evidence);
            this.#logger.warn('consensus evidence', {
              kind: event.evidence.kind,
              operator: entry.addresses[event.evidence.member - 1],
              duty: duty.type,
              slot: duty.slot,
              validatorIndex: duty.validatorIndex,
            });
            this.#c.onEvent?.({ type: 'evidence', duty, evidence: event.evidence });
          } else if (event.type === 'dropped' && event.from !== undefined) {
            const from = entry.addresses[event.from - 1];
            if (from !== undefined) this.#drop(from, event.reason, OFFENCES[event.reason]);
          }
        }
        if (out.pending !== undefined) void out.pending.then(handle);
      };
      const session: Session = {
        entry,
        duty,
        startedMs,
        deliver: (member, bytes) => {
          const message = bytes.subarray(1);
          if (((message[39] ?? 0) << 8) + (message[40] ?? 0) !== member) {
            return this.#drop(entry.addresses[member - 1]!, 'sender field is not the connection', 'invalid');
          }
          if (holding !== undefined && message[2] === RotationalKind.Vote && instance.round() === 1) {
            if (holding.votes.length === 0) holding.timer = setTimeout(release, waitMs);
            holding.votes.push({ member, message: message.slice() });
            return;
          }
          feed(member, message);
        },
        close: () => {
          closed = true;
          if (holding?.timer !== undefined) clearTimeout(holding.timer);
          holding = undefined;
          for (const t of timers) clearTimeout(t);
          timers.clear();
          cancelDeadline();
          if (!settled) {
            settled = true;
            markSettled();
            reject(new OperatorError({ code: 'CONSENSUS_CLOSED', duty: duty.type, slot: duty.slot }));
          }
        },
      };
      const cancelDeadline = this.#deadline(duty, () => {
        if (settled) return;
        settled = true;
        markSettled();
        this.#c.onEvent?.({ type: 'timeout', duty, stage: 'consensus' });
        if (refused) {
          reject(
            new OperatorError({
              code: 'SLASHING_PROTECTION_REFUSED',
              duty: duty.type,
              validatorIndex: duty.validatorIndex,
              slot: duty.slot,
            }),
          );
          return;
        }
        reject(
          new OperatorError({
            code: 'CONSENSUS_TIMEOUT',
            duty: duty.type,
            validatorIndex: duty.validatorIndex,
            slot: duty.slot,
            round: instance.round(),
          }),
        );
      });
      handle(instance.start(ownValue));
      this.#open(id, session, settledPromise);
    });
  }

  async sign(signingRoot: Uint8Array, duty: SigningDuty): Promise<Uint8Array> {
    const entry = this.#validator(duty);
    const { committee, share } = entry.validator;
    const { scheme } = entry;
    const id = dutyInstanceId({ ...duty, groupPublicKey: committee.groupPublicKey });
    const startedMs = this.#c.clock.nowMs();
    const n = committee.members.length;
    const waitMs = this.#init.combinerWaitMs ?? 300;
    // as in `decide`: one member (round 1's leader of this instance) combines and shares the result
    const combiner = leaderOf(leaderOrder(n, id, committee.groupPublicKey.subarray(0, 32)), 1);
    const isCombiner = waitMs === 0 || combiner === share.shareIndex;
    return new Promise<Uint8Array>((resolve, reject) => {
      const partials = new Map<number, Uint8Array>();
      const unchecked = new Set<number>();
      /** Non-combiners: set once t partials are held and the wait for the combiner's result began. */
      let waiting: ReturnType<typeof setTimeout> | undefined;
      let waited = isCombiner;
      let settled = false;
      let markSettled: () => void = () => {};
      const settledPromise = new Promise<void>((done) => {
        markSettled = done;
      });
      const finish = () => {
        settled = true;
        if (waiting !== undefined) clearTimeout(waiting);
        cancelDeadline();
        markSettled();
      };
      const tryCombine = () => {
        if (settled || partials.size < committee.threshold) return;
        if (!waited) {
          waiting ??= setTimeout(() => {
            waited = true;
            tryCombine();
          }, waitMs);
          return;
        }
        const list = [...partials].map(([member, bytes]) => ({
          member,
          partial: scheme.decodePartial(bytes),
        }));
        let combined: Signature | undefined;
        try {
          combined = scheme.combine(signingRoot, list.slice(0, committee.threshold));
        } catch {
          combined = undefined;
        }
        if (combined !== undefined && scheme.verifyCombined(signingRoot, combined)) {
          finish();
          this.#c.onEvent?.({ type: 'combined', duty, latencyMs: this.#c.clock.nowMs() - startedMs });
          const signature = scheme.encodeSignature(combined);
          if (isCombiner) {
            this.#broadcast(entry, encodeCombinedFrame({ instance: id, root: signingRoot, signature }));
          }
          resolve(signature);
          return;
        }
        // Some partial is bad: check the unchecked ones, drop the invalid, wait for more.
        for (const { member, partial } of list) {
          if (!unchecked.has(member)) continue;
          unchecked.delete(member);
          if (!scheme.verifyPartial(member, signingRoot, partial)) {
            partials.delete(member);
            this.#drop(entry.addresses[member - 1]!, 'invalid-partial', 'invalid');
          }
        }
        tryCombine();
      };
      const session: Session = {
        entry,
        duty,
        startedMs,
        deliver: (member, bytes) => {
          if (bytes[0] === FRAME_COMBINED) {
            const combined = decodeCombinedFrame(bytes);
            if (settled || combined === undefined || Buffer.compare(combined.root, signingRoot) !== 0) return;
            let signature: Signature;
            try {
              signature = scheme.decodeSignature(combined.signature);
            } catch {
              return this.#drop(entry.addresses[member - 1]!, 'malformed combined signature', 'malformed');
            }
            if (!scheme.verifyCombined(signingRoot, signature)) {
              return this.#drop(entry.addresses[member - 1]!, 'invalid combined signature', 'invalid');
            }
            finish();
            this.#c.onEvent?.({ type: 'combined', duty, latencyMs: this.#c.clock.nowMs() - startedMs });
            resolve(combined.signature.slice());
            return;
          }
          const frame = decodePartialFrame(bytes);
          if (frame === undefined || frame.shareIndex !== member) {
            return this.#drop(entry.addresses[member - 1]!, 'partial frame not from its sender', 'invalid');
          }
          if (Buffer.compare(frame.root, signingRoot) !== 0) {
            return this.#drop(entry.addresses[member - 1]!, 'partial over another root', 'unexpected');
          }
          if (settled || partials.has(member)) return;
          try {
            scheme.decodePartial(frame.partial);
          } catch {
            return this.#drop(entry.addresses[member - 1]!, 'malformed partial', 'malformed');
          }
          partials.set(member, frame.partial.slice());
          unchecked.add(member);
          tryCombine();
        },
        close: () => {
          if (settled) return;
          finish();
          reject(new OperatorError({ code: 'CONSENSUS_CLOSED', duty: duty.type, slot: duty.slot }));
        },
      };
      const cancelDeadline = this.#deadline(duty, () => {
        if (settled) return;
        finish();
        this.#c.onEvent?.({ type: 'timeout', duty, stage: 'partials' });
        reject(
          new OperatorError({
            code: 'TOO_FEW_PARTIALS',
            duty: duty.type,
            validatorIndex: duty.validatorIndex,
            slot: duty.slot,
            received: partials.size,
            threshold: committee.threshold,
          }),
        );
      });
      const own = scheme.encodePartial(scheme.signPartial(signingRoot));
      partials.set(share.shareIndex, own);
      this.#broadcast(
        entry,
        encodePartialFrame({ instance: id, root: signingRoot, shareIndex: share.shareIndex, partial: own }),
      );
      this.#open(id, session, settledPromise);
      tryCombine();
    });
  }
}
