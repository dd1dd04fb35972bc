// One peer of the operator network: its connection and send stream, the redial timer, the queue of
// messages for it, the reading of its frames and its score. Each side writes only on the stream it
// opened and reads every stream of the protocol (so a peer writing on ours is read and judged too).
import type { Connection, Stream } from '@libp2p/interface';
import type { Libp2p } from 'libp2p';
import type { OperatorAddress } from '../committee/types.ts';
import { OperatorError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { decodeFrame, encodeFrame, FrameReader, frameBytesForOne } from './frames.ts';
import {
  dialsFirst,
  type Libp2pPeerStats,
  type NetworkOptions,
  OPERATOR_PROTOCOL,
  PENALTY_POINTS,
} from './options.ts';
import { DecayingPenalty, ReplayCache, TokenBucket } from './peer-guard.ts';
import type { CheckedPeer } from './peers.ts';
import type { MessageHandler } from './types.ts';

/** Stream timings; a send stream is reopened after `retryMs`, backing off to `retryMaxMs`. */
const STREAM = { openTimeoutMs: 10_000, retryMs: 500, retryMaxMs: 30_000, closeTimeoutMs: 1000 };
const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** What a peer link needs of the network around it. */
export interface PeerLinkContext {
  readonly options: NetworkOptions;
  readonly logger: Logger;
  readonly self: OperatorAddress;
  readonly handlers: readonly MessageHandler[];
  /** The running libp2p node, if any. */
  node(): Libp2p | undefined;
  /** Milliseconds the peer remains refused (0 when it is not). */
  banRemainingMs(address: OperatorAddress): number;
  ban(link: PeerLink): void;
  scheduleFlush(link: PeerLink): void;
}

export type DropReason = keyof typeof PENALTY_POINTS | 'queue-full' | 'banned';

export class PeerLink {
  readonly address: OperatorAddress;
  readonly peerIdString: string;
  readonly #context: PeerLinkContext;
  readonly #maxFrameBytes: number;
  #peer: CheckedPeer;
  #connection: Connection | undefined;
  #sendStream: Stream | undefined;
  /** The connection a send stream is being opened on, if one is. */
  #openingOn: Connection | undefined;
  #streamTimer: ReturnType<typeof setTimeout> | undefined;
  #streamRetryMs = STREAM.retryMs;
  #dialTimer: ReturnType<typeof setTimeout> | undefined;
  #dialling = false;
  #backoffMs: number;
  #removed = false;
  #queue: Uint8Array[] = [];
  readonly #bucket: TokenBucket;
  readonly #penalty: DecayingPenalty;
  readonly #replay: ReplayCache;
  #received = 0;
  #sent = 0;
  #framesReceived = 0;
  #framesSent = 0;
  #bytesReceived = 0;
  #handlerErrors = 0;
  readonly #dropped: Record<string, number> = {};

  constructor(peer: CheckedPeer, context: PeerLinkContext) {
    const { options } = context;
    this.#peer = peer;
    this.address = peer.address;
    this.peerIdString = peer.peerId.toString();
    this.#context = context;
    this.#maxFrameBytes = frameBytesForOne(options.maxMessageBytes);
    this.#backoffMs = options.redialMinMs;
    const now = Date.now();
    this.#bucket = new TokenBucket(options.messagesPerSecond, options.burst, now);
    this.#penalty = new DecayingPenalty(options.penaltyHalfLifeMs, now);
    this.#replay = new ReplayCache(options.replayCacheSize);
  }

  get connected(): boolean {
    return this.#connection?.status === 'open';
  }

  /**
   * New multiaddrs for the same peer (its identity cannot change: the address derives from it).
   * A disconnected peer with new addresses is dialled again now rather than after its backoff.
   */
  update(peer: CheckedPeer): void {
    const moved = peer.multiaddrs.map(String).join(' ') !== this.#peer.multiaddrs.map(String).join(' ');
    this.#peer = peer;
    if (!moved || this.connected || this.#dialTimer === undefined) return;
    clearTimeout(this.#dialTimer);
    this.#dialTimer = undefined;
    this.#backoffMs = this.#context.options.redialMinMs;
    this.scheduleDial(0);
  }

  /**
   * Dials after `delayMs` (backoff), if this side dials the pair; the other side waits for the
   * fallback delay first. Nothing happens while connected, dialling or banned-and-waiting.
   */
  scheduleDial(delayMs: number): void {
    if (this.#removed || this.connected || this.#dialling || this.#dialTimer !== undefined) return;
    if (this.#context.node() === undefined) return;
    const { fallbackDialDelayMs } = this.#context.options;
    let delay = dialsFirst(this.#context.self, this.address)
      ? delayMs
      : Math.max(delayMs, fallbackDialDelayMs);
    delay = Math.max(delay, this.#context.banRemainingMs(this.address));
    this.#dialTimer = setTimeout(() => this.#dial(), delay);
  }

  #dial(): void {
    this.#dialTimer = undefined;
    const node = this.#context.node();
    if (node === undefined || this.#removed || this.connected) return;
    this.#dialling = true;
    node
      .dial([...this.#peer.multiaddrs], { signal: AbortSignal.timeout(this.#context.options.dialTimeoutMs) })
      .then(
        // A dial that "succeeds" may still be refused by the peer's gater right after: the backoff
        // is reset only once the peer accepts our stream (see #openSendStream).
        () => {
          this.#dialling = false;
        },
        (err: unknown) => {
          this.#dialling = false;
          const delay = this.#nextBackoff();
          this.#context.logger.debug('p2p dial failed', {
            peer: this.address,
            retryMs: delay,
            error: describe(err),
          });
          this.scheduleDial(delay);
        },
      );
  }

  /** The connection this peer is reached by now (the network has picked one if there were two). */
  attach(connection: Connection): void {
    const first = this.#connection === undefined;
    this.#connection = connection;
    this.#sendStream = undefined;
    this.#streamRetryMs = STREAM.retryMs;
    if (this.#dialTimer !== undefined) clearTimeout(this.#dialTimer);
    this.#dialTimer = undefined;
    if (first) {
      this.#context.logger.info('p2p peer connected', {
        peer: this.address,
        direction: connection.direction,
      });
    }
    this.#openSendStream();
  }

  connectionClosed(connection: Connection, next: Connection | undefined): void {
    if (connection !== this.#connection) return;
    if (next !== undefined) {
      this.attach(next);
      return;
    }
    this.#connection = undefined;
    this.#sendStream = undefined;
    const delay = this.#nextBackoff();
    this.#context.logger.info('p2p peer disconnected', { peer: this.address, redialMs: delay });
    this.scheduleDial(delay);
  }

  /** The delay before the next redial; doubles the one after, up to the maximum. */
  #nextBackoff(): number {
    const { redialMinMs, redialMaxMs } = this.#context.options;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(Math.max(this.#backoffMs * 2, redialMinMs), redialMaxMs);
    return delay;
  }

  #openSendStream(): void {
    const connection = this.#connection;
    if (
      connection?.status !== 'open' ||
      this.#openingOn === connection ||
      this.#sendStream?.status === 'open'
    ) {
      return;
    }
    this.#openingOn = connection;
    connection.newStream(OPERATOR_PROTOCOL, { signal: AbortSignal.timeout(STREAM.openTimeoutMs) }).then(
      (stream) => {
        if (this.#openingOn === connection) this.#openingOn = undefined;
        if (this.#connection !== connection || this.#removed) {
          stream.abort(this.#refusal('the connection was replaced'));
          // The connection that replaced it may have been skipped while this one was opening.
          this.#openSendStream();
          return;
        }
        this.#sendStream = stream;
        this.#backoffMs = this.#context.options.redialMinMs;
        this.#streamRetryMs = STREAM.retryMs;
        this.read(stream);
        stream.addEventListener('close', () => {
          if (this.#sendStream !== stream) return;
          this.#sendStream = undefined;
          this.#retryStream(connection);
        });
        this.flush();
      },
      (err: unknown) => {
        if (this.#openingOn === connection) this.#openingOn = undefined;
        this.#context.logger.debug('p2p stream open failed', { peer: this.address, error: describe(err) });
        if (connection === this.#connection) this.#retryStream(connection);
        else this.#openSendStream();
      },
    );
  }

  #retryStream(connection: Connection): void {
    if (this.#removed || connection !== this.#connection || connection.status !== 'open') return;
    if (this.#streamTimer !== undefined) return;
    const delay = this.#streamRetryMs;
    this.#streamRetryMs = Math.min(delay * 2, STREAM.retryMaxMs);
    this.#streamTimer = setTimeout(() => {
      this.#streamTimer = undefined;
      this.#openSendStream();
    }, delay);
  }

  /** Reads frames from a stream of this peer (either direction). Never throws. */
  read(stream: Stream): void {
    const reader = new FrameReader(this.#maxFrameBytes);
    stream.addEventListener('message', (event) => {
      try {
        const data = event.data instanceof Uint8Array ? event.data : event.data.subarray();
        this.#bytesReceived += data.length;
        for (const found of reader.push(data)) {
          if (this.#removed) return;
          if (found.type === 'frame') this.#onFrame(found.body);
          else if (found.type === 'oversized') {
            this.penalise('oversized');
            if (!found.skipped)
              stream.abort(this.#refusal(`a frame of ${found.bytes} bytes, far over the cap`));
          } else {
            this.penalise('malformed');
            stream.abort(this.#refusal('a frame length is not a varint of at most 8 bytes'));
          }
        }
      } catch (err) {
        this.#context.logger.error('p2p frame handling failed', { peer: this.address, error: describe(err) });
      }
    });
  }

  #onFrame(body: Uint8Array): void {
    this.#framesReceived++;
    const messages = decodeFrame(body);
    if (messages === undefined) {
      this.penalise('malformed');
      return;
    }
    for (const message of messages) {
      if (this.#context.banRemainingMs(this.address) > 0) this.#drop('banned');
      else this.#accept(message);
    }
  }

  #accept(message: Uint8Array): void {
    if (message.length > this.#context.options.maxMessageBytes) return this.penalise('oversized');
    if (!this.#bucket.take(Date.now())) return this.penalise('rate-limited');
    if (this.#replay.check(message)) return this.penalise('replayed');
    this.#received++;
    for (const handler of this.#context.handlers) {
      try {
        const result: unknown = handler(this.address, message);
        // A handler typed `void` may still be async: its rejection must not go unhandled.
        if (result instanceof Promise) result.catch((err: unknown) => this.#handlerFailed(err));
      } catch (err) {
        this.#handlerFailed(err);
      }
    }
  }

  #handlerFailed(err: unknown): void {
    this.#handlerErrors++;
    this.#context.logger.warn('p2p message handler threw', { peer: this.address, error: describe(err) });
  }

  /** Counts a dropped or rejected message against the peer and bans it past the limit. */
  penalise(reason: keyof typeof PENALTY_POINTS): void {
    this.#drop(reason);
    const remaining = this.#context.banRemainingMs(this.address);
    if (remaining > 0) return;
    const now = Date.now();
    const penalty = this.#penalty.add(PENALTY_POINTS[reason], now);
    this.#context.logger.debug('p2p peer penalised', { peer: this.address, reason, penalty });
    if (penalty >= this.#context.options.penaltyLimit) {
      this.#penalty.reset(now);
      this.#context.ban(this);
    }
  }

  #drop(reason: DropReason): void {
    this.#dropped[reason] = (this.#dropped[reason] ?? 0) + 1;
  }

  /** The network banned the peer: hang up; the redial waits for the ban to end. */
  banned(): void {
    this.#hangUp();
    this.scheduleDial(0);
  }

  enqueue(message: Uint8Array): void {
    if (this.#queue.length >= this.#context.options.maxQueuedMessages) {
      this.#queue.shift();
      this.#drop('queue-full');
    }
    this.#queue.push(message);
    this.#context.scheduleFlush(this);
  }

  /** Writes what is queued, in frames, while the stream accepts it; the rest waits for `drain`. */
  flush(): void {
    const stream = this.#sendStream;
    if (stream?.status !== 'open' || stream.writableNeedsDrain) return;
    while (this.#queue.length > 0) {
      const { frame, count } = encodeFrame(this.#queue, this.#maxFrameBytes);
      let accepted: boolean;
      try {
        accepted = stream.send(frame);
      } catch (err) {
        this.#context.logger.debug('p2p send failed', { peer: this.address, error: describe(err) });
        return;
      }
      this.#queue.splice(0, count);
      this.#sent += count;
      this.#framesSent++;
      if (!accepted) {
        stream.addEventListener('drain', () => this.#context.scheduleFlush(this), { once: true });
        return;
      }
    }
  }

  /** The peer left the set: forget its queue, stop dialling, hang up. */
  remove(): void {
    this.#removed = true;
    this.#queue = [];
    this.#clearTimers();
    this.#hangUp();
    this.#context.logger.info('p2p peer removed', { peer: this.address });
  }

  /** The network is stopping: stop timers and close our stream once what was written has left. */
  async stop(): Promise<void> {
    this.#clearTimers();
    const stream = this.#sendStream;
    this.#sendStream = undefined;
    this.#connection = undefined;
    await stream?.close({ signal: AbortSignal.timeout(STREAM.closeTimeoutMs) }).catch(() => {});
  }

  stats(bannedUntilMs: number | undefined): Libp2pPeerStats {
    return {
      address: this.address,
      peerId: this.peerIdString,
      connected: this.connected,
      received: this.#received,
      sent: this.#sent,
      dropped: { ...this.#dropped },
      penalty: this.#penalty.value(Date.now()),
      framesReceived: this.#framesReceived,
      framesSent: this.#framesSent,
      bytesReceived: this.#bytesReceived,
      queued: this.#queue.length,
      handlerErrors: this.#handlerErrors,
      ...(bannedUntilMs !== undefined && bannedUntilMs > Date.now() ? { bannedUntilMs } : {}),
    };
  }

  #hangUp(): void {
    const node = this.#context.node();
    node?.hangUp(this.#peer.peerId).catch((err: unknown) => {
      this.#context.logger.debug('p2p hang-up failed', { peer: this.address, error: describe(err) });
    });
  }

  #clearTimers(): void {
    if (this.#dialTimer !== undefined) clearTimeout(this.#dialTimer);
    if (this.#streamTimer !== undefined) clearTimeout(this.#streamTimer);
    this.#dialTimer = undefined;
    this.#streamTimer = undefined;
  }

  #refusal(reason: string): OperatorError {
    return new OperatorError({ code: 'P2P_PEER_REFUSED', peer: this.address, reason });
  }
}
