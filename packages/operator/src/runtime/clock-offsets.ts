// Each connected peer's clock offset, measured as NTP does over the operator network: this node
// sends a TIME request stamped t0; the peer answers with t0 echoed, its receive time t1 and send time
// t2; on arrival at t3, offset = ((t1 − t0) + (t2 − t3)) / 2 and round trip = (t3 − t0) − (t2 − t1).
// Of the last few samples the one with the shortest round trip is kept (its error bound, rtt / 2, is
// the smallest). Duties are timed by each node's own clock, so a member whose clock is off by a
// large part of a slot misses deadlines its committee meets: the readiness check reads the median
// offset to the committee.
//
// Frame (kind 4, 34 bytes): kind | type (0 request, 1 response) | nonce [8] | t0 | t1 | t2 (float64
// big-endian, unix ms; t1 and t2 are 0 in a request). A response is accepted only for a nonce this
// node sent to that peer and has not heard back on (others are dropped); a peer gets at most one
// answer per second; a malformed frame is scored.
import type { Clock } from '../clock.ts';
import type { OperatorAddress } from '../committee/types.ts';
import type { P2pNetwork } from '../p2p/types.ts';

export const FRAME_TIME = 4;
const TIME_BYTES = 1 + 1 + 8 + 24;
const REQUEST = 0;
const RESPONSE = 1;

export interface TimeFrame {
  readonly type: 'request' | 'response';
  readonly nonce: bigint;
  readonly t0: number;
  readonly t1: number;
  readonly t2: number;
}

export function encodeTimeFrame(frame: TimeFrame): Uint8Array {
  const out = new Uint8Array(TIME_BYTES);
  const view = new DataView(out.buffer);
  out[0] = FRAME_TIME;
  out[1] = frame.type === 'request' ? REQUEST : RESPONSE;
  view.setBigUint64(2, frame.nonce);
  view.setFloat64(10, frame.t0);
  view.setFloat64(18, frame.t1);
  view.setFloat64(26, frame.t2);
  return out;
}

/** The frame, or undefined for bytes that are not a well-formed TIME frame (never throws). */
export function decodeTimeFrame(bytes: Uint8Array): TimeFrame | undefined {
  if (bytes.length !== TIME_BYTES || bytes[0] !== FRAME_TIME) return undefined;
  const type = bytes[1] === REQUEST ? 'request' : bytes[1] === RESPONSE ? 'response' : undefined;
  if (type === undefined) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const t0 = view.getFloat64(10);
  const t1 = view.getFloat64(18);
  const t2 = view.getFloat64(26);
  if (![t0, t1, t2].every(Number.isFinite)) return undefined;
  return { type, nonce: view.getBigUint64(2), t0, t1, t2 };
}

export interface ClockOffsetSample {
  /** The peer's clock minus this node's, in ms (positive: the peer is ahead). */
  readonly offsetMs: number;
  /** The round trip of the sample kept (the offset is exact to within half of it). */
  readonly rttMs: number;
  /** When the sample was taken (this node's unix ms). */
  readonly atMs: number;
}

export interface PeerClockOffsetsInit {
  /** How often every connected peer is probed; default 30 s. */
  readonly intervalMs?: number;
  /** Samples kept per peer (the shortest round trip among them counts); default 8. */
  readonly samples?: number;
  /** A request unanswered this long is forgotten; default 5 s. */
  readonly timeoutMs?: number;
}

interface Outstanding {
  readonly peer: OperatorAddress;
  readonly t0: number;
}

export class PeerClockOffsets {
  readonly #network: P2pNetwork;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #samples: number;
  readonly #timeoutMs: number;
  readonly #outstanding = new Map<bigint, Outstanding>();
  readonly #history = new Map<OperatorAddress, ClockOffsetSample[]>();
  readonly #answeredAt = new Map<OperatorAddress, number>();
  #nonce = BigInt(Math.floor(Math.random() * 2 ** 32)) << 32n;
  #timer: ReturnType<typeof setInterval> | undefined;
  #first: ReturnType<typeof setTimeout> | undefined;
  #listening = false;

  constructor(
    components: { readonly network: P2pNetwork; readonly clock: Clock },
    init: PeerClockOffsetsInit = {},
  ) {
    this.#network = components.network;
    this.#clock = components.clock;
    this.#intervalMs = init.intervalMs ?? 30_000;
    this.#samples = init.samples ?? 8;
    this.#timeoutMs = init.timeoutMs ?? 5_000;
  }

  /** Answers peers' requests from now on and probes every connected peer now and each interval. */
  start(): void {
    if (!this.#listening) {
      this.#network.onMessage((from, bytes) => {
        if (bytes[0] === FRAME_TIME) this.#receive(from, bytes);
      });
      this.#listening = true;
    }
    if (this.#timer !== undefined) return;
    this.probe();
    // peers connect in the first seconds: probe again soon rather than one interval later
    this.#first = setTimeout(() => this.probe(), Math.min(3_000, this.#intervalMs));
    this.#first.unref?.();
    this.#timer = setInterval(() => this.probe(), this.#intervalMs);
    this.#timer.unref?.();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#first !== undefined) clearTimeout(this.#first);
    this.#timer = undefined;
    this.#first = undefined;
  }

  /** Sends a request to every connected peer. */
  probe(): void {
    const now = this.#clock.nowMs();
    for (const [nonce, o] of this.#outstanding) {
      if (now - o.t0 > this.#timeoutMs) this.#outstanding.delete(nonce);
    }
    for (const peer of this.#network.connectedPeers()) {
      const nonce = ++this.#nonce;
      const t0 = this.#clock.nowMs();
      this.#outstanding.set(nonce, { peer, t0 });
      this.#network.send(peer, encodeTimeFrame({ type: 'request', nonce, t0, t1: 0, t2: 0 }));
    }
  }

  /** Per peer, the sample with the shortest round trip among the last ones. */
  offsets(): ReadonlyMap<OperatorAddress, ClockOffsetSample> {
    const out = new Map<OperatorAddress, ClockOffsetSample>();
    for (const [peer, samples] of this.#history) {
      const best = samples.reduce((a, b) => (b.rttMs < a.rttMs ? b : a));
      out.set(peer, best);
    }
    return out;
  }

  /** The median offset to `peers` (those with a sample), or undefined when none has one. */
  medianOffsetMs(peers: readonly OperatorAddress[]): number | undefined {
    const all = this.offsets();
    const values = peers
      .map((p) => all.get(p)?.offsetMs)
      .filter((v): v is number => v !== undefined)
      .sort((a, b) => a - b);
    if (values.length === 0) return undefined;
    const mid = values.length >> 1;
    return values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  }

  #receive(from: OperatorAddress, bytes: Uint8Array): void {
    const t = this.#clock.nowMs();
    const frame = decodeTimeFrame(bytes);
    if (frame === undefined) return this.#network.report(from, 'malformed');
    if (frame.type === 'request') {
      const last = this.#answeredAt.get(from);
      if (last !== undefined && t - last < 1_000) return;
      this.#answeredAt.set(from, t);
      this.#network.send(
        from,
        encodeTimeFrame({
          type: 'response',
          nonce: frame.nonce,
          t0: frame.t0,
          t1: t,
          t2: this.#clock.nowMs(),
        }),
      );
      return;
    }
    // a response to no outstanding request is dropped, not scored: it may be an honest one that
    // came after its request was forgotten (a loaded peer), and it changes nothing here
    const asked = this.#outstanding.get(frame.nonce);
    if (asked === undefined || asked.peer !== from || asked.t0 !== frame.t0) return;
    this.#outstanding.delete(frame.nonce);
    // clocks read in whole ms: a loopback round trip may come out a millisecond or two below zero
    const rttMs = t - frame.t0 - (frame.t2 - frame.t1);
    if (rttMs < -2 || frame.t2 < frame.t1) return this.#network.report(from, 'invalid');
    const sample = {
      offsetMs: (frame.t1 - frame.t0 + (frame.t2 - t)) / 2,
      rttMs: Math.max(0, rttMs),
      atMs: t,
    };
    const history = this.#history.get(from) ?? [];
    history.push(sample);
    if (history.length > this.#samples) history.shift();
    this.#history.set(from, history);
  }
}
