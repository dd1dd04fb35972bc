/**
 * One member of a Pedersen DKG (joint Feldman with proofs of knowledge and a complaint round), as a
 * pure state machine: `start()`, `handle(bytes)` and `timeout(phase)` return the messages to send and
 * the events that happened. No I/O, no clock, no global randomness. Phases: deal -> complain ->
 * justify -> finish; one ends at its timeout, or once all it waits for has arrived (see the README).
 */
import { evaluatePolynomial, type SecretKey } from '@diva-dvt/bls-threshold';
import { checkConfig, memberRoles, transcriptHash } from './ceremony.ts';
import { DkgError } from './errors.ts';
import { addressToHex } from './identity.ts';
import { certify, divergentDealers, type SignedTranscript } from './internal/certify.ts';
import { createDealingBody } from './internal/dealing.ts';
import {
  allQuiet,
  checkProofs,
  type DealerState,
  type DealingContext,
  ownComplaints,
  storeDealing,
} from './internal/dealings.ts';
import {
  createAuthenticator,
  readComplaints,
  readReveals,
  readTranscript,
  unexpectedMessage,
} from './internal/inbound.ts';
import { computeOutcome, type DealerView } from './internal/outcome.ts';
import {
  ComplaintsBodyType,
  decodeBody,
  ForwardBodyType,
  JustificationBodyType,
  KIND_NAMES,
  MessageKind,
  messageDigest,
  signEnvelope,
  TranscriptBodyType,
} from './messages.ts';
import type {
  CreateDkgMemberParameters,
  DkgEvent,
  DkgMember,
  DkgOutgoingMessage,
  DkgOutput,
  DkgPhase,
  DkgResult,
} from './types.ts';
import { bigintToBytes32, verifyShare } from './vss.ts';

const ZERO32 = new Uint8Array(32);
const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export function createDkgMember(parameters: CreateDkgMemberParameters): DkgMember {
  const { config, signer, verifier, random } = parameters;
  checkConfig(config);
  const { dealers, recipients, myDealer, myRecipient } = memberRoles(
    config,
    signer.address,
    parameters.existingShares,
    parameters.recipientOnly,
  );

  let phase: DkgPhase = 'deal';
  let started = false;
  let ownPolynomials: readonly bigint[][] | undefined;
  let outcome: ReturnType<typeof computeOutcome> | undefined;
  let myTranscript: Uint8Array | undefined;
  let result: DkgResult | undefined;
  let failure: DkgError | undefined;
  const state: DealerState[] = dealers.map(() => ({ reveals: new Map() }));
  const complaints = new Map<
    number,
    { digests: Uint8Array[]; against: { dealer: number; reason: number }[] }
  >();
  const transcripts = new Map<number, SignedTranscript>();
  const revealedTo = new Set<number>();
  const seen = new Set<string>();

  let messages: DkgOutgoingMessage[] = [];
  let events: DkgEvent[] = [];
  const flush = (): DkgOutput => {
    const out = { messages, events };
    messages = [];
    events = [];
    return out;
  };
  const send = (kind: MessageKind, body: Uint8Array) => {
    const bytes = signEnvelope(signer, config.ceremonyId, kind, body);
    seen.add(addressToHex(messageDigest(bytes)));
    messages.push({ bytes });
    return bytes;
  };
  const setPhase = (p: DkgPhase) => {
    phase = p;
    events.push({ type: 'phase', phase: p });
  };
  const abort = (error: DkgError) => {
    failure = error;
    setPhase('aborted');
    events.push({ type: 'aborted', error });
  };

  // --- dealings --------------------------------------------------------------------------------
  const ctx: DealingContext = {
    config,
    dealers,
    myRecipient,
    encryptionSecretKey: parameters.encryptionSecretKey,
    keyAgreement: parameters.keyAgreement,
    random,
    state,
    emit: (e) => events.push(e),
  };

  function acceptDealing(dealer: number, envelope: Uint8Array, body: Uint8Array): void {
    const outcome = storeDealing(ctx, dealer, envelope, body, phase);
    if (outcome === 'equivocation') forward(dealer);
    if (outcome === 'stored' && phase === 'deal') {
      const received = state.filter((s) => s.digest).length;
      events.push({ type: 'progress', phase: 'deal', received, expected: dealers.length });
      if (received === dealers.length) endDeal();
    }
  }

  function forward(dealer: number): void {
    const ds = state[dealer - 1]!;
    if (!ds.envelope || ds.forwarded) return;
    ds.forwarded = true;
    send(MessageKind.Forward, ForwardBodyType.serialize({ envelope: ds.envelope }));
  }

  function endDeal(): void {
    setPhase('complain');
    checkProofs(
      ctx,
      state.flatMap((s, i) => (s.parsed && !s.fault ? [i + 1] : [])),
    );
    if (myRecipient === undefined) return checkComplainDone();
    const against = ownComplaints(ctx, myDealer);
    const digests = state.map((s) => s.digest ?? ZERO32);
    send(MessageKind.Complaints, ComplaintsBodyType.serialize({ digests, complaints: against }));
    recordComplaints(myRecipient, digests, against);
  }

  // --- complaints and justifications ------------------------------------------------------------
  function recordComplaints(
    from: number,
    digests: Uint8Array[],
    against: { dealer: number; reason: number }[],
  ): void {
    complaints.set(from, { digests, against });
    digests.forEach((d, i) => {
      const mine = state[i]!.digest;
      if (mine && !equal(d, mine)) forward(i + 1); // missing or another version: relay ours
    });
    if (myDealer !== undefined && (phase === 'justify' || phase === 'finish')) revealFor([from]);
    if (phase === 'complain') {
      events.push({
        type: 'progress',
        phase: 'complain',
        received: complaints.size,
        expected: recipients.length,
      });
      checkComplainDone();
    }
  }

  function checkComplainDone(): void {
    if (phase === 'complain' && complaints.size === recipients.length) endComplain();
  }

  function revealFor(complainers: readonly number[]): void {
    if (!ownPolynomials || myDealer === undefined) return;
    const reveals = complainers
      .filter((c) => !revealedTo.has(c) && complaints.get(c)?.against.some((a) => a.dealer === myDealer))
      .map((c) => {
        revealedTo.add(c);
        const shares = ownPolynomials!.map((p) => evaluatePolynomial(p, c));
        state[myDealer - 1]!.reveals.set(c, shares); // this member's own view of its answer
        return { recipient: c, shares: shares.map(bigintToBytes32) };
      });
    if (reveals.length > 0) send(MessageKind.Justification, JustificationBodyType.serialize({ reveals }));
  }

  function endComplain(): void {
    setPhase('justify');
    revealFor([...complaints.keys()]);
    // Fast path: nobody complained and every echo matches this member's view.
    const quiet = complaints.size === recipients.length && allQuiet(state, complaints.values());
    if (quiet) endJustify();
  }

  function endJustify(): void {
    const complaintsAgainst = new Map<number, number[]>();
    for (const [from, c] of complaints) {
      for (const a of c.against)
        complaintsAgainst.set(a.dealer, [...(complaintsAgainst.get(a.dealer) ?? []), from]);
    }
    const views: DealerView[] = state.map((s) => ({
      parsed: s.parsed,
      fault: s.equivocated ? 'equivocated' : s.fault,
      reveals: s.reveals,
      myShares: s.myShares && !s.myShareBad ? s.myShares : undefined,
    }));
    const o = computeOutcome(config, views, complaintsAgainst, myRecipient);
    for (const d of o.disqualified) {
      events.push({ type: 'disqualified', dealer: dealers[d.dealer - 1]!.address, reason: d.reason });
    }
    const need = config.reshare ? config.reshare.previousThreshold : config.threshold;
    if (o.qualified.length < need) {
      abort(
        new DkgError({
          code: 'NOT_ENOUGH_QUALIFIED',
          qualified: o.qualified.length,
          threshold: need,
          culprits: o.disqualified.map((d) => addressToHex(dealers[d.dealer - 1]!.address)),
        }),
      );
      return;
    }
    outcome = o;
    const digests = state.map((s) => s.digest ?? ZERO32);
    myTranscript = transcriptHash(config, o.qualified, digests);
    setPhase('finish');
    if (myRecipient !== undefined) {
      const envelope = send(
        MessageKind.Transcript,
        TranscriptBodyType.serialize({ transcriptHash: myTranscript, qualified: o.qualified, digests }),
      );
      transcripts.set(myRecipient, { hash: myTranscript, envelope, qualified: o.qualified, digests });
    }
    for (const [from, t] of transcripts) {
      if (!equal(t.hash, myTranscript))
        events.push({ type: 'transcript-conflict', signer: recipients[from - 1]!.address });
    }
    checkCertified();
  }

  function checkCertified(): void {
    if (phase !== 'finish' || !myTranscript || !outcome) return;
    const c = certify(transcripts, myTranscript, config.threshold);
    const matching = c.status === 'certified' ? c.signers.length : c.status === 'pending' ? c.matching : 0;
    events.push({ type: 'progress', phase: 'finish', received: matching, expected: config.threshold });
    if (c.status === 'certified') return finish(c.signers);
    if (c.status === 'other-certified') {
      const culprits = divergentDealers(
        c.theirs,
        state.map((s) => s.digest),
        outcome.qualified,
      ).map((d) => addressToHex(dealers[d - 1]!.address));
      const signers = c.signers.map((s) => addressToHex(recipients[s - 1]!.address));
      abort(new DkgError({ code: 'TRANSCRIPT_MISMATCH', culprits, signers }));
    }
  }

  function finish(signers: number[]): void {
    const o = outcome!;
    if (myRecipient !== undefined && o.ownShareCulprits.length > 0) {
      events.push({
        type: 'dropped',
        error: new DkgError({
          code: 'OWN_SHARE_INVALID',
          culprits: o.ownShareCulprits.map((d) => addressToHex(dealers[d - 1]!.address)),
        }),
      });
    }
    result = {
      ceremonyId: config.ceremonyId,
      threshold: config.threshold,
      shareIndex: myRecipient,
      qualified: o.qualified,
      transcriptHash: myTranscript!,
      certificates: signers.map((s) => transcripts.get(s)!.envelope),
      validators: o.validators,
    };
    setPhase('done');
    events.push({ type: 'finished', result });
  }

  // --- input -------------------------------------------------------------------------------------
  const authenticate = createAuthenticator(config.ceremonyId, dealers, recipients, verifier);

  function dispatch(bytes: Uint8Array): void {
    // Nothing can change after the end: refuse before spending a signature check on it.
    if (phase === 'done' || phase === 'aborted') {
      throw new DkgError({
        code: 'UNEXPECTED_MESSAGE',
        sender: '0x',
        kind: 'message',
        reason: `ceremony already ${phase}`,
      });
    }
    const { env, dealer, recipient } = authenticate(bytes);
    const sender = addressToHex(env.sender);
    const kind = KIND_NAMES[env.kind]!;
    const digest = addressToHex(messageDigest(bytes));
    if (seen.has(digest)) throw new DkgError({ code: 'REPLAYED_MESSAGE', sender, kind });
    seen.add(digest);
    const unexpected = (reason: string) => unexpectedMessage(env, reason);
    switch (env.kind) {
      case MessageKind.Dealing:
        if (dealer === undefined) throw unexpected('sender is not a dealer');
        acceptDealing(dealer, bytes, env.body);
        return;
      case MessageKind.Forward: {
        const inner = decodeBody(ForwardBodyType, env.body, env.kind).envelope;
        const relayed = authenticate(inner);
        if (relayed.env.kind !== MessageKind.Dealing || relayed.dealer === undefined) {
          throw unexpected('forwarded message is not a dealing');
        }
        acceptDealing(relayed.dealer, inner, relayed.env.body);
        return;
      }
      case MessageKind.Complaints: {
        if (recipient === undefined) throw unexpected('sender is not a recipient');
        if (complaints.has(recipient)) throw unexpected('complaints already received from this member');
        const body = readComplaints(env, dealers.length);
        recordComplaints(recipient, body.digests, body.complaints);
        return;
      }
      case MessageKind.Justification: {
        if (dealer === undefined) throw unexpected('sender is not a dealer');
        const ds = state[dealer - 1]!;
        for (const r of readReveals(env, recipients.length, config.validatorCount)) {
          if (ds.reveals.has(r.recipient)) continue;
          ds.reveals.set(r.recipient, r.shares);
          const fits =
            ds.parsed && r.shares.every((s, v) => verifyShare(ds.parsed!.commitments[v]!, r.recipient, s));
          if (r.recipient === myRecipient && fits) {
            ds.myShares = r.shares;
            ds.myShareBad = false;
          }
        }
        return;
      }
      case MessageKind.Transcript: {
        if (recipient === undefined) throw unexpected('sender is not a recipient');
        if (transcripts.has(recipient)) throw unexpected('transcript already received from this member');
        const body = readTranscript(env);
        transcripts.set(recipient, { ...body, envelope: bytes });
        if (myTranscript && !equal(body.hash, myTranscript)) {
          events.push({ type: 'transcript-conflict', signer: env.sender });
        }
        checkCertified();
        return;
      }
    }
  }

  return {
    address: signer.address,
    shareIndex: myRecipient,
    phase: () => phase,
    result: () => result,
    error: () => failure,
    start() {
      if (started) return flush();
      started = true;
      events.push({ type: 'phase', phase: 'deal' });
      if (myDealer !== undefined) {
        const constants = config.reshare
          ? parameters.existingShares!.map((s: SecretKey) => s.toScalar())
          : undefined;
        const own = createDealingBody(config, signer.address, random, constants, parameters.keyAgreement);
        ownPolynomials = own.polynomials;
        const envelope = send(MessageKind.Dealing, own.body);
        acceptDealing(myDealer, envelope, own.body);
      }
      return flush();
    },
    handle(bytes) {
      try {
        dispatch(bytes);
      } catch (err) {
        const error =
          err instanceof DkgError
            ? err
            : new DkgError({
                code: 'MALFORMED_MESSAGE',
                reason: err instanceof Error ? err.message : String(err),
              });
        events.push({ type: 'dropped', error });
      }
      return flush();
    },
    timeout(p) {
      if (p !== phase) return flush();
      if (p === 'deal') endDeal();
      else if (p === 'complain') endComplain();
      else if (p === 'justify') endJustify();
      else if (p === 'finish') {
        const c = myTranscript ? certify(transcripts, myTranscript, config.threshold) : undefined;
        const matching = c?.status === 'pending' ? c.matching : 0;
        abort(new DkgError({ code: 'TRANSCRIPT_NOT_CERTIFIED', matching, threshold: config.threshold }));
      }
      return flush();
    },
  };
}
