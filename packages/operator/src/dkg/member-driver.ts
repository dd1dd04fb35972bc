// Drives one @diva-dvt/dkg member over the operator network, for both ceremonies (./ceremony.ts,
// ./reshare.ts), which differ only in who must send in each phase:
//
//   receive  the participants' DKG frames buffered until the member exists, then fed to it; other DKG
//            frames (hellos, deposit or confirmation partials) go to the ceremony; DKG frames of
//            operators outside the ceremony (an excluded dealer) and frames of other kinds (a committee
//            signer, the chain lifecycle's approvals) are not ours to judge and are left alone
//   send     each outgoing message to the operators it names (all others when it names none)
//   phases   a deadline per phase: at it, the expected senders still silent become culprits and the
//            member is told the phase timed out; disqualified dealers and missing dealings too
//   end      the member's result, or `DKG_CEREMONY_FAILED` naming the culprits when it aborts
//
// It also keeps the ceremony's timers, so one close() ends everything it started.
import { randomBytes } from 'node:crypto';
import type { SecretKey } from '@diva-dvt/bls-threshold';
import {
  type CeremonyConfig,
  createDkgMember,
  createSecp256k1Signer,
  type DkgMember,
  type DkgOutput,
  type DkgPhase,
  type DkgResult,
} from '@diva-dvt/dkg';
import { createNodeSecp256k1Verifier, nodeX25519 } from '@diva-dvt/dkg/node';
import { decodeEnvelope, MessageKind } from '@diva-dvt/dkg/wire';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { OperatorAddress } from '../committee/types.ts';
import { OperatorError } from '../errors.ts';
import type { P2pNetwork, PeerInfo } from '../p2p/types.ts';
import { type DkgFrame, decodeDkgFrame, encodeDkg, FRAME_DKG } from './frames.ts';

/** The member's phases a ceremony reports. */
export type MemberStage = Exclude<DkgPhase, 'done' | 'aborted'>;
/** The phases that wait for one message kind from each expected sender. */
export type AwaitingPhase = 'deal' | 'complain' | 'finish';

/** The message kind each awaiting phase waits for. */
const AWAITED: Record<AwaitingPhase, number> = {
  deal: MessageKind.Dealing,
  complain: MessageKind.Complaints,
  finish: MessageKind.Transcript,
};

export interface DkgMemberDriverParameters {
  readonly network: P2pNetwork;
  readonly self: OperatorAddress;
  /** Every other participant: the recipients of this member's messages. */
  readonly others: readonly PeerInfo[];
  /** Who must send in a phase (self may be among them): their count is the progress expected. */
  readonly senders: (phase: AwaitingPhase) => readonly PeerInfo[];
  /** The new committee's threshold: the transcripts the finish phase expects. */
  readonly threshold: number;
  readonly phaseTimeoutMs: number;
  readonly onProgress: (progress: { stage: MemberStage; received: number; expected: number }) => void;
  /** The DKG frames that are not member messages (hellos, deposit or confirmation partials). */
  readonly onFrame: (from: OperatorAddress, frame: Exclude<DkgFrame, { type: 'dkg' }>) => void;
  /**
   * Asked after every message in the deal phase: true ends it at once (a resharing whose joined
   * dealers have all dealt does not wait for the absent ones until the deadline).
   */
  readonly dealsComplete?: () => boolean;
}

export interface RunMemberParameters {
  readonly config: CeremonyConfig;
  readonly identityKey: Uint8Array;
  readonly encryptionSecretKey: Uint8Array;
  /** Everyone whose DKG messages this member checks (their secp256k1 public keys). */
  readonly signers: readonly PeerInfo[];
  /** Resharing: this dealer's current shares, one per validator. */
  readonly existingShares?: readonly SecretKey[];
  /** Resharing: an old member without its shares, taking part as a recipient only. */
  readonly recipientOnly?: boolean;
}

export interface DkgMemberDriver {
  /** Operators missing a phase, restarted, disqualified or named by the member's abort. */
  readonly culprits: Set<string>;
  /** Runs task after ms unless the driver is closed first. */
  after(ms: number, task: () => void): void;
  /** True once the member exists (from then on, the hello keys are in use). */
  started(): boolean;
  /** Whether a DKG message of this kind (`MessageKind`) arrived from the operator. */
  hasSent(address: string, kind: number): boolean;
  /** Creates the member, feeds what arrived before, and settles with its result or its abort. */
  run(parameters: RunMemberParameters): Promise<DkgResult>;
  /**
   * Ends a running member at once with `DKG_CEREMONY_FAILED` naming the culprits (a participant
   * restarted: the ceremony cannot finish, so waiting out its phases only delays the next attempt).
   */
  fail(reason: string): void;
  /** Stops listening and clears every timer. */
  close(): void;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const addressBytes = (a: OperatorAddress) => Uint8Array.from(Buffer.from(a.slice(2), 'hex'));

/** `DKG_CEREMONY_FAILED` at stage, the culprits deduplicated and sorted. */
export const ceremonyFailure = (stage: string, reason: string, culprits: Iterable<string> = []) =>
  new OperatorError({ code: 'DKG_CEREMONY_FAILED', stage, reason, culprits: [...new Set(culprits)].sort() });

/** Listens on the network at once (see the file comment); call close() when the ceremony ends. */
export function createDkgMemberDriver(parameters: DkgMemberDriverParameters): DkgMemberDriver {
  const { network, self, others, phaseTimeoutMs } = parameters;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const after = (ms: number, task: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      task();
    }, ms);
    timers.add(timer);
  };
  let settle: { resolve: (r: DkgResult) => void; reject: (e: unknown) => void } | undefined;
  let closed = false;
  let dkgPhase: DkgPhase = 'deal';
  let member: DkgMember | undefined;
  const early: { from: string; envelope: Uint8Array }[] = [];
  const sentKinds = new Map<string, Set<number>>();
  const culprits = new Set<string>();

  const endDealEarly = (m: DkgMember) => {
    if (m.phase() === 'deal' && parameters.dealsComplete?.() === true) apply(m.timeout('deal'));
  };
  const feed = (m: DkgMember, from: string, envelope: Uint8Array) => {
    try {
      sentKinds.set(from, (sentKinds.get(from) ?? new Set()).add(decodeEnvelope(envelope).kind));
    } catch {
      // the member reports it as dropped
    }
    apply(m.handle(envelope));
    endDealEarly(m);
  };

  // Frames from operators outside the ceremony (an excluded dealer, a committee peer) are not ours.
  const participants = new Set<string>(others.map((o) => o.address));
  const unsubscribe = network.onMessage((from, bytes) => {
    if (closed || bytes[0] !== FRAME_DKG || !participants.has(from)) return;
    const frame = decodeDkgFrame(bytes);
    if (frame === undefined) return network.report(from, 'malformed');
    if (frame.type !== 'dkg') return parameters.onFrame(from as OperatorAddress, frame);
    if (member === undefined) early.push({ from, envelope: frame.envelope });
    else feed(member, from, frame.envelope);
  });

  const phaseEnded = (phase: MemberStage) => {
    if (member?.phase() !== phase) return;
    const kind = phase === 'justify' ? undefined : AWAITED[phase];
    if (kind !== undefined) {
      for (const o of parameters.senders(phase as AwaitingPhase))
        if (o.address !== self && !sentKinds.get(o.address)?.has(kind)) culprits.add(o.address);
    }
    apply(member.timeout(phase));
  };

  const apply = (out: DkgOutput) => {
    for (const m of out.messages) {
      const bytes = encodeDkg(m.bytes);
      for (const o of others) {
        if (m.to === undefined || m.to.some((a) => Buffer.compare(a, addressBytes(o.address)) === 0))
          network.send(o.address, bytes);
      }
    }
    for (const e of out.events) {
      if (e.type === 'phase' && e.phase !== 'done' && e.phase !== 'aborted') {
        const phase = e.phase;
        dkgPhase = phase;
        const expected =
          phase === 'finish'
            ? parameters.threshold
            : phase === 'justify'
              ? 0
              : parameters.senders(phase).length;
        parameters.onProgress({ stage: phase, received: 0, expected });
        after(phaseTimeoutMs, () => phaseEnded(phase));
      } else if (e.type === 'progress') {
        parameters.onProgress({ stage: e.phase as MemberStage, received: e.received, expected: e.expected });
      } else if (e.type === 'disqualified' || (e.type === 'complaint' && e.reason === 'missing')) {
        culprits.add(`0x${hex(e.dealer)}`);
      } else if (e.type === 'finished') {
        settle?.resolve(e.result);
      } else if (e.type === 'aborted') {
        const details = e.error.details as { culprits?: readonly string[] };
        for (const c of details.culprits ?? []) culprits.add(c);
        settle?.reject(ceremonyFailure(dkgPhase, e.error.shortMessage, culprits));
      }
    }
  };

  return {
    culprits,
    after,
    started: () => member !== undefined,
    hasSent: (address, kind) => sentKinds.get(address)?.has(kind) === true,
    run: (run) => {
      const verifier = createNodeSecp256k1Verifier();
      for (const o of run.signers) {
        verifier.addKnownKey(addressBytes(o.address), secp256k1.Point.fromBytes(o.publicKey).toBytes(false));
      }
      return new Promise<DkgResult>((resolve, reject) => {
        settle = { resolve, reject };
        const m = createDkgMember({
          config: run.config,
          signer: createSecp256k1Signer(run.identityKey),
          verifier,
          keyAgreement: nodeX25519,
          encryptionSecretKey: run.encryptionSecretKey,
          random: (size) => new Uint8Array(randomBytes(size)),
          ...(run.existingShares === undefined ? {} : { existingShares: run.existingShares }),
          ...(run.recipientOnly === true ? { recipientOnly: true } : {}),
        });
        member = m;
        apply(m.start());
        for (const x of early.splice(0)) feed(m, x.from, x.envelope);
        endDealEarly(m);
      });
    },
    fail: (reason) => settle?.reject(ceremonyFailure(dkgPhase, reason, culprits)),
    close: () => {
      closed = true;
      unsubscribe();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
