// The dashboard source of one running diva-node: the recorder's history joined with what the
// operator node knows at the time of the read (committees, peers, clock offsets) and the readiness
// checks (beacon node syncing, committee peers, clock offset).
import type { CommitteeSource, OperatorNode } from '@diva-dvt/operator';
import type { ChainPosition, DashboardSource, HealthCheck } from './model.ts';
import type { DashboardRecorder } from './recorder.ts';

export interface NodeDashboardSourceInit {
  readonly recorder: DashboardRecorder;
  /** This node's operator address. */
  readonly operator: string;
  readonly node: OperatorNode;
  /** The source the node was built with (its committees now). */
  readonly committees: CommitteeSource;
  readonly genesisTimeSec: number;
  /** The operators connected now (the p2p network's `connectedPeers`). */
  readonly connectedPeers: () => readonly string[];
  readonly readiness: () => Promise<readonly HealthCheck[]>;
  /** Default Date.now. */
  readonly nowMs?: () => number;
}

export function createNodeDashboardSource(init: NodeDashboardSourceInit): DashboardSource {
  const now = init.nowMs ?? Date.now;
  return {
    async reports() {
      const atMs = now();
      const spec = init.node.validatorClient?.spec;
      let chain: ChainPosition | undefined;
      if (spec !== undefined) {
        const slot = Math.max(0, Math.floor((atMs - init.genesisTimeSec * 1000) / spec.slotDurationMs));
        chain = {
          slot,
          epoch: Math.floor(slot / spec.slotsPerEpoch),
          slotsPerEpoch: spec.slotsPerEpoch,
          slotDurationMs: spec.slotDurationMs,
        };
      }
      const snapshot = init.committees.current();
      const served = new Map(
        init.node
          .status()
          .validators.flatMap((v) =>
            v.validatorIndex === undefined ? [] : [[v.groupPublicKey, v.validatorIndex] as const],
          ),
      );
      const checks = await init
        .readiness()
        .catch((e: unknown) => [
          { name: 'readiness', ok: false, detail: e instanceof Error ? e.message : String(e) },
        ]);
      return [
        init.recorder.report({
          operator: init.operator,
          atMs,
          chain,
          // with the index the node found on the beacon chain (a committee source may not name it)
          validators: snapshot.validators.map((v) => {
            if (v.validatorIndex !== undefined) return v;
            const key = `0x${Buffer.from(v.groupPublicKey).toString('hex')}`;
            const index = served.get(key);
            return index === undefined ? v : { ...v, validatorIndex: index };
          }),
          peers: snapshot.peers.map((p) => p.address),
          connectedPeers: init.connectedPeers(),
          clockOffsets: init.node.clockOffsets(),
          checks,
        }),
      ];
    },
  };
}
