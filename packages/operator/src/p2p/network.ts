// The operator network over libp2p (TCP, Noise, Yamux). The peer id is the operator's secp256k1
// key, so the address a message is delivered "from" is the key the Noise handshake authenticated.
// A connection gater admits only the current peer set (the union of its owners' sets) (and no second connection of a connected
// identity); one protocol carries length-prefixed frames of batched messages (./frames.ts); every
// peer has a rate limit, a replay cache and a decaying penalty (./peer-guard.ts) past which it is
// disconnected and refused for a while. Nothing a peer sends is fatal: bad input is dropped and
// counted. The per-peer work (streams, reading, scoring, sending) is in ./peer-link.ts.
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { privateKeyFromRaw } from '@libp2p/crypto/keys';
import type { Connection, ConnectionGater, PeerId, Stream } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { createLibp2p, type Libp2p } from 'libp2p';
import type { OperatorAddress } from '../committee/types.ts';
import { OperatorError } from '../errors.ts';
import { silentLogger } from '../logger.ts';
import { operatorAddressOf, peerIdOfPublicKey, publicKeyOf } from './identity.ts';
import {
  dialsFirst,
  type Libp2pNetwork,
  type Libp2pPeerStats,
  type NetworkOptions,
  OPERATOR_PROTOCOL,
  type P2pNetworkInit,
  resolveOptions,
} from './options.ts';
import { PeerLink, type PeerLinkContext } from './peer-link.ts';
import { type CheckedPeer, checkPeers, DEFAULT_PEER_OWNER, unionOfOwners } from './peers.ts';
import type { MessageHandler, PeerInfo, PeerOffence, SetPeersOptions } from './types.ts';

/**
 * Creates the operator network (no I/O until `start()`). Throws `INVALID_OPTION` for a bad
 * option or key and `INVALID_PEER` for a bad initial peer.
 *
 * - Peer set: the union of the sets each owner gave `setPeers` (the committee signer's, a DKG
 *   ceremony's, ...); a peer stays admitted while any owner lists it, and is disconnected only
 *   when none does.
 * - Connections: of each pair the operator with the lower address dials (at start, when the peer
 *   is added, and with backoff after a drop); the other dials only after `fallbackDialDelayMs`
 *   without a connection. The gater admits only the current set, not banned; while one connection
 *   of an identity is open a second one is refused (the first wins); if two still open at once
 *   (simultaneous dials), both sides keep the one the lower address dialled.
 * - Sending: `send` queues (at most `maxQueuedMessages` per peer, oldest dropped as `queue-full`)
 *   and each tick writes every peer's queue as frames of up to `maxMessageBytes` + 8 bytes; a
 *   message over `maxMessageBytes` is refused at once (`P2P_MESSAGE_TOO_LARGE`). Messages for a peer
 *   that is not connected wait for it; messages for an operator outside the set are dropped.
 * - Receiving: each message passes size, rate (token bucket) and replay (hash of the exact bytes,
 *   so the runtime must not send the same bytes twice on purpose) checks before the handlers run;
 *   failures are counted per reason in `stats()` and add `PENALTY_POINTS` to the peer's decaying
 *   penalty. A handler that throws or rejects is logged and counted, never held against the peer.
 */
export function createP2pNetwork(init: P2pNetworkInit): Libp2pNetwork {
  return new OperatorNetwork(init);
}

class OperatorNetwork implements Libp2pNetwork {
  readonly address: OperatorAddress;
  readonly peerId: string;
  readonly #init: P2pNetworkInit;
  readonly #options: NetworkOptions;
  readonly #context: PeerLinkContext;
  readonly #handlers: MessageHandler[] = [];
  /** The current peer set, by address and by peer id. */
  readonly #links = new Map<OperatorAddress, PeerLink>();
  readonly #byPeerId = new Map<string, PeerLink>();
  /** Bans outlive set changes: a peer removed and re-added stays refused until its time is up. */
  readonly #bannedUntil = new Map<OperatorAddress, number>();
  /** Fault injection (`isolate`): until then every peer is refused, as if banned. */
  #isolatedUntil = 0;
  /** Each owner's peer set (./peers.ts checked); the links are their union. */
  readonly #owned = new Map<string, Map<OperatorAddress, CheckedPeer>>();
  #node: Libp2p | undefined;
  #starting = false;
  #flushTimer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined;
  readonly #dirty = new Set<PeerLink>();

  constructor(init: P2pNetworkInit) {
    this.#init = init;
    this.#options = resolveOptions(init);
    const publicKey = publicKeyOf(init.privateKey);
    this.address = operatorAddressOf(publicKey);
    this.peerId = peerIdOfPublicKey(publicKey).toString();
    const logger = init.logger ?? silentLogger;
    this.#context = {
      options: this.#options,
      logger,
      self: this.address,
      handlers: this.#handlers,
      node: () => this.#node,
      banRemainingMs: (address) => this.#banRemainingMs(address),
      ban: (link) => this.#ban(link),
      scheduleFlush: (link) => this.#scheduleFlush(link),
    };
    this.setPeers(init.peers ?? []);
  }

  async start(): Promise<void> {
    if (this.#node !== undefined || this.#starting) throw new OperatorError({ code: 'ALREADY_STARTED' });
    this.#starting = true;
    const listen = [...this.#init.listen];
    let node: Libp2p | undefined;
    try {
      node = await createLibp2p({
        start: false,
        privateKey: privateKeyFromRaw(this.#init.privateKey),
        addresses: { listen },
        transports: [tcp()],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        connectionGater: this.#gater(),
        connectionManager: {
          // Committee members may share a host (and do on loopback): libp2p's default of 5
          // inbound connections per host per second would refuse most of a committee at start.
          // The gater, not the address, decides who may connect.
          inboundConnectionThreshold: 1000,
          maxIncomingPendingConnections: 256,
          // Our own redial (with the lower-address rule) replaces libp2p's keep-alive reconnects.
          reconnectRetries: 0,
          dialTimeout: this.#options.dialTimeoutMs,
          addressDialTimeout: this.#options.dialTimeoutMs,
          inboundUpgradeTimeout: this.#options.dialTimeoutMs,
        },
      });
      node.addEventListener('connection:open', (event) => this.#onConnectionOpen(event.detail));
      node.addEventListener('connection:close', (event) => this.#onConnectionClose(event.detail));
      await node.handle(
        OPERATOR_PROTOCOL,
        (stream, connection) => this.#onInboundStream(stream, connection),
        {
          maxInboundStreams: 4,
          maxOutboundStreams: 4,
        },
      );
      await node.start();
      this.#node = node;
    } catch (cause) {
      // A node that bound some of its addresses before failing must not keep them.
      try {
        await node?.stop();
      } catch {
        // The start error is the one worth reporting.
      }
      throw new OperatorError({ code: 'P2P_START_FAILED', listen }, { cause });
    } finally {
      this.#starting = false;
    }
    this.#context.logger.info('p2p network started', {
      address: this.address,
      peerId: this.peerId,
      listen: this.listenAddresses(),
      peers: this.#links.size,
    });
    for (const link of this.#links.values()) link.scheduleDial(0);
  }

  async stop(): Promise<void> {
    const node = this.#node;
    if (node === undefined) return;
    this.#cancelFlush();
    const closing: Promise<void>[] = [];
    for (const link of this.#links.values()) {
      link.flush();
      closing.push(link.stop());
    }
    await Promise.all(closing);
    this.#node = undefined;
    await node.stop();
    this.#context.logger.info('p2p network stopped', { address: this.address });
  }

  listenAddresses(): readonly string[] {
    return this.#node?.getMultiaddrs().map((ma) => ma.toString()) ?? [];
  }

  setPeers(peers: readonly PeerInfo[], options?: SetPeersOptions): void {
    const owner = options?.owner ?? DEFAULT_PEER_OWNER;
    const checked = checkPeers(peers, this.address);
    if (checked.size === 0) this.#owned.delete(owner);
    else this.#owned.set(owner, checked);
    const allowed = unionOfOwners(this.#owned);
    for (const [address, link] of this.#links) {
      if (allowed.has(address)) continue;
      this.#links.delete(address);
      this.#byPeerId.delete(link.peerIdString);
      this.#dirty.delete(link);
      link.remove();
    }
    for (const [address, peer] of allowed) {
      const existing = this.#links.get(address);
      if (existing !== undefined) {
        existing.update(peer);
        continue;
      }
      const link = new PeerLink(peer, this.#context);
      this.#links.set(address, link);
      this.#byPeerId.set(link.peerIdString, link);
      link.scheduleDial(0);
    }
  }

  send(to: OperatorAddress, message: Uint8Array): void {
    if (message.length > this.#options.maxMessageBytes) {
      throw new OperatorError({
        code: 'P2P_MESSAGE_TOO_LARGE',
        to,
        bytes: message.length,
        maxBytes: this.#options.maxMessageBytes,
      });
    }
    const link = this.#links.get(to);
    if (link === undefined) {
      this.#context.logger.debug('p2p message for an operator outside the peer set dropped', { to });
      return;
    }
    link.enqueue(message);
  }

  onMessage(handler: MessageHandler): () => void {
    this.#handlers.push(handler);
    // In place (the peer links hold this array), after the current dispatch: removing an entry while a
    // link iterates the array would skip the next handler for that message.
    return () =>
      queueMicrotask(() => {
        const at = this.#handlers.indexOf(handler);
        if (at >= 0) this.#handlers.splice(at, 1);
      });
  }

  report(from: OperatorAddress, offence: PeerOffence): void {
    this.#links.get(from)?.penalise(offence);
  }

  connectedPeers(): readonly OperatorAddress[] {
    return [...this.#links.values()].filter((link) => link.connected).map((link) => link.address);
  }

  stats(): readonly Libp2pPeerStats[] {
    return [...this.#links.values()].map((link) => link.stats(this.#bannedUntil.get(link.address)));
  }

  // The gater runs before any byte of ours reaches a peer's stream: unknown and banned peers are
  // refused after the Noise handshake proves who they are (inbound) or before we dial (outbound).
  #gater(): ConnectionGater {
    const refused = (peerId: PeerId) => {
      const link = this.#byPeerId.get(peerId.toString());
      return link === undefined || this.#isBanned(link.address);
    };
    return {
      denyDialPeer: refused,
      denyOutboundEncryptedConnection: refused,
      // A share index never runs twice: while one connection of an identity is open, a second one
      // (another process with the same key) is refused. The first connection wins, so a running
      // operator cannot be displaced by a copy of its key; a restarted one gets in as soon as its
      // old connection is seen closed (at once for a stopped or killed process; within the
      // connection monitor's ping timeout for a vanished host).
      denyInboundEncryptedConnection: (peerId) => refused(peerId) || this.#openConnections(peerId).length > 0,
      denyInboundUpgradedConnection: refused,
      denyOutboundUpgradedConnection: refused,
    };
  }

  #openConnections(peerId: PeerId, except?: Connection): Connection[] {
    return (this.#node?.getConnections(peerId) ?? []).filter((c) => c.status === 'open' && c !== except);
  }

  #onConnectionOpen(connection: Connection): void {
    const link = this.#byPeerId.get(connection.remotePeer.toString());
    if (link === undefined || this.#isBanned(link.address)) {
      closeQuietly(connection);
      return;
    }
    // Two connections can still pass the gater when both sides dial at once. Both sides keep the
    // one the lower address dialled (each side computes the same answer; the older if several);
    // none of that direction means a duplicate identity dialled us, and the older one stays.
    const others = this.#openConnections(connection.remotePeer, connection);
    if (others.length > 0) {
      const lowerDials = dialsFirst(this.address, link.address) ? 'outbound' : 'inbound';
      const keep = [...others, connection].find((c) => c.direction === lowerDials) ?? others[0];
      for (const c of [connection, ...others]) if (c !== keep) closeQuietly(c);
      if (keep !== connection) return;
    }
    link.attach(connection);
  }

  #onConnectionClose(connection: Connection): void {
    const link = this.#byPeerId.get(connection.remotePeer.toString());
    if (link === undefined || this.#node === undefined) return;
    link.connectionClosed(connection, this.#openConnections(connection.remotePeer, connection)[0]);
  }

  #onInboundStream(stream: Stream, connection: Connection): void {
    const link = this.#byPeerId.get(connection.remotePeer.toString());
    if (link === undefined || this.#isBanned(link.address)) {
      const reason = link === undefined ? 'not in the peer set' : 'banned';
      stream.abort(
        new OperatorError({ code: 'P2P_PEER_REFUSED', peer: connection.remotePeer.toString(), reason }),
      );
      return;
    }
    link.read(stream);
  }

  #isBanned(address: OperatorAddress): boolean {
    return this.#banRemainingMs(address) > 0;
  }

  /**
   * Fault injection for devnets and tests (a network partition of this node): for `durationMs` every
   * connection is closed and every peer refused both ways, as a ban of all peers would; then the
   * links redial. What is sent meanwhile waits in the peers' queues (the oldest dropped when full).
   */
  isolate(durationMs: number): void {
    this.#isolatedUntil = Math.max(this.#isolatedUntil, Date.now() + durationMs);
    this.#context.logger.warn('p2p isolated (fault injection)', { durationMs });
    for (const link of this.#links.values()) link.banned();
  }

  #banRemainingMs(address: OperatorAddress): number {
    const isolated = this.#isolatedUntil - Date.now();
    if (isolated > 0) return isolated;
    const until = this.#bannedUntil.get(address);
    if (until === undefined) return 0;
    const remaining = until - Date.now();
    if (remaining > 0) return remaining;
    this.#bannedUntil.delete(address);
    return 0;
  }

  #ban(link: PeerLink): void {
    const until = Date.now() + this.#options.banMs;
    this.#bannedUntil.set(link.address, until);
    this.#context.logger.warn('p2p peer banned: penalty past the limit', {
      peer: link.address,
      banMs: this.#options.banMs,
      dropped: link.stats(until).dropped,
    });
    link.banned();
  }

  #scheduleFlush(link: PeerLink): void {
    this.#dirty.add(link);
    if (this.#flushTimer !== undefined) return;
    const flush = () => {
      this.#flushTimer = undefined;
      const dirty = [...this.#dirty];
      this.#dirty.clear();
      for (const l of dirty) l.flush();
    };
    this.#flushTimer =
      this.#options.tickMs === 0 ? setImmediate(flush) : setTimeout(flush, this.#options.tickMs);
  }

  #cancelFlush(): void {
    if (this.#flushTimer === undefined) return;
    clearTimeout(this.#flushTimer as ReturnType<typeof setTimeout>);
    clearImmediate(this.#flushTimer as ReturnType<typeof setImmediate>);
    this.#flushTimer = undefined;
    this.#dirty.clear();
  }
}

function closeQuietly(connection: Connection): void {
  connection.close().catch((cause: unknown) => {
    const reason = 'its graceful close failed';
    connection.abort(
      new OperatorError(
        { code: 'P2P_PEER_REFUSED', peer: connection.remotePeer.toString(), reason },
        { cause },
      ),
    );
  });
}
