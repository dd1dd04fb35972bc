// The connect stage's hellos, for the key-generation (./ceremony.ts) and resharing (./reshare.ts)
// ceremonies: each operator sends every other a hello (the ceremony file's digest, a fresh X25519
// key for this attempt) and records theirs.
//
// A hello can be lost: sent while a connection was being dropped, or before the peer's ceremony
// listened. A first hello from a peer is answered with ours, but if both directions' hellos are lost
// (or a hello and its answer) nobody sends again and the ceremony waits for its connect timeout,
// naming operators that are running. So hellos are sent again every 2 s to the peers not heard from,
// and a repeated hello (its sender still lacks ours) is answered, at most once a second per peer so
// that two members answering each other's repeats stop at once.
import { randomBytes } from 'node:crypto';
import type { OperatorAddress } from '../committee/types.ts';
import type { P2pNetwork } from '../p2p/types.ts';
import { type DkgFrame, encodeHello } from './frames.ts';

/** How often a hello is sent again to the peers not heard from. */
export const HELLO_REPEAT_MS = 2000;
/** At most one hello per peer in this time in answer to its repeats. */
const ANSWER_INTERVAL_MS = 1000;

export type HelloFrame = Extract<DkgFrame, { type: 'hello' }>;

/**
 * What a received hello was: `joined` (a new key, recorded and answered), `repeat` (the key known,
 * answered unless answered within a second), `restarted` (a new key from a peer whose key is in use
 * already: not recorded; it lost its state), `mismatched` (another ceremony file's digest).
 */
export type HelloOutcome = 'joined' | 'repeat' | 'restarted' | 'mismatched';

export interface HelloExchangeInit {
  readonly network: P2pNetwork;
  /** The ceremony file's digest: a hello with another one is `mismatched`. */
  readonly digest: Uint8Array;
  readonly self: OperatorAddress;
  /** This operator's X25519 public key for this attempt. */
  readonly encryptionKey: Uint8Array;
  /** Whom to greet (this operator excluded). */
  readonly peers: readonly OperatorAddress[];
  /** Whether `peer`'s recorded key is in use, so that a new key from it is `restarted`. */
  readonly keyInUse: (peer: string) => boolean;
  /** This operator deals nothing (an old member without its shares); its hellos say so. */
  readonly dealsNothing?: boolean;
}

export interface HelloExchange {
  /** The X25519 keys by operator address, this operator's included. */
  readonly keys: ReadonlyMap<string, Uint8Array>;
  /** Operators whose last hello held another ceremony file's digest. */
  readonly mismatched: ReadonlySet<string>;
  /**
   * Operators whose recorded hello says they deal nothing (nobody waits for their dealings), this
   * one included.
   */
  readonly dealsNothing: ReadonlySet<string>;
  /** Greets every peer, and again every 2 s those not heard from until `stopRepeating()`. */
  start(): void;
  /** Ends the repeats (repeated hellos are still answered by `receive`). Idempotent. */
  stopRepeating(): void;
  receive(from: OperatorAddress, frame: HelloFrame): HelloOutcome;
}

/** Creates the hello exchange (nothing sent until `start()`). */
export function createHelloExchange(init: HelloExchangeInit): HelloExchange {
  const { network, digest, encryptionKey } = init;
  const keys = new Map<string, Uint8Array>([[init.self, encryptionKey]]);
  const mismatched = new Set<string>();
  const dealsNothing = new Set<string>(init.dealsNothing === true ? [init.self] : []);
  const sentAt = new Map<string, number>();
  let repeater: ReturnType<typeof setInterval> | undefined;
  // The nonce makes every hello new bytes (the network drops a replayed message).
  const send = (to: OperatorAddress) => {
    sentAt.set(to, Date.now());
    network.send(to, encodeHello(digest, encryptionKey, randomBytes(8), init.dealsNothing === true));
  };
  return {
    keys,
    mismatched,
    dealsNothing,
    start() {
      for (const peer of init.peers) send(peer);
      repeater ??= setInterval(() => {
        for (const peer of init.peers) if (!keys.has(peer)) send(peer);
      }, HELLO_REPEAT_MS);
    },
    stopRepeating() {
      clearInterval(repeater);
      repeater = undefined;
    },
    receive(from, frame) {
      if (Buffer.compare(frame.ceremonyDigest, digest) !== 0) {
        mismatched.add(from);
        return 'mismatched';
      }
      const known = keys.get(from);
      if (known !== undefined && Buffer.compare(known, frame.encryptionKey) === 0) {
        if (Date.now() - (sentAt.get(from) ?? 0) >= ANSWER_INTERVAL_MS) send(from);
        return 'repeat';
      }
      if (known !== undefined && init.keyInUse(from)) return 'restarted';
      keys.set(from, frame.encryptionKey);
      if (frame.dealsNothing) dealsNothing.add(from);
      else dealsNothing.delete(from);
      mismatched.delete(from);
      send(from); // it may have missed ours (lost, or sent before it listened)
      return 'joined';
    },
  };
}
