// Beacon namespace: genesis, state fork and finality checkpoints, block headers, blocks (get and
// publish, full and blinded). Validators are in ./validators.ts, the operation pool in ./pool.ts.
import type { Fork } from '../forks.ts';
import { bytesToHex, fieldError, fromJsonStrict } from '../internal/json.ts';
import {
  type ApiResponse,
  dataCodec,
  type Endpoint,
  emptyCodec,
  encodeBody,
  HEADER,
  optionalQuery,
  type ParsedRequest,
  param,
  requestFork,
  valueBody,
} from '../route.ts';
import {
  type AnyBlock,
  BlockHeaderResponse,
  BlockHeaderResponses,
  type EpochCommittee,
  EpochCommittees,
  FinalityCheckpoints,
  type ForkValue,
  type Genesis,
  publishedBlockType,
  signedBlockType,
  ssz,
} from '../types.ts';

/** `head`, `genesis`, `finalized`, `justified`, a slot or a 0x root. */
export type StateId = string | number;
export type BlockId = string | number;

const noArgs = { writeReq: () => ({}), parseReq: () => undefined } as const;

export const getGenesis: Endpoint<void, ApiResponse<Genesis>> = {
  name: 'getGenesis',
  kind: 'read',
  routes: [
    {
      id: 'getGenesis.v1',
      method: 'GET',
      path: '/eth/v1/beacon/genesis',
      reqSsz: false,
      ...noArgs,
      resp: dataCodec(ssz.phase0.Genesis, { ssz: false }),
    },
  ],
};

const stateArgs = {
  writeReq: (a: { stateId: StateId }) => ({ params: { state_id: a.stateId } }),
  parseReq: (r: ParsedRequest) => ({ stateId: param(r, 'state_id') }),
};

export const getStateFork: Endpoint<{ stateId: StateId }, ApiResponse<ForkValue>> = {
  name: 'getStateFork',
  kind: 'read',
  routes: [
    {
      id: 'getStateFork.v1',
      method: 'GET',
      path: '/eth/v1/beacon/states/{state_id}/fork',
      reqSsz: false,
      ...stateArgs,
      resp: dataCodec(ssz.phase0.Fork, { meta: ['executionOptimistic', 'finalized'] }),
    },
  ],
};

export const getStateFinalityCheckpoints: Endpoint<{ stateId: StateId }, ApiResponse<FinalityCheckpoints>> = {
  name: 'getStateFinalityCheckpoints',
  kind: 'read',
  routes: [
    {
      id: 'getStateFinalityCheckpoints.v1',
      method: 'GET',
      path: '/eth/v1/beacon/states/{state_id}/finality_checkpoints',
      reqSsz: false,
      ...stateArgs,
      resp: dataCodec(FinalityCheckpoints, { meta: ['executionOptimistic', 'finalized'] }),
    },
  ],
};

export interface GetEpochCommitteesArgs {
  stateId: StateId;
  /** The committees of this epoch (the state's epoch when absent). */
  epoch?: number;
  /** Only this committee index. */
  index?: number;
  /** Only this slot's committees. */
  slot?: number;
}

/** The beacon committees of an epoch (or of one slot / index), with their validator indices. */
export const getEpochCommittees: Endpoint<GetEpochCommitteesArgs, ApiResponse<EpochCommittee[]>> = {
  name: 'getEpochCommittees',
  kind: 'read',
  routes: [
    {
      id: 'getEpochCommittees.v1',
      method: 'GET',
      path: '/eth/v1/beacon/states/{state_id}/committees',
      reqSsz: false,
      writeReq: (a) => ({
        params: { state_id: a.stateId },
        query: { epoch: a.epoch, index: a.index, slot: a.slot },
      }),
      parseReq: (r) => {
        const out: GetEpochCommitteesArgs = { stateId: param(r, 'state_id') };
        for (const k of ['epoch', 'index', 'slot'] as const) {
          const v = optionalQuery(r, k);
          if (v === undefined) continue;
          if (!/^\d{1,15}$/.test(v))
            throw fieldError(k, `expected a decimal integer, got ${JSON.stringify(v)}`);
          out[k] = Number(v);
        }
        return out;
      },
      resp: dataCodec(EpochCommittees, { ssz: false, meta: ['executionOptimistic', 'finalized'] }),
    },
  ],
};

// ---- headers and blocks ----

export const getBlockHeaders: Endpoint<
  { slot?: number; parentRoot?: Uint8Array },
  ApiResponse<BlockHeaderResponse[]>
> = {
  name: 'getBlockHeaders',
  kind: 'read',
  routes: [
    {
      id: 'getBlockHeaders.v1',
      method: 'GET',
      path: '/eth/v1/beacon/headers',
      reqSsz: false,
      writeReq: (a) => ({
        query: {
          slot: a.slot,
          parent_root: a.parentRoot !== undefined ? bytesToHex(a.parentRoot) : undefined,
        },
      }),
      parseReq: (r) => {
        const slot = optionalQuery(r, 'slot');
        const parent = optionalQuery(r, 'parent_root');
        return {
          ...(slot !== undefined ? { slot: Number(slot) } : {}),
          ...(parent !== undefined ? { parentRoot: fromJsonStrict(ssz.Root, parent, 'parent_root') } : {}),
        };
      },
      resp: dataCodec(BlockHeaderResponses, { meta: ['executionOptimistic', 'finalized'] }),
    },
  ],
};

const blockArgs = {
  writeReq: (a: { blockId: BlockId }) => ({ params: { block_id: a.blockId } }),
  parseReq: (r: ParsedRequest) => ({ blockId: param(r, 'block_id') }),
};

export const getBlockHeader: Endpoint<{ blockId: BlockId }, ApiResponse<BlockHeaderResponse>> = {
  name: 'getBlockHeader',
  kind: 'read',
  routes: [
    {
      id: 'getBlockHeader.v1',
      method: 'GET',
      path: '/eth/v1/beacon/headers/{block_id}',
      reqSsz: false,
      ...blockArgs,
      resp: dataCodec(BlockHeaderResponse, { meta: ['executionOptimistic', 'finalized'] }),
    },
  ],
};

/** Signed block of the fork named by the response (`version` / Eth-Consensus-Version). */
export const getBlock: Endpoint<{ blockId: BlockId }, ApiResponse<AnyBlock>> = {
  name: 'getBlock',
  kind: 'read',
  routes: [
    {
      id: 'getBlock.v2',
      sszInSpec: { response: true },
      method: 'GET',
      path: '/eth/v2/beacon/blocks/{block_id}',
      reqSsz: false,
      ...blockArgs,
      resp: dataCodec((f) => signedBlockType(f), { meta: ['version', 'executionOptimistic', 'finalized'] }),
    },
    {
      // Removed from the spec; phase0 blocks only (a later block fails to decode, naming the field).
      id: 'getBlock.v1',
      method: 'GET',
      path: '/eth/v1/beacon/blocks/{block_id}',
      reqSsz: false,
      ...blockArgs,
      resp: dataCodec(ssz.phase0.SignedBeaconBlock, { meta: ['executionOptimistic', 'finalized'] }),
    },
  ],
};

export const getBlindedBlock: Endpoint<{ blockId: BlockId }, ApiResponse<AnyBlock>> = {
  name: 'getBlindedBlock',
  kind: 'read',
  routes: [
    {
      id: 'getBlindedBlock.v1',
      sszInSpec: { response: true },
      method: 'GET',
      path: '/eth/v1/beacon/blinded_blocks/{block_id}',
      reqSsz: false,
      ...blockArgs,
      resp: dataCodec((f) => signedBlockType(f, true), {
        meta: ['version', 'executionOptimistic', 'finalized'],
      }),
    },
  ],
};

export interface PublishBlockArgs {
  fork: Fork;
  /** SignedBeaconBlock before deneb, SignedBlockContents (full) from deneb; SignedBlindedBeaconBlock when blinded. */
  data: AnyBlock;
  broadcastValidation?: 'gossip' | 'consensus' | 'consensus_and_equivocation';
}

function publishBlockRoutes(blinded: boolean): Endpoint<PublishBlockArgs, void>['routes'] {
  const segment = blinded ? 'blinded_blocks' : 'blocks';
  const name = blinded ? 'publishBlindedBlock' : 'publishBlock';
  const write = (a: PublishBlockArgs, format: 'json' | 'ssz', v2: boolean) => ({
    headers: { [HEADER.consensusVersion]: a.fork },
    ...(v2 && a.broadcastValidation !== undefined
      ? { query: { broadcast_validation: a.broadcastValidation } }
      : {}),
    body: encodeBody(publishedBlockType(a.fork, blinded), a.data, format),
  });
  const parse = (r: ParsedRequest): PublishBlockArgs => {
    const fork = requestFork(r);
    const bv = optionalQuery(r, 'broadcast_validation');
    return {
      fork,
      data: valueBody(publishedBlockType(fork, blinded), r),
      ...(bv === 'gossip' || bv === 'consensus' || bv === 'consensus_and_equivocation'
        ? { broadcastValidation: bv }
        : {}),
    };
  };
  return [
    {
      id: `${name}.v2`,
      sszInSpec: { request: true },
      method: 'POST',
      path: `/eth/v2/beacon/${segment}`,
      reqSsz: true,
      writeReq: (a, f) => write(a, f, true),
      parseReq: parse,
      resp: emptyCodec,
    },
    {
      id: `${name}.v1`,
      method: 'POST',
      path: `/eth/v1/beacon/${segment}`,
      reqSsz: true,
      writeReq: (a, f) => write(a, f, false),
      parseReq: parse,
      resp: emptyCodec,
    },
  ];
}

export const publishBlock: Endpoint<PublishBlockArgs, void> = {
  name: 'publishBlock',
  kind: 'publish',
  routes: publishBlockRoutes(false),
};
export const publishBlindedBlock: Endpoint<PublishBlockArgs, void> = {
  name: 'publishBlindedBlock',
  kind: 'publish',
  routes: publishBlockRoutes(true),
};
