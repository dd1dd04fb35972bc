// A real operator network whose first hello from one peer is lost before the ceremony's handler
// sees it: what a connection dropped with the frame in flight does (the network delivered it here;
// libp2p itself does not lose messages on a healthy loopback connection).
import type { OperatorAddress } from '../../src/committee/types.ts';
import { decodeDkgFrame } from '../../src/dkg/frames.ts';
import type { P2pNetwork } from '../../src/index.ts';

export type LossyNetwork = P2pNetwork & { readonly lost: () => number };

/** `network`, except that the first DKG hello frame from `lostFrom` reaches no handler. */
export function losingFirstHello(network: P2pNetwork, lostFrom: OperatorAddress): LossyNetwork {
  let lost = 0;
  return {
    lost: () => lost,
    address: network.address,
    start: () => network.start(),
    stop: () => network.stop(),
    listenAddresses: () => network.listenAddresses(),
    setPeers: (peers) => network.setPeers(peers),
    send: (to, message) => network.send(to, message),
    onMessage: (handler) =>
      network.onMessage((from, message) => {
        if (lost === 0 && from === lostFrom && decodeDkgFrame(message)?.type === 'hello') {
          lost++;
          return;
        }
        handler(from, message);
      }),
    report: (from, offence) => network.report(from, offence),
    connectedPeers: () => network.connectedPeers(),
    stats: () => network.stats(),
  };
}
