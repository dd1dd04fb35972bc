// The options of the libp2p operator network, their defaults, and the statistics it reports.
import type { OperatorAddress } from '../committee/types.ts';
import { OperatorError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { P2pNetwork, P2pPeerStats, PeerInfo } from './types.ts';

/** The protocol of the operator network's streams. */
export const OPERATOR_PROTOCOL = '/diva/operator/1.0.0';

export interface P2pNetworkInit {
  /** The operator's 32-byte secp256k1 secret key: the peer id and address derive from it. Never logged. */
  readonly privateKey: Uint8Array;
  /** Where to listen, e.g. `['/ip4/0.0.0.0/tcp/9101']` (port 0 picks a free port). */
  readonly listen: readonly string[];
  /** The initial peer set, of the default owner (`setPeers` without an owner replaces it). */
  readonly peers?: readonly PeerInfo[];
  /** Largest message accepted or sent (default 1 MiB); a bigger one from a peer is dropped as `oversized`. */
  readonly maxMessageBytes?: number;
  /** How long `send` waits to batch messages per peer into frames (default 5 ms; 0: the next macrotask). */
  readonly tickMs?: number;
  /** Per-peer inbound message rate (default 2,000/s, burst 10,000); excess is dropped as `rate-limited`. */
  readonly rateLimit?: { readonly messagesPerSecond: number; readonly burst: number };
  /** Penalty at which a peer is disconnected and refused for `banMs` (default 100; see `PENALTY_POINTS`). */
  readonly penaltyLimit?: number;
  /** How long a peer past the penalty limit is refused (default 60 s). */
  readonly banMs?: number;
  /** The penalty halves every `penaltyHalfLifeMs` (default 60 s). */
  readonly penaltyHalfLifeMs?: number;
  /** Recent message hashes remembered per peer to drop replays (default 4,096). */
  readonly replayCacheSize?: number;
  /** Messages held per peer while it is not connected or its stream is full; the oldest go first (default 4,096). */
  readonly maxQueuedMessages?: number;
  /** First redial delay after a drop (default 250 ms); doubles per failure up to `redialMaxMs` (default 10 s). */
  readonly redialMinMs?: number;
  readonly redialMaxMs?: number;
  /**
   * Of a pair, the operator with the lower address dials; the other dials only after being
   * disconnected this long (default 5 s), which heals a pair whose lower side cannot dial.
   */
  readonly fallbackDialDelayMs?: number;
  /**
   * How long a dial or an inbound handshake may take (default 30 s; libp2p's 10 s is short for a
   * loaded host bringing up a whole committee at once, and a timed-out handshake is work wasted).
   */
  readonly dialTimeoutMs?: number;
  readonly logger?: Logger;
}

/**
 * Penalty points per offence; the runtime's reports (`report`) use the same table. A replayed
 * message costs as little as a rate-limited one: honest members repeat bytes too (a decided member
 * answers each round's round changes with the same DECIDED message; QBFT re-sends its partial), and
 * at 5 points a loaded committee, with more rounds and so more repeats, banned honest peers (124 bans
 * in one end-to-end run, each for replays only). A duplicate is dropped before any work, and the
 * rate limit bounds how many can come.
 */
export const PENALTY_POINTS = {
  oversized: 20,
  malformed: 20,
  invalid: 20,
  replayed: 0.1,
  unexpected: 5,
  'rate-limited': 0.1,
} as const;

/** What the libp2p network reports per peer, beyond `P2pPeerStats`. */
export interface Libp2pPeerStats extends P2pPeerStats {
  readonly peerId: string;
  readonly framesReceived: number;
  readonly framesSent: number;
  readonly bytesReceived: number;
  /** Messages waiting to be sent. */
  readonly queued: number;
  /** Message handlers that threw on this peer's messages (not held against the peer). */
  readonly handlerErrors: number;
  /** Until when (ms since the epoch) the peer is refused, if it is. */
  readonly bannedUntilMs?: number;
}

/** The operator network over libp2p. */
export interface Libp2pNetwork extends P2pNetwork {
  /** This operator's libp2p peer id. */
  readonly peerId: string;
  stats(): readonly Libp2pPeerStats[];
  /**
   * Fault injection for devnets and tests (a partition of this node): for `durationMs` every
   * connection is closed and every peer refused both ways; then the links redial.
   */
  isolate(durationMs: number): void;
}

export interface NetworkOptions {
  readonly maxMessageBytes: number;
  readonly tickMs: number;
  readonly messagesPerSecond: number;
  readonly burst: number;
  readonly penaltyLimit: number;
  readonly banMs: number;
  readonly penaltyHalfLifeMs: number;
  readonly replayCacheSize: number;
  readonly maxQueuedMessages: number;
  readonly redialMinMs: number;
  readonly redialMaxMs: number;
  readonly fallbackDialDelayMs: number;
  readonly dialTimeoutMs: number;
}

/** The options with their defaults, each checked (`INVALID_OPTION` names the bad one). */
export function resolveOptions(init: P2pNetworkInit): NetworkOptions {
  const number = (option: string, value: number | undefined, fallback: number, min: number): number => {
    const v = value ?? fallback;
    if (!Number.isFinite(v) || v < min) {
      throw new OperatorError({
        code: 'INVALID_OPTION',
        option,
        reason: `expected a number >= ${min}, got ${v}`,
      });
    }
    return v;
  };
  return {
    maxMessageBytes: number('maxMessageBytes', init.maxMessageBytes, 1024 * 1024, 1),
    tickMs: number('tickMs', init.tickMs, 5, 0),
    messagesPerSecond: number('rateLimit.messagesPerSecond', init.rateLimit?.messagesPerSecond, 2000, 0),
    burst: number('rateLimit.burst', init.rateLimit?.burst, 10_000, 1),
    penaltyLimit: number('penaltyLimit', init.penaltyLimit, 100, 1),
    banMs: number('banMs', init.banMs, 60_000, 0),
    penaltyHalfLifeMs: number('penaltyHalfLifeMs', init.penaltyHalfLifeMs, 60_000, 1),
    replayCacheSize: number('replayCacheSize', init.replayCacheSize, 4096, 1),
    maxQueuedMessages: number('maxQueuedMessages', init.maxQueuedMessages, 4096, 1),
    redialMinMs: number('redialMinMs', init.redialMinMs, 250, 1),
    redialMaxMs: number('redialMaxMs', init.redialMaxMs, 10_000, 1),
    fallbackDialDelayMs: number('fallbackDialDelayMs', init.fallbackDialDelayMs, 5000, 0),
    dialTimeoutMs: number('dialTimeoutMs', init.dialTimeoutMs, 30_000, 1),
  };
}

/** Lower-case address comparison: the lower one dials. */
export function dialsFirst(self: OperatorAddress, peer: OperatorAddress): boolean {
  return self < peer;
}
