// An in-process stand-in for the p2p network, for tests of the signing logic that need exact
// control of delivery (drop, delay, reorder); the runtime's tests over real libp2p live beside.
import type { OperatorAddress } from '../../src/committee/types.ts';
import type { MessageHandler, P2pNetwork, PeerOffence } from '../../src/p2p/types.ts';

export interface MemoryHub {
  network(address: OperatorAddress): P2pNetwork;
  /** Stops delivering to and from `address` (a crashed node) or resumes. */
  setDown(address: OperatorAddress, down: boolean): void;
  reports: { from: OperatorAddress; by: OperatorAddress; offence: PeerOffence }[];
  /** Injects raw bytes as if `from` sent them to `to`. */
  inject(from: OperatorAddress, to: OperatorAddress, bytes: Uint8Array): void;
}

export function createMemoryHub(options: { delayMs?: number } = {}): MemoryHub {
  const handlers = new Map<OperatorAddress, MessageHandler[]>();
  const down = new Set<OperatorAddress>();
  const reports: MemoryHub['reports'] = [];
  const deliver = (from: OperatorAddress, to: OperatorAddress, bytes: Uint8Array) => {
    setTimeout(() => {
      if (down.has(from) || down.has(to)) return;
      for (const h of handlers.get(to) ?? []) h(from, bytes);
    }, options.delayMs ?? 1);
  };
  return {
    reports,
    setDown: (address, isDown) => (isDown ? down.add(address) : down.delete(address)),
    inject: deliver,
    network(address) {
      handlers.set(address, []);
      return {
        address,
        start: async () => {},
        stop: async () => {},
        listenAddresses: () => [],
        setPeers: () => {},
        send: (to, message) => deliver(address, to, message.slice()),
        onMessage: (h) => {
          handlers.get(address)?.push(h);
          return () => {
            const list = handlers.get(address) ?? [];
            if (list.includes(h)) list.splice(list.indexOf(h), 1);
          };
        },
        report: (from, offence) => reports.push({ from, by: address, offence }),
        connectedPeers: () => [...handlers.keys()].filter((a) => a !== address && !down.has(a)),
        stats: () => [],
      };
    },
  };
}
