// Checks the peer list the runtime hands to `setPeers`: every entry's address must be the address
// of its public key (so that the address a message is delivered "from" is the identity Noise
// authenticated), and its multiaddrs must parse and name no other peer.
import type { PeerId } from '@libp2p/interface';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import type { OperatorAddress } from '../committee/types.ts';
import { isOperatorError, OperatorError } from '../errors.ts';
import { operatorAddressOf, peerIdOfPublicKey } from './identity.ts';
import type { PeerInfo } from './types.ts';

const ADDRESS = /^0x[0-9a-f]{40}$/;

/** A peer whose entry has been checked, with its libp2p forms. */
export interface CheckedPeer {
  readonly info: PeerInfo;
  readonly address: OperatorAddress;
  readonly peerId: PeerId;
  /** Dialable addresses, each ending in `/p2p/<peer id>`. */
  readonly multiaddrs: readonly Multiaddr[];
}

/**
 * Checks every entry (all or nothing); entries for `self` are left out (a committee snapshot lists
 * other operators, but a hand-written list may include this one). Throws `INVALID_PEER` naming the
 * first bad entry and field.
 */
export function checkPeers(
  peers: readonly PeerInfo[],
  self: OperatorAddress,
): Map<OperatorAddress, CheckedPeer> {
  const checked = new Map<OperatorAddress, CheckedPeer>();
  peers.forEach((info, index) => {
    const bad = (field: string, reason: string, cause?: unknown) =>
      new OperatorError(
        { code: 'INVALID_PEER', index, field, reason },
        cause === undefined ? undefined : { cause },
      );
    if (typeof info.address !== 'string' || !ADDRESS.test(info.address)) {
      throw bad('address', 'expected 0x and 40 lower-case hex digits');
    }
    let derived: OperatorAddress;
    try {
      derived = operatorAddressOf(info.publicKey);
    } catch (cause) {
      throw bad(
        'publicKey',
        isOperatorError(cause) ? cause.shortMessage : 'not a secp256k1 public key',
        cause,
      );
    }
    if (info.publicKey.length !== 33) throw bad('publicKey', 'expected the 33-byte compressed form');
    if (derived !== info.address) {
      throw bad('address', `${info.address} is not the address of the public key (${derived})`);
    }
    if (info.address === self) return;
    if (checked.has(info.address)) throw bad('address', `${info.address} is listed twice`);
    const peerId = peerIdOfPublicKey(info.publicKey);
    const multiaddrs = info.multiaddrs.map((text, i) => {
      let ma: Multiaddr;
      try {
        ma = multiaddr(text);
      } catch (cause) {
        throw bad(`multiaddrs[${i}]`, `${JSON.stringify(text)} is not a multiaddr`, cause);
      }
      const named = ma.getComponents().find((c) => c.name === 'p2p');
      if (named === undefined) return ma.encapsulate(`/p2p/${peerId.toString()}`);
      if (named.value !== peerId.toString()) {
        throw bad(`multiaddrs[${i}]`, `names peer ${named.value}, not this peer's ${peerId.toString()}`);
      }
      return ma;
    });
    checked.set(info.address, { info, address: info.address, peerId, multiaddrs });
  });
  return checked;
}

/** The owner of a peer set given to `setPeers` without one. */
export const DEFAULT_PEER_OWNER = 'default';

/**
 * The union of the owners' peer sets. A peer two owners list with different multiaddrs is dialled
 * at all of them (deduplicated, in owner order): each owner read them from its own source, and a
 * stale one only costs a failed dial attempt.
 */
export function unionOfOwners(
  owned: ReadonlyMap<string, ReadonlyMap<OperatorAddress, CheckedPeer>>,
): Map<OperatorAddress, CheckedPeer> {
  const union = new Map<OperatorAddress, CheckedPeer>();
  for (const set of owned.values()) {
    for (const [address, peer] of set) {
      const seen = union.get(address);
      if (seen === undefined) {
        union.set(address, peer);
        continue;
      }
      const known = new Set(seen.multiaddrs.map(String));
      const more = peer.multiaddrs.filter((ma) => !known.has(ma.toString()));
      if (more.length > 0) union.set(address, { ...seen, multiaddrs: [...seen.multiaddrs, ...more] });
    }
  }
  return union;
}
