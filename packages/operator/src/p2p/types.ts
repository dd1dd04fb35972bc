// What the runtime needs of the operator network: authenticated, size-capped byte messages to and
// from the operators it shares a committee with. `createP2pNetwork` (./network.ts) implements it
// over libp2p (TCP, Noise, Yamux); the peer identity is the operator's secp256k1 key, so the
// sender of every delivered message is the operator the connection authenticated.
import type { OperatorAddress } from '../committee/types.ts';

/** An operator this node may talk to: who it is and where it listens. */
export interface PeerInfo {
  /** The operator's address (lower-case hex): keccak256 of its secp256k1 public key, last 20 bytes. */
  readonly address: OperatorAddress;
  /** 33-byte compressed secp256k1 public key: the libp2p peer id is derived from it. */
  readonly publicKey: Uint8Array;
  /** Where it listens, e.g. `/ip4/127.0.0.1/tcp/9101`. */
  readonly multiaddrs: readonly string[];
}

/**
 * Who sets a peer set: each component keeps its own (`'committees'`: the operator node's committee
 * peers; `'dkg'`: a ceremony's operators; `'chain'`: the committees the chain lifecycle works with).
 */
export interface SetPeersOptions {
  /** Default `'default'`. */
  readonly owner?: string;
}

/** Why the runtime rejected a message a peer sent (the network scores the peer for it). */
export type PeerOffence = 'malformed' | 'invalid' | 'replayed' | 'unexpected';

export interface P2pPeerStats {
  readonly address: OperatorAddress;
  readonly connected: boolean;
  readonly received: number;
  readonly sent: number;
  /** Messages dropped by the network or reported by the runtime, by reason. */
  readonly dropped: Readonly<Record<string, number>>;
  /** Higher is worse; the peer is disconnected and refused for a while past the limit. */
  readonly penalty: number;
}

export type MessageHandler = (from: OperatorAddress, message: Uint8Array) => void;

export interface P2pNetwork {
  /** This operator's address. */
  readonly address: OperatorAddress;
  /** Listens and dials the known peers (and keeps redialling those that drop). */
  start(): Promise<void>;
  /** Flushes what is queued, closes every connection and the listeners. */
  stop(): Promise<void>;
  /** The listening addresses (with the real ports when 0 was asked for). */
  listenAddresses(): readonly string[];
  /**
   * The operators this node may talk to, as one owner's set: it replaces that owner's previous set
   * (committees change at run time; an empty list removes it). The connection gater admits the
   * union of all owners' sets, and its peers are dialled; a peer is disconnected only when no
   * owner lists it any more. Throws `INVALID_PEER` (and changes nothing) for a bad entry.
   */
  setPeers(peers: readonly PeerInfo[], options?: SetPeersOptions): void;
  /** Queues `message` for `to`; messages for one peer are sent together once per tick. */
  send(to: OperatorAddress, message: Uint8Array): void;
  /**
   * Every message a known peer sent, after the network's own checks (size, rate, replay). Returns
   * the function that removes `handler` (from the next message on, at the latest).
   */
  onMessage(handler: MessageHandler): () => void;
  /** The runtime found a message from `from` bad: count it and score the peer. */
  report(from: OperatorAddress, offence: PeerOffence): void;
  connectedPeers(): readonly OperatorAddress[];
  stats(): readonly P2pPeerStats[];
}
