/**
 * QBFT baseline (Istanbul BFT with round changes, as in the QBFT specification that Obol and SSV
 * build on), followed by the partial-signature exchange a distributed validator needs after it:
 *
 *   PRE-PREPARE(v) -> PREPARE(d) x t -> COMMIT(d) x t -> decided; then PARTIAL(v, σ_i) x t -> combined
 *
 * Leaders rotate round-robin from an offset given by the duty (predictable, as in QBFT). On timeout a
 * member sends ROUND-CHANGE with its latest prepared value and the t PREPAREs that justify it; the new
 * leader, with t round changes, re-proposes the highest prepared value (or its own) and attaches the
 * round changes, which every member checks. f+1 round changes for a higher round pull a member
 * forward. Used by the simulator to compare with the rotational protocol on identical networks, and
 * selectable per duty type.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { equal, hex, key, keyHex } from './bytes.ts';
import { BodyReader, decodeWire, lengthPrefixed, malformed, writeFields } from './codec.ts';
import { Core } from './core.ts';
import { instanceApi } from './instance-api.ts';
import type { ProtocolDescriptor } from './protocol.ts';
import { qbftLeaderOrder } from './qbft-leaders.ts';
import type { ConsensusInstance, ConsensusParameters } from './types.ts';

export const QBFT_PROTOCOL = 2;
export const QbftKind = { PrePrepare: 1, Prepare: 2, Commit: 3, RoundChange: 4, Partial: 5 } as const;

interface RoundChangeInfo {
  preparedRound: number;
  preparedValue: Uint8Array | undefined;
  bytes: Uint8Array;
}

export function createQbftInstance<V, P, S>(params: ConsensusParameters<V, P, S>): ConsensusInstance<V, S> {
  const core = new Core(params, QBFT_PROTOCOL);
  const { n, t, self, scheme, instance, auth } = params;
  const maxFuture = params.maxFutureRounds ?? 8;
  // Round-robin from the duty's offset, over the members not excluded as proven equivocators.
  const leaders = qbftLeaderOrder(n, instance, params.excludedLeaders);
  const leaderOf = (r: number) => leaders[(r - 1) % leaders.length]!;
  let round = 1;
  let own: Uint8Array | undefined;
  let accepted: { round: number; value: Uint8Array; digest: string } | undefined;
  let prepared: { round: number; value: Uint8Array; certificate: Uint8Array[] } | undefined;
  let committed: Uint8Array | undefined;
  let myPartial: Uint8Array | undefined;
  const resentIn = new Set<number>();
  /** Rounds of round changes answered after the decision (few: an array). */
  const answeredRounds: number[] = [];
  const sentCommit = new Set<number>();
  const proposed = new Set<number>();
  const pendingPrePrepares = new Map<number, { from: number; body: Uint8Array; bytes: Uint8Array }>();
  // Digests are byte keys of sha256(value) (`key`, shown as hex by describe); maps by `${round}/${digest}`.
  const prepares = new Map<string, Map<number, Uint8Array>>(); // -> member -> message
  const commits = new Map<string, Set<number>>();
  const roundChanges = new Map<number, Map<number, RoundChangeInfo>>();
  /** Digest bytes by digest key, for the PREPARE and COMMIT bodies. */
  const digestBytes = new Map<string, Uint8Array>();
  const digestOf = (value: Uint8Array): string => {
    const d = digestOfValue(value);
    if (!digestBytes.has(d.key)) digestBytes.set(d.key, d.bytes);
    return d.key;
  };
  /** The digest last read from a PREPARE or COMMIT body (most carry the same one). */
  let lastDigest: { bytes: Uint8Array; key: string } | undefined;
  const readDigest = (reader: BodyReader): string => {
    const bytes = lastDigest === undefined ? reader.fixed(32) : reader.fixedOr(lastDigest.bytes);
    if (bytes !== lastDigest?.bytes) lastDigest = { bytes, key: key(bytes) };
    return lastDigest.key;
  };

  const bucket = <T>(map: Map<string, T>, key: string, make: () => T): T => {
    let b = map.get(key);
    if (!b) {
      b = make();
      map.set(key, b);
    }
    return b;
  };

  /** Checks a PREPARE certificate: t valid, distinct PREPAREs for (round, digest). */
  function validCertificate(r: number, digest: string, certificate: readonly Uint8Array[]): boolean {
    const senders = new Set<number>();
    for (const bytes of certificate) {
      try {
        const m = decodeWire(bytes);
        if (m.protocol !== QBFT_PROTOCOL || m.kind !== QbftKind.Prepare || m.round !== r) continue;
        if (!equal(m.instance, instance) || m.sender < 1 || m.sender > n) continue;
        if (key(m.body) !== digest || !auth.verify(m.sender, m.signed, m.signature)) continue;
        senders.add(m.sender);
      } catch {
        // an invalid entry does not count
      }
    }
    return senders.size >= t;
  }

  function readRoundChange(body: Uint8Array): Omit<RoundChangeInfo, 'bytes'> & { certificate: Uint8Array[] } {
    const reader = new BodyReader(body);
    const preparedRound = reader.u32();
    const value = reader.bytesField();
    const count = reader.u32();
    if (count > n) throw malformed('certificate', `${count} entries, more than the ${n} members`);
    const certificate = Array.from({ length: count }, () => reader.bytesField());
    reader.end();
    return { preparedRound, preparedValue: preparedRound > 0 ? value : undefined, certificate };
  }

  function sendPrepare(r: number, digest: string, value: Uint8Array): void {
    accepted = { round: r, value, digest };
    const bytes = core.send(QbftKind.Prepare, r, digestBytes.get(digest)!);
    bucket(prepares, `${r}/${digest}`, () => new Map()).set(self, bytes);
    checkPrepared(r, digest);
  }

  function checkPrepared(r: number, digest: string): void {
    const got = prepares.get(`${r}/${digest}`);
    if (
      !accepted ||
      accepted.round !== r ||
      accepted.digest !== digest ||
      !got ||
      got.size < t ||
      sentCommit.has(r)
    )
      return;
    prepared = { round: r, value: accepted.value, certificate: [...got.values()].slice(0, t) };
    sentCommit.add(r);
    core.send(QbftKind.Commit, r, digestBytes.get(digest)!);
    bucket(commits, `${r}/${digest}`, () => new Set()).add(self);
    checkCommitted(r, digest);
  }

  /** After its decision a member keeps helping: it re-sends its partial once per round it sees. */
  function resendPartial(): void {
    if (!committed || !myPartial || resentIn.has(round)) return;
    resentIn.add(round);
    core.send(QbftKind.Partial, round, writeFields(lengthPrefixed(committed), lengthPrefixed(myPartial)));
  }

  function checkCommitted(r: number, digest: string): void {
    if ((commits.get(`${r}/${digest}`)?.size ?? 0) < t) return;
    if (committed) return resendPartial();
    const value =
      accepted?.digest === digest
        ? accepted.value
        : prepared && digestOf(prepared.value) === digest
          ? prepared.value
          : undefined;
    if (!value) return;
    const decoded = core.decodeValue(value);
    if (!decoded) return;
    committed = value;
    core.learnValue(decoded.root, decoded.value, value);
    // QBFT decided: now the partial-signature exchange, once the sign guard allows it.
    core.guardThen(decoded.value, decoded.root, () => {
      const partial = scheme.encodePartial(scheme.signPartial(decoded.root));
      myPartial = partial;
      resentIn.add(round);
      const bytes = core.send(
        QbftKind.Partial,
        round,
        writeFields(lengthPrefixed(value), lengthPrefixed(partial)),
      );
      core.partials.add(self, decoded.root, partial, bytes, true);
      core.tryDecide(key(decoded.root), round);
    });
  }

  function onPrePrepare(r: number, from: number, body: Uint8Array): void {
    if (from !== leaderOf(r)) return core.drop('not-leader', from);
    if (accepted?.round === r) return;
    // A leader with fresh evidence against it gets no prepare from this member (always safe).
    if (from !== self && params.abstainFrom?.has(from)) return core.drop('abstained', from);
    const reader = new BodyReader(body);
    const value = reader.bytesField();
    const count = reader.u32();
    if (count > n) return core.drop('malformed', from);
    const justification = Array.from({ length: count }, () => reader.bytesField());
    reader.end();
    if (!core.decodeValue(value)) return core.drop('invalid-value', from);
    if (r > 1) {
      // Justified by t round changes for r; the highest prepared value among them must be proposed.
      const senders = new Set<number>();
      let highest: { round: number; value: Uint8Array } | undefined;
      for (const bytes of justification) {
        try {
          const m = decodeWire(bytes);
          if (m.kind !== QbftKind.RoundChange || m.round !== r || !equal(m.instance, instance)) continue;
          if (m.sender < 1 || m.sender > n || !auth.verify(m.sender, m.signed, m.signature)) continue;
          const rc = readRoundChange(m.body);
          if (
            rc.preparedValue &&
            !validCertificate(rc.preparedRound, digestOf(rc.preparedValue), rc.certificate)
          )
            continue;
          senders.add(m.sender);
          if (rc.preparedValue && (!highest || rc.preparedRound > highest.round)) {
            highest = { round: rc.preparedRound, value: rc.preparedValue };
          }
        } catch {
          // not counted
        }
      }
      if (senders.size < t) return core.drop('invalid-value', from);
      if (highest && digestOf(highest.value) !== digestOf(value)) return core.drop('invalid-value', from);
    }
    sendPrepare(r, digestOf(value), value);
  }

  function maybePropose(): void {
    if (leaderOf(round) !== self || proposed.has(round)) return;
    let value = own;
    let justification: Uint8Array[] = [];
    if (round > 1) {
      const rcs = roundChanges.get(round);
      if (!rcs || rcs.size < t) return;
      let highest: RoundChangeInfo | undefined;
      for (const rc of rcs.values())
        if (rc.preparedValue && (!highest || rc.preparedRound > highest.preparedRound)) highest = rc;
      if (highest?.preparedValue) value = highest.preparedValue;
      justification = [...rcs.values()].map((rc) => rc.bytes);
    }
    if (!value) return;
    proposed.add(round);
    const body = writeFields(
      lengthPrefixed(value),
      justification.length,
      ...justification.map(lengthPrefixed),
    );
    core.send(QbftKind.PrePrepare, round, body);
    onPrePrepare(round, self, body);
  }

  function enterRound(r: number): void {
    round = r;
    core.event({ type: 'round', round: r });
    const body = prepared
      ? writeFields(
          prepared.round,
          lengthPrefixed(prepared.value),
          prepared.certificate.length,
          ...prepared.certificate.map(lengthPrefixed),
        )
      : writeFields(0, lengthPrefixed(new Uint8Array(0)), 0);
    const bytes = core.send(QbftKind.RoundChange, r, body);
    recordRoundChange(r, self, {
      preparedRound: prepared?.round ?? 0,
      preparedValue: prepared?.value,
      bytes,
    });
    core.timer(r);
    const pending = pendingPrePrepares.get(r);
    if (pending) onPrePrepare(r, pending.from, pending.body);
    maybePropose();
  }

  function recordRoundChange(r: number, from: number, info: RoundChangeInfo): void {
    const rcs = bucket(
      roundChanges as unknown as Map<string, Map<number, RoundChangeInfo>>,
      String(r),
      () => new Map(),
    );
    roundChanges.set(r, rcs);
    if (!rcs.has(from)) rcs.set(from, info);
    if (r > round && rcs.size >= core.f + 1) enterRound(r);
    else if (r === round) maybePropose();
  }

  /**
   * After its decision a member answers a round change (of a member that missed the decision: a late
   * or restarted one) with its partial, once per round of round change: t such answers decide it.
   */
  function answerRoundChange(r: number): void {
    if (!committed || !myPartial || answeredRounds.includes(r)) return;
    answeredRounds.push(r);
    core.send(QbftKind.Partial, round, writeFields(lengthPrefixed(committed), lengthPrefixed(myPartial)));
  }

  function dispatch(bytes: Uint8Array): void {
    if (!core.open(bytes, round + maxFuture)) return;
    if (core.decision()) {
      if (core.kind === QbftKind.RoundChange && core.round <= round + maxFuture)
        answerRoundChange(core.round);
      return;
    }
    const { kind, sender } = core;
    const r = core.round;
    if (r > round + maxFuture) return core.drop('future-round-flood', sender);
    const reader = core.reader;
    try {
      switch (kind) {
        case QbftKind.PrePrepare:
          if (r < round) return core.drop('old-round', sender);
          if (r > round) {
            pendingPrePrepares.set(r, { from: sender, body: reader.rest(), bytes });
            return;
          }
          return onPrePrepare(r, sender, reader.rest());
        case QbftKind.Prepare: {
          const digest = readDigest(reader);
          bucket(prepares, `${r}/${digest}`, () => new Map()).set(sender, bytes);
          return checkPrepared(r, digest);
        }
        case QbftKind.Commit: {
          const digest = readDigest(reader);
          bucket(commits, `${r}/${digest}`, () => new Set()).add(sender);
          return checkCommitted(r, digest);
        }
        case QbftKind.RoundChange: {
          const rc = readRoundChange(reader.rest());
          if (
            rc.preparedValue &&
            !validCertificate(rc.preparedRound, digestOf(rc.preparedValue), rc.certificate)
          ) {
            return core.drop('invalid-value', sender);
          }
          resendPartial();
          if (r < round) return;
          return recordRoundChange(r, sender, {
            preparedRound: rc.preparedRound,
            preparedValue: rc.preparedValue,
            bytes,
          });
        }
        case QbftKind.Partial: {
          const value = reader.bytesField();
          const partial = reader.bytesField();
          reader.end();
          const decoded = core.decodeValue(value);
          if (!decoded) return core.drop('invalid-value', sender);
          const rootKey = core.partials.add(sender, decoded.root, partial, bytes);
          if (rootKey === undefined) return;
          core.learnValue(decoded.root, decoded.value, value); // only with a partial held on it
          core.tryDecide(rootKey, round);
          return;
        }
        default:
          return core.drop('malformed', sender);
      }
    } catch {
      core.drop('malformed', sender);
    }
  }

  return instanceApi(core, {
    begin(ownValue) {
      if (ownValue !== undefined && params.valueType.isValid(ownValue))
        own = params.valueType.encode(ownValue);
      maybePropose();
    },
    dispatch,
    round: () => round,
    enterRound,
    describe() {
      const tail = (b: Uint8Array) => hex(b.subarray(Math.max(0, b.length - 16)));
      const opt = (b: Uint8Array | undefined) => (b ? keyHex(digestOf(b)) : '-');
      /** `${round}/${digest key}` as `${round}/${digest hex}`. */
      const shown = (k: string) => `${k.slice(0, k.indexOf('/'))}/${keyHex(k.slice(k.indexOf('/') + 1))}`;
      const sorted = <T>(xs: Iterable<T>, f: (x: T) => string) => [...xs].map(f).sort().join(',');
      return [
        `r${round} own[${opt(own)}]`,
        `acc[${accepted ? `${accepted.round}:${keyHex(accepted.digest)}` : '-'}]`,
        `prep[${prepared ? `${prepared.round}:${opt(prepared.value)}:${sorted(prepared.certificate, tail)}` : '-'}]`,
        `com[${opt(committed)}] part[${opt(myPartial)}]`,
        `resent[${sorted(resentIn, String)}] answered[${sorted(answeredRounds, String)}] sentCommit[${sorted(sentCommit, String)}] proposed[${sorted(proposed, String)}]`,
        `pending[${sorted(pendingPrePrepares, ([r, p]) => `${r}:${p.from}:${tail(p.bytes)}`)}]`,
        `prepares[${sorted(prepares, ([k, m]) => `${shown(k)}=${sorted(m, ([from, b]) => `${from}/${tail(b)}`)}`)}]`,
        `commits[${sorted(commits, ([k, m]) => `${shown(k)}=${sorted(m, String)}`)}]`,
        `rc[${sorted(roundChanges, ([r, m]) => `${r}=${sorted(m, ([from, i]) => `${from}/${i.preparedRound}/${opt(i.preparedValue)}/${tail(i.bytes)}`)}`)}]`,
      ].join(' ');
    },
  });
}

/** Digests (sha256, and its byte key) of the last two values digested: an instance has one or two. */
const digested: { value: Uint8Array; bytes: Uint8Array; key: string }[] = [];
function digestOfValue(value: Uint8Array): { bytes: Uint8Array; key: string } {
  for (const d of digested) if (equal(d.value, value)) return d;
  const bytes = sha256(value);
  const d = { value: Uint8Array.from(value), bytes, key: key(bytes) };
  digested.unshift(d);
  if (digested.length > 2) digested.pop();
  return d;
}

/** QBFT, as a runtime selects it. */
export const qbftProtocol: ProtocolDescriptor = Object.freeze({
  id: QBFT_PROTOCOL,
  name: 'qbft',
  create: createQbftInstance,
});
