// Operator networks over loopback for the p2p tests: deterministic operator keys, nodes started on
// port 0 and then told each other's real addresses, a recorder of delivered messages, and a raw
// libp2p node (TCP, Noise, Yamux, no operator logic) that can hold any key and write any bytes.
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { privateKeyFromRaw } from '@libp2p/crypto/keys';
import type { Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { sha256 } from '@noble/hashes/sha2.js';
import { createLibp2p, type Libp2p } from 'libp2p';
import type { OperatorAddress } from '../../src/committee/types.ts';
import {
  createP2pNetwork,
  type Libp2pNetwork,
  type P2pNetworkInit,
  type PeerInfo,
  publicKeyOf,
} from '../../src/index.ts';
import { OPERATOR_PROTOCOL } from '../../src/p2p/options.ts';

/** A deterministic secp256k1 secret key per label (a hash is a valid key with overwhelming probability). */
export function operatorKey(label: string): Uint8Array {
  return sha256(new TextEncoder().encode(`diva p2p test operator ${label}`));
}

export interface TestNode {
  readonly key: Uint8Array;
  readonly network: Libp2pNetwork;
  /** Every delivered message, in order. */
  readonly inbox: { readonly from: OperatorAddress; readonly text: string }[];
}

export type NodeOptions = Omit<P2pNetworkInit, 'privateKey' | 'listen'> & {
  readonly listen?: readonly string[];
};

/** Fast redials for tests (a restarted peer is found within a second). */
export const FAST: NodeOptions = { redialMinMs: 50, redialMaxMs: 500, fallbackDialDelayMs: 3000 };

export function createNode(key: Uint8Array, options: NodeOptions = {}): TestNode {
  const network = createP2pNetwork({
    ...FAST,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    ...options,
    privateKey: key,
  });
  const inbox: TestNode['inbox'] = [];
  network.onMessage((from, message) => inbox.push({ from, text: new TextDecoder().decode(message) }));
  return { key, network, inbox };
}

/** What others put in their peer set for `node` (after it started: its real port). */
export function peerInfoOf(node: TestNode): PeerInfo {
  return {
    address: node.network.address,
    publicKey: publicKeyOf(node.key),
    multiaddrs: node.network.listenAddresses(),
  };
}

/** Starts `count` nodes, then gives each the others as peers. */
export async function startMesh(count: number, options: NodeOptions = {}): Promise<TestNode[]> {
  const nodes = Array.from({ length: count }, (_, i) => createNode(operatorKey(`mesh ${i}`), options));
  await Promise.all(nodes.map((n) => n.network.start()));
  const infos = nodes.map(peerInfoOf);
  for (const node of nodes) node.network.setPeers(infos.filter((p) => p.address !== node.network.address));
  return nodes;
}

/**
 * Resolves once `condition()` holds; rejects naming `what` after `timeoutMs` (a function: called then,
 * so the error can say what happened instead).
 */
export async function waitUntil(
  condition: () => boolean,
  what: string | (() => string),
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      const named = typeof what === 'string' ? what : what();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${named}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function fullyConnected(nodes: readonly TestNode[]): boolean {
  return nodes.every((n) => n.network.connectedPeers().length === nodes.length - 1);
}

export const text = (s: string) => new TextEncoder().encode(s);

/** A plain libp2p node holding `key`: it speaks the transport stack, nothing of the operator protocol. */
export async function createRawNode(key: Uint8Array): Promise<Libp2p> {
  return createLibp2p({
    privateKey: privateKeyFromRaw(key),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  });
}

/** Whether the raw node has an open connection to `target`. */
export function isConnected(raw: Libp2p, target: TestNode): boolean {
  return raw.getConnections(peerIdFromString(target.network.peerId)).some((c) => c.status === 'open');
}

/**
 * Opens the operator protocol from a raw node to `target`, to write arbitrary bytes on it: on the
 * connection they already have (the target may have dialled the raw node) or a new one.
 */
export async function openOperatorStream(raw: Libp2p, target: TestNode): Promise<Stream> {
  const existing = raw.getConnections(peerIdFromString(target.network.peerId))[0];
  if (existing !== undefined) return existing.newStream(OPERATOR_PROTOCOL);
  const address = target.network.listenAddresses()[0];
  if (address === undefined) throw new Error('the target does not listen');
  return raw.dialProtocol(multiaddr(address), OPERATOR_PROTOCOL);
}
