// Node namespace: health, syncing, version, identity (v1 only; no newer versions exist).
import { bool, obj, optStr, str, strArray, uint } from '../internal/read.ts';
import { type ApiResponse, customCodec, type Endpoint, type ResponseCodec } from '../route.ts';

export interface HealthStatus {
  /** 200 ready, 206 syncing, 503 not initialized or with issues. */
  status: number;
}

const healthCodec: ResponseCodec<HealthStatus> = {
  empty: true,
  ssz: false,
  fromJson: (_body, meta) => ({ status: meta.status }),
  toJson: (ret) => ({ body: undefined, status: ret.status }),
};

export const getHealth: Endpoint<void, HealthStatus> = {
  name: 'getHealth',
  kind: 'read',
  routes: [
    {
      id: 'getHealth.v1',
      method: 'GET',
      path: '/eth/v1/node/health',
      reqSsz: false,
      okStatuses: [206, 503],
      writeReq: () => ({}),
      parseReq: () => undefined,
      resp: healthCodec,
    },
  ],
};

export interface SyncingStatus {
  headSlot: number;
  syncDistance: number;
  isSyncing: boolean;
  /** Absent on nodes from before the merge (Lodestar 1.5.1 sends it). */
  isOptimistic?: boolean;
  elOffline?: boolean;
}

export const getSyncingStatus: Endpoint<void, ApiResponse<SyncingStatus>> = {
  name: 'getSyncingStatus',
  kind: 'read',
  routes: [
    {
      id: 'getSyncingStatus.v1',
      method: 'GET',
      path: '/eth/v1/node/syncing',
      reqSsz: false,
      writeReq: () => ({}),
      parseReq: () => undefined,
      resp: customCodec(
        (d) => {
          const o = obj(d, 'data');
          const s: SyncingStatus = {
            headSlot: uint(o, 'head_slot', 'data'),
            syncDistance: uint(o, 'sync_distance', 'data'),
            isSyncing: bool(o, 'is_syncing', 'data'),
          };
          if (o.is_optimistic !== undefined) s.isOptimistic = bool(o, 'is_optimistic', 'data');
          if (o.el_offline !== undefined) s.elOffline = bool(o, 'el_offline', 'data');
          return s;
        },
        (s) => ({
          head_slot: String(s.headSlot),
          sync_distance: String(s.syncDistance),
          is_syncing: s.isSyncing,
          ...(s.isOptimistic !== undefined ? { is_optimistic: s.isOptimistic } : {}),
          ...(s.elOffline !== undefined ? { el_offline: s.elOffline } : {}),
        }),
      ),
    },
  ],
};

export const getNodeVersion: Endpoint<void, ApiResponse<{ version: string }>> = {
  name: 'getNodeVersion',
  kind: 'read',
  routes: [
    {
      id: 'getNodeVersion.v1',
      method: 'GET',
      path: '/eth/v1/node/version',
      reqSsz: false,
      writeReq: () => ({}),
      parseReq: () => undefined,
      resp: customCodec(
        (d) => ({ version: str(obj(d, 'data'), 'version', 'data') }),
        (v) => ({ version: v.version }),
      ),
    },
  ],
};

export interface NodeIdentity {
  peerId: string;
  enr: string;
  p2pAddresses: string[];
  discoveryAddresses: string[];
  metadata: { seqNumber: string; attnets: string; syncnets?: string; custodyGroupCount?: string };
}

export const getNodeIdentity: Endpoint<void, ApiResponse<NodeIdentity>> = {
  name: 'getNodeIdentity',
  kind: 'read',
  routes: [
    {
      id: 'getNodeIdentity.v1',
      method: 'GET',
      path: '/eth/v1/node/identity',
      reqSsz: false,
      writeReq: () => ({}),
      parseReq: () => undefined,
      resp: customCodec(
        (d) => {
          const o = obj(d, 'data');
          const m = obj(o.metadata, 'data.metadata');
          const syncnets = optStr(m, 'syncnets', 'data.metadata');
          const custodyGroupCount = optStr(m, 'custody_group_count', 'data.metadata');
          return {
            peerId: str(o, 'peer_id', 'data'),
            enr: str(o, 'enr', 'data'),
            p2pAddresses: strArray(o, 'p2p_addresses', 'data'),
            discoveryAddresses: strArray(o, 'discovery_addresses', 'data'),
            metadata: {
              seqNumber: str(m, 'seq_number', 'data.metadata'),
              attnets: str(m, 'attnets', 'data.metadata'),
              ...(syncnets !== undefined ? { syncnets } : {}),
              ...(custodyGroupCount !== undefined ? { custodyGroupCount } : {}),
            },
          };
        },
        (v) => ({
          peer_id: v.peerId,
          enr: v.enr,
          p2p_addresses: v.p2pAddresses,
          discovery_addresses: v.discoveryAddresses,
          metadata: {
            seq_number: v.metadata.seqNumber,
            attnets: v.metadata.attnets,
            ...(v.metadata.syncnets !== undefined ? { syncnets: v.metadata.syncnets } : {}),
            ...(v.metadata.custodyGroupCount !== undefined
              ? { custody_group_count: v.metadata.custodyGroupCount }
              : {}),
          },
        }),
      ),
    },
  ],
};
