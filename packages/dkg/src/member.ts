/**
 * One member of a Pedersen DKG (joint Feldman with proofs of knowledge and a complaint round), as a
 * pure state machine: `start()`, `handle(bytes)` and `timeout(phase)` return the messages to send and
 * the events that happened. No I/O, no clock, no global randomness.
 *
 * Phases: deal -> complain -> justify -> finish. A phase ends at its timeout, or earlier when
 * everything it waits for has arrived. See the package README for the protocol and its assumptions.
 */
import type { SecretKey } from '@diva-dvt/bls-threshold';
import { checkConfig, type Participant, transcriptHash } from './ceremony.ts';
import { DkgError } from './errors.ts';
import { addressToHex } from './identity.ts';
import { createDealingBody, openShares, type ParsedDealing, parseDealing } from './internal/dealing.ts';
import { computeOutcome, type DealerView } from './internal/outcome.ts';
import {
  ComplaintReason,
  ComplaintsBodyType,
  decodeBody,
  decodeEnvelope,
  type Envelope,
  envelopeSigningDigest,
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
  DkgOutput,
  DkgPhase,
  DkgResult,
  OutgoingMessage,
} from './types.ts';
import {
  bigintToBytes32,
  bytesToBigint,
  evaluatePolynomial,
  findInvalidProofs,
  findInvalidShares,
  verifyShare,
} from './vss.ts';

interface DealerState {
  envelope?: Uint8Array;
  digest?: Uint8Array;
  parsed?: ParsedDealing;
  fault?: string;
  myShares?: bigint[];
  myShareBad?: boolean;
  forwarded?: boolean;
  equivocated?: boolean;
  reveals: Map<number, bigint[]>;
}

interface TranscriptState {
  hash: Uint8Array;
  envelope: Uint8Array;
  qualified: number[];
  digests: Uint8Array[];
}

export interface DkgMember {
  readonly address: Uint8Array;
  /** 1-based share index when this member receives shares. */
  readonly shareIndex: number | undefined;
  phase(): DkgPhase;
  result(): DkgResult | undefined;
  error(): DkgError | undefined;
  /** Deals (when this member is a dealer). Call once. */
  start(): DkgOutput;
  /** Feeds one received message. Never throws: bad input becomes a `dropped` event. */
  handle(bytes: Uint8Array): DkgOutput;
  /** The runtime's deadline for `phase` passed. Ignored unless the member is in that phase. */
  timeout(phase: DkgPhase): DkgOutput;
}

const ZERO32 = new Uint8Array(32);
const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export function createDkgMember(parameters: CreateDkgMemberParameters): DkgMember {
  const { config, signer, verifier, random } = parameters;
  checkConfig(config);
  const dealers: readonly Participant[] = config.dealers ?? config.recipients;
  const recipients = config.recipients;
  const positionIn = (list: readonly Participant[], address: Uint8Array) => {
    const i = list.findIndex((p) => equal(p.address, address));
    return i < 0 ? undefined : i + 1;
  };
  const myDealer = positionIn(dealers, signer.address);
  const myRecipient = positionIn(recipients, signer.address);
  if (myDealer === undefined && myRecipient === undefined) {
    throw new DkgError({
      code: 'INVALID_CONFIG',
      field: 'signer',
      reason: 'not a participant of this ceremony',
    });
  }
  if (
    config.reshare &&
    myDealer !== undefined &&
    parameters.existingShares?.length !== config.validatorCount
  ) {
    throw new DkgError({
      code: 'INVALID_CONFIG',
      field: 'existingShares',
      reason: 'a resharing dealer needs its k shares',
    });
  }

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
  const transcripts = new Map<number, TranscriptState>();
  const revealedTo = new Set<number>();
  const seen = new Set<string>();

  let messages: OutgoingMessage[] = [];
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
  function acceptDealing(dealer: number, envelope: Uint8Array, body: Uint8Array): void {
    const ds = state[dealer - 1]!;
    const digest = messageDigest(envelope);
    const address = dealers[dealer - 1]!.address;
    if (ds.digest) {
      if (equal(ds.digest, digest)) return;
      if (!ds.equivocated) {
        ds.equivocated = true;
        events.push({
          type: 'evidence',
          evidence: { kind: 'equivocating-dealer', dealer: address, envelopes: [ds.envelope!, envelope] },
        });
        events.push({ type: 'disqualified', dealer: address, reason: 'equivocated' });
        if (!ds.forwarded) forward(dealer);
      }
      return;
    }
    if (phase === 'finish' || phase === 'done' || phase === 'aborted') return;
    ds.envelope = envelope;
    ds.digest = digest;
    const parsed = parseDealing(config, address, dealer, body);
    if ('invalid' in parsed) {
      ds.fault = parsed.invalid;
      events.push({ type: 'disqualified', dealer: address, reason: parsed.invalid });
    } else {
      ds.parsed = parsed;
      // In the deal phase proofs are checked in one batch at its end; later arrivals alone.
      if (phase !== 'deal') checkProofs([dealer]);
      if (myRecipient !== undefined && !ds.fault) {
        const shares = openShares(
          config,
          parsed,
          address,
          myRecipient,
          parameters.encryptionSecretKey,
          parameters.keyAgreement,
        );
        if (shares) ds.myShares = shares;
        else ds.myShareBad = true;
        // Late dealings (after the batch check at the end of the deal phase) are checked alone.
        if (shares && phase !== 'deal') {
          ds.myShareBad = !shares.every((s, v) => verifyShare(parsed.commitments[v]!, myRecipient, s));
        }
      }
    }
    if (phase === 'deal') {
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

  function checkProofs(candidates: readonly number[]): void {
    const statements = candidates.flatMap((d) => state[d - 1]!.parsed!.proofs.map((st) => ({ d, st })));
    const bad = new Set(
      findInvalidProofs(
        statements.map((x) => x.st),
        random,
      ).map((i) => statements[i]!.d),
    );
    for (const d of bad) {
      state[d - 1]!.fault = 'invalid proof of knowledge';
      events.push({
        type: 'disqualified',
        dealer: dealers[d - 1]!.address,
        reason: 'invalid proof of knowledge',
      });
    }
  }

  function endDeal(): void {
    setPhase('complain');
    checkProofs(state.flatMap((s, i) => (s.parsed && !s.fault ? [i + 1] : [])));
    if (myRecipient === undefined) {
      checkComplainDone();
      return;
    }
    // One batched check per validator over every dealing this member can open.
    const openable = state
      .map((s, i) => ({ s, dealer: i + 1 }))
      .filter(({ s }) => s.parsed && !s.fault && s.myShares);
    for (let v = 0; v < config.validatorCount; v++) {
      const items = openable.map(({ s }) => ({
        commitments: s.parsed!.commitments[v]!,
        share: s.myShares![v]!,
      }));
      for (const bad of findInvalidShares(items, myRecipient, random)) openable[bad]!.s.myShareBad = true;
    }
    const against: { dealer: number; reason: number }[] = [];
    state.forEach((s, i) => {
      const dealer = i + 1;
      if (dealer === myDealer) return;
      if (!s.digest) against.push({ dealer, reason: ComplaintReason.Missing });
      else if (s.parsed && !s.fault && s.myShareBad)
        against.push({ dealer, reason: ComplaintReason.BadShare });
    });
    for (const c of against) {
      events.push({
        type: 'complaint',
        dealer: dealers[c.dealer - 1]!.address,
        reason: c.reason === ComplaintReason.Missing ? 'missing' : 'bad-share',
      });
    }
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
    const quiet =
      complaints.size === recipients.length &&
      [...complaints.values()].every(
        (c) =>
          c.against.length === 0 &&
          c.digests.every((d, i) => state[i]!.digest && equal(d, state[i]!.digest!)),
      );
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
    const groups = new Map<string, number[]>();
    for (const [from, t] of transcripts) {
      const key = addressToHex(t.hash);
      groups.set(key, [...(groups.get(key) ?? []), from]);
    }
    const mine = groups.get(addressToHex(myTranscript)) ?? [];
    events.push({ type: 'progress', phase: 'finish', received: mine.length, expected: config.threshold });
    if (mine.length >= config.threshold) {
      finish(mine);
      return;
    }
    for (const [key, signers] of groups) {
      if (key === addressToHex(myTranscript) || signers.length < config.threshold) continue;
      const theirs = transcripts.get(signers[0]!)!;
      const culprits = state
        .map((_, i) => i + 1)
        .filter(
          (d) =>
            !equal(theirs.digests[d - 1] ?? ZERO32, state[d - 1]!.digest ?? ZERO32) ||
            theirs.qualified.includes(d) !== outcome!.qualified.includes(d),
        )
        .map((d) => addressToHex(dealers[d - 1]!.address));
      abort(
        new DkgError({
          code: 'TRANSCRIPT_MISMATCH',
          culprits,
          signers: signers.map((s) => addressToHex(recipients[s - 1]!.address)),
        }),
      );
      return;
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
      certificates: signers.sort((a, b) => a - b).map((s) => transcripts.get(s)!.envelope),
      validators: o.validators,
    };
    setPhase('done');
    events.push({ type: 'finished', result });
  }

  // --- input -------------------------------------------------------------------------------------
  function authenticate(bytes: Uint8Array): { env: Envelope; dealer?: number; recipient?: number } {
    const env = decodeEnvelope(bytes);
    if (!equal(env.ceremonyId, config.ceremonyId)) {
      throw new DkgError({ code: 'WRONG_CEREMONY', ceremonyId: addressToHex(env.ceremonyId) });
    }
    const dealer = positionIn(dealers, env.sender);
    const recipient = positionIn(recipients, env.sender);
    const sender = addressToHex(env.sender);
    if (dealer === undefined && recipient === undefined)
      throw new DkgError({ code: 'UNKNOWN_SENDER', sender });
    const kind = KIND_NAMES[env.kind]!;
    if (!verifier.verify(env.sender, envelopeSigningDigest(env), env.signature)) {
      throw new DkgError({ code: 'BAD_SIGNATURE', sender, kind });
    }
    return {
      env,
      ...(dealer === undefined ? {} : { dealer }),
      ...(recipient === undefined ? {} : { recipient }),
    };
  }

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
    const unexpected = (reason: string) => new DkgError({ code: 'UNEXPECTED_MESSAGE', sender, kind, reason });
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
        const body = decodeBody(ComplaintsBodyType, env.body, env.kind);
        if (body.digests.length !== dealers.length) throw unexpected(`expected ${dealers.length} digests`);
        for (const c of body.complaints) {
          if (c.dealer < 1 || c.dealer > dealers.length || (c.reason !== 1 && c.reason !== 2)) {
            throw unexpected(`bad complaint entry (dealer ${c.dealer}, reason ${c.reason})`);
          }
        }
        recordComplaints(recipient, body.digests, body.complaints);
        return;
      }
      case MessageKind.Justification: {
        if (dealer === undefined) throw unexpected('sender is not a dealer');
        const body = decodeBody(JustificationBodyType, env.body, env.kind);
        const ds = state[dealer - 1]!;
        for (const r of body.reveals) {
          if (
            r.recipient < 1 ||
            r.recipient > recipients.length ||
            r.shares.length !== config.validatorCount
          ) {
            throw unexpected(`bad reveal entry (recipient ${r.recipient})`);
          }
          if (ds.reveals.has(r.recipient)) continue;
          const shares = r.shares.map(bytesToBigint);
          ds.reveals.set(r.recipient, shares);
          const fits =
            ds.parsed && shares.every((s, v) => verifyShare(ds.parsed!.commitments[v]!, r.recipient, s));
          if (r.recipient === myRecipient && fits) {
            ds.myShares = shares;
            ds.myShareBad = false;
          }
        }
        return;
      }
      case MessageKind.Transcript: {
        if (recipient === undefined) throw unexpected('sender is not a recipient');
        if (transcripts.has(recipient)) throw unexpected('transcript already received from this member');
        const body = decodeBody(TranscriptBodyType, env.body, env.kind);
        transcripts.set(recipient, {
          hash: body.transcriptHash,
          envelope: bytes,
          qualified: body.qualified,
          digests: body.digests,
        });
        if (myTranscript && !equal(body.transcriptHash, myTranscript)) {
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
        const matching = myTranscript
          ? [...transcripts.values()].filter((t) => equal(t.hash, myTranscript!)).length
          : 0;
        abort(new DkgError({ code: 'TRANSCRIPT_NOT_CERTIFIED', matching, threshold: config.threshold }));
      }
      return flush();
    },
  };
}
