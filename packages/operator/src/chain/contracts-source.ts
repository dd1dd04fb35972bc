// A `CommitteeSource` backed by the contracts: the validators whose DKG result the chain accepted and
// whose committee includes this operator, each with its members' public shares (generation 0, then
// each recorded resharing), and as peers the p2p identities those members registered. Changes reach
// listeners as the chain moves (a validator accepted, an operator replaced once its resharing is
// recorded), through the same interface as the cluster-file source. Everything comes from logs read
// from the deployment block (./chain-reader.ts): a restarted node rebuilds the same committees.
import type {
  CommitteeSnapshot,
  CommitteeSource,
  OperatorAddress,
  ValidatorCommittee,
} from '../committee/types.ts';
import { OperatorError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import type { PeerInfo } from '../p2p/types.ts';
import type { ChainReader } from './chain-reader.ts';
import type { ChainState } from './chain-state.ts';

export interface ContractsCommitteeSourceParameters {
  /** Started here if it was not (idempotent); stopped by whoever created it. */
  readonly reader: ChainReader;
  /** This operator's address. */
  readonly self: OperatorAddress;
  readonly logger?: Logger;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The committees of `state` that include `self`, and the other members' registered identities. */
export function chainCommitteesOf(
  state: ChainState,
  self: OperatorAddress,
): { validators: ValidatorCommittee[]; peers: PeerInfo[]; unreachable: OperatorAddress[] } {
  const validators: ValidatorCommittee[] = state
    .validators()
    .filter((v) => v.members.some((m) => m.operator === self))
    // no validator index: the one the chain records (with the 31 ETH) may not be in the beacon
    // node's state yet (a validator deposited after genesis waits for the eth1 follow distance),
    // and a duty request naming an index the node lacks fails for every validator in it; the
    // operator node asks its beacon node for the index by public key instead
    .map((v) => ({ groupPublicKey: v.groupPublicKey, threshold: v.threshold, members: v.members }));
  const others = new Set<OperatorAddress>();
  for (const v of validators) for (const m of v.members) if (m.operator !== self) others.add(m.operator);
  const peers: PeerInfo[] = [];
  const unreachable: OperatorAddress[] = [];
  for (const address of [...others].sort()) {
    const peer = state.operator(address)?.peer;
    if (peer === undefined) unreachable.push(address);
    else peers.push(peer);
  }
  return { validators, peers, unreachable };
}

function contentOf(s: Omit<CommitteeSnapshot, 'version'>): string {
  return JSON.stringify({
    v: s.validators.map((c) => [
      hex(c.groupPublicKey),
      c.threshold,
      c.validatorIndex ?? null,
      c.members.map((m) => [m.operator, m.shareIndex, hex(m.publicShare)]),
    ]),
    p: s.peers.map((p) => [p.address, hex(p.publicKey), p.multiaddrs]),
  });
}

/**
 * The contracts committee source. The constructor does no I/O; `start()` waits for the reader to have
 * caught up with the chain (and throws what reading it threw: a node must not start on no state).
 */
export function createContractsCommitteeSource(
  parameters: ContractsCommitteeSourceParameters,
): CommitteeSource {
  const { reader } = parameters;
  const self = parameters.self.toLowerCase() as OperatorAddress;
  const logger = parameters.logger ?? silentLogger;
  const listeners: ((snapshot: CommitteeSnapshot) => void)[] = [];
  let snapshot: CommitteeSnapshot | undefined;
  let content = '';
  let unsubscribe: (() => void) | undefined;

  const refresh = (state: ChainState) => {
    const { validators, peers, unreachable } = chainCommitteesOf(state, self);
    const nextContent = contentOf({ validators, peers });
    if (snapshot !== undefined && nextContent === content) return;
    snapshot = { version: (snapshot?.version ?? 0) + 1, validators, peers };
    content = nextContent;
    if (unreachable.length > 0) {
      logger.warn('committee members without a registered p2p identity', { operators: unreachable });
    }
    logger.info('committees from the chain', {
      block: state.block().toString(),
      version: snapshot.version,
      validators: validators.length,
      peers: peers.length,
    });
    for (const listener of listeners) {
      try {
        listener(snapshot);
      } catch (error) {
        logger.error('a committee listener failed', { error: String(error) });
      }
    }
  };

  return {
    async start() {
      if (unsubscribe !== undefined) throw new OperatorError({ code: 'ALREADY_STARTED' });
      unsubscribe = reader.onEvents((_, state) => refresh(state));
      try {
        await reader.start();
      } catch (error) {
        unsubscribe();
        unsubscribe = undefined;
        throw error;
      }
      refresh(reader.state());
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = undefined;
    },
    current() {
      if (snapshot === undefined) throw new OperatorError({ code: 'NOT_STARTED', request: 'current' });
      return snapshot;
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
