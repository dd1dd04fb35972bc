// Beacon namespace: genesis, state fork / finality / validators, headers, blocks (get and
// publish, full and blinded), pool attestations, sync committee messages, voluntary exits.
import type { ValueOf } from '@chainsafe/ssz';
import { ListCompositeType } from '@chainsafe/ssz';
import { MAX_COMMITTEES_PER_SLOT, MAX_VALIDATORS_PER_COMMITTEE } from '@lodestar/params';
import { type Fork, forkAtLeast } from '../forks.ts';
import { bytesToHex, fromJsonStrict, JsonFieldError } from '../internal/json.ts';
import {
  type ApiResponse,
  dataCodec,
  type Endpoint,
  emptyCodec,
  encodeBody,
  HEADER,
  jsonBody,
  listBody,
  listQuery,
  optionalQuery,
  type ParsedRequest,
  param,
  type ResponseCodec,
  type ResponseMeta,
  requestFork,
  SszDecodeError,
  valueBody,
} from '../route.ts';
import {
  type AnyBlock,
  attestationType,
  BlockHeaderResponse,
  BlockHeaderResponses,
  FinalityCheckpoints,
  type ForkValue,
  type Genesis,
  publishedBlockType,
  type SignedVoluntaryExit,
  type SyncCommitteeMessage,
  SyncCommitteeMessages,
  signedBlockType,
  ssz,
  VALIDATOR_STATUSES,
  type ValidatorResponse,
  ValidatorResponseSsz,
  ValidatorResponsesSsz,
  type ValidatorStatus,
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

// ---- validators ----

function statusIndex(s: string, path: string): number {
  const i = VALIDATOR_STATUSES.indexOf(s as ValidatorStatus);
  if (i < 0) throw new JsonFieldError(path, `unknown validator status ${JSON.stringify(s)}`);
  return i;
}

/** Decodes with `type`, prefixing the error path only when decoding fails. */
function field<T>(type: import('@chainsafe/ssz').Type<T>, json: unknown, path: () => string): T {
  try {
    return fromJsonStrict(type, json, '');
  } catch (e) {
    if (e instanceof JsonFieldError) throw new JsonFieldError(`${path()}${e.path}`, e.reason);
    throw e;
  }
}

function validatorFromJson(v: unknown, i: number): ValidatorResponse {
  const at = () => `data[${i}]`;
  if (typeof v !== 'object' || v === null) throw new JsonFieldError(at(), 'expected an object');
  const o = v as Record<string, unknown>;
  if (typeof o.status !== 'string') throw new JsonFieldError(`${at()}.status`, 'missing or not a string');
  const status = VALIDATOR_STATUSES[statusIndex(o.status, `${at()}.status`)] as ValidatorStatus;
  if (o.validator === undefined) throw new JsonFieldError(`${at()}.validator`, 'missing');
  return {
    index: field(ssz.ValidatorIndex, o.index, () => `${at()}.index`),
    balance: field(ssz.UintNum64, o.balance, () => `${at()}.balance`),
    status,
    validator: field(ssz.phase0.Validator, o.validator, () => `${at()}.validator`),
  };
}

function validatorToJson(v: ValidatorResponse): unknown {
  const j = ValidatorResponseSsz.toJson({ ...v, status: 0 }) as Record<string, unknown>;
  return { ...j, status: v.status };
}

function validatorsCodec(): ResponseCodec<ApiResponse<ValidatorResponse[]>> {
  const meta = (m: ResponseMeta) => ({
    ...(m.header(HEADER.executionOptimistic) !== undefined
      ? { executionOptimistic: m.header(HEADER.executionOptimistic) === 'true' }
      : {}),
    ...(m.header(HEADER.finalized) !== undefined ? { finalized: m.header(HEADER.finalized) === 'true' } : {}),
  });
  return {
    empty: false,
    ssz: true,
    fromJson(body) {
      if (typeof body !== 'object' || body === null)
        throw new JsonFieldError('(body)', 'expected a JSON object');
      const o = body as Record<string, unknown>;
      if (!Array.isArray(o.data)) throw new JsonFieldError('data', 'missing or not an array');
      const m: ApiResponse<unknown>['meta'] = {};
      if (typeof o.execution_optimistic === 'boolean') m.executionOptimistic = o.execution_optimistic;
      if (typeof o.finalized === 'boolean') m.finalized = o.finalized;
      return { data: o.data.map((v, i) => validatorFromJson(v, i)), meta: m };
    },
    toJson(ret) {
      return {
        body: {
          execution_optimistic: ret.meta.executionOptimistic ?? false,
          finalized: ret.meta.finalized ?? false,
          data: ret.data.map(validatorToJson),
        },
      };
    },
    fromSsz(bytes, m) {
      let list: ValueOf<typeof ValidatorResponsesSsz>;
      try {
        list = ValidatorResponsesSsz.deserialize(bytes);
      } catch (e) {
        throw new SszDecodeError(`ValidatorResponses: ${e instanceof Error ? e.message : String(e)}`);
      }
      return {
        data: list.map((v, i) => {
          const status = VALIDATOR_STATUSES[v.status];
          if (status === undefined)
            throw new JsonFieldError(`data[${i}].status`, `unknown status index ${v.status}`);
          return { index: v.index, balance: v.balance, status, validator: v.validator };
        }),
        meta: meta(m),
      };
    },
    toSsz(ret) {
      return {
        bytes: ValidatorResponsesSsz.serialize(
          ret.data.map((v) => ({ ...v, status: statusIndex(v.status, 'status') })),
        ),
        headers: {
          [HEADER.executionOptimistic]: String(ret.meta.executionOptimistic ?? false),
          [HEADER.finalized]: String(ret.meta.finalized ?? false),
        },
      };
    },
  };
}

export interface GetValidatorsArgs {
  stateId: StateId;
  /** Validator indices or 0x pubkeys; all validators when absent. */
  ids?: readonly (number | string)[];
  statuses?: readonly string[];
}

const validatorsResp = validatorsCodec();

export const getStateValidators: Endpoint<GetValidatorsArgs, ApiResponse<ValidatorResponse[]>> = {
  name: 'getStateValidators',
  kind: 'read',
  routes: [
    {
      id: 'postStateValidators.v1',
      method: 'POST',
      path: '/eth/v1/beacon/states/{state_id}/validators',
      reqSsz: false,
      writeReq: (a) => ({
        params: { state_id: a.stateId },
        body: {
          json: {
            ...(a.ids !== undefined ? { ids: a.ids.map(String) } : {}),
            ...(a.statuses !== undefined ? { statuses: [...a.statuses] } : {}),
          },
        },
      }),
      parseReq: (r) => {
        const b = jsonBody(r) as { ids?: unknown; statuses?: unknown } | null;
        const ids = Array.isArray(b?.ids) ? b.ids.map(String) : undefined;
        const statuses = Array.isArray(b?.statuses) ? b.statuses.map(String) : undefined;
        return { stateId: param(r, 'state_id'), ...(ids ? { ids } : {}), ...(statuses ? { statuses } : {}) };
      },
      resp: validatorsResp,
    },
    {
      id: 'getStateValidators.v1',
      method: 'GET',
      path: '/eth/v1/beacon/states/{state_id}/validators',
      reqSsz: false,
      writeReq: (a) => ({
        params: { state_id: a.stateId },
        query: { id: a.ids?.map(String), status: a.statuses },
      }),
      parseReq: (r) => {
        const ids = listQuery(r, 'id');
        const statuses = listQuery(r, 'status');
        return {
          stateId: param(r, 'state_id'),
          ...(ids.length > 0 ? { ids } : {}),
          ...(statuses.length > 0 ? { statuses } : {}),
        };
      },
      resp: validatorsResp,
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

// ---- pool ----

/** Attestation lists of any fork (phase0 Attestation before electra, electra Attestation after). */
const MAX_POOL = MAX_VALIDATORS_PER_COMMITTEE * MAX_COMMITTEES_PER_SLOT * 64;
const attestationListType = (f: Fork) => new ListCompositeType(attestationType(f), MAX_POOL);
const listTypeCache = new Map<Fork, ReturnType<typeof attestationListType>>();
export function attestationList(f: Fork) {
  let t = listTypeCache.get(f);
  if (t === undefined) {
    t = attestationListType(f);
    listTypeCache.set(f, t);
  }
  return t;
}
const singleAttestationList = new ListCompositeType(ssz.electra.SingleAttestation, MAX_POOL);

// biome-ignore lint/suspicious/noExplicitAny: attestations of different forks
type AnyAttestation = any;

export const getPoolAttestations: Endpoint<
  { slot?: number; committeeIndex?: number },
  ApiResponse<AnyAttestation[]>
> = {
  name: 'getPoolAttestations',
  kind: 'read',
  routes: (['v2', 'v1'] as const).map((v) => ({
    id: `getPoolAttestations.${v}`,
    method: 'GET' as const,
    path: `/eth/${v}/beacon/pool/attestations`,
    reqSsz: false,
    writeReq: (a: { slot?: number; committeeIndex?: number }) => ({
      query: { slot: a.slot, committee_index: a.committeeIndex },
    }),
    parseReq: (r: ParsedRequest) => {
      const slot = optionalQuery(r, 'slot');
      const ci = optionalQuery(r, 'committee_index');
      return {
        ...(slot !== undefined ? { slot: Number(slot) } : {}),
        ...(ci !== undefined ? { committeeIndex: Number(ci) } : {}),
      };
    },
    resp:
      v === 'v2'
        ? dataCodec((f) => attestationList(f), { meta: ['version'] })
        : dataCodec(attestationList('phase0')),
  })),
};

export interface SubmitAttestationsArgs {
  fork: Fork;
  /** phase0 Attestation before electra; SingleAttestation from electra on. */
  data: AnyAttestation[];
}

const submittedAttestationList = (f: Fork) =>
  forkAtLeast(f, 'electra') ? singleAttestationList : attestationList('phase0');

export const submitPoolAttestations: Endpoint<SubmitAttestationsArgs, void> = {
  name: 'submitPoolAttestations',
  kind: 'publish',
  routes: [
    {
      id: 'submitPoolAttestations.v2',
      sszInSpec: { request: true },
      method: 'POST',
      path: '/eth/v2/beacon/pool/attestations',
      reqSsz: true,
      writeReq: (a, f) => ({
        headers: { [HEADER.consensusVersion]: a.fork },
        body: encodeBody(submittedAttestationList(a.fork), a.data, f),
      }),
      parseReq: (r) => {
        const fork = requestFork(r);
        return { fork, data: listBody(submittedAttestationList(fork), r) };
      },
      resp: emptyCodec,
    },
    {
      id: 'submitPoolAttestations.v1',
      method: 'POST',
      path: '/eth/v1/beacon/pool/attestations',
      reqSsz: false,
      accepts: (a) => !forkAtLeast(a.fork, 'electra'),
      writeReq: (a) => ({ body: encodeBody(attestationList('phase0'), a.data, 'json') }),
      parseReq: (r) => ({ fork: 'phase0', data: listBody(attestationList('phase0'), r) }),
      resp: emptyCodec,
    },
  ],
};

export const submitPoolSyncCommitteeSignatures: Endpoint<{ data: SyncCommitteeMessage[] }, void> = {
  name: 'submitPoolSyncCommitteeSignatures',
  kind: 'publish',
  routes: [
    {
      id: 'submitPoolSyncCommitteeSignatures.v1',
      method: 'POST',
      path: '/eth/v1/beacon/pool/sync_committees',
      reqSsz: false,
      writeReq: (a, f) => ({ body: encodeBody(SyncCommitteeMessages, a.data, f) }),
      parseReq: (r) => ({ data: listBody(SyncCommitteeMessages, r) }),
      resp: emptyCodec,
    },
  ],
};

export const submitPoolVoluntaryExit: Endpoint<{ data: SignedVoluntaryExit }, void> = {
  name: 'submitPoolVoluntaryExit',
  kind: 'publish',
  routes: [
    {
      id: 'submitPoolVoluntaryExit.v1',
      method: 'POST',
      path: '/eth/v1/beacon/pool/voluntary_exits',
      reqSsz: false,
      writeReq: (a, f) => ({ body: encodeBody(ssz.phase0.SignedVoluntaryExit, a.data, f) }),
      parseReq: (r) => ({ data: valueBody(ssz.phase0.SignedVoluntaryExit, r) }),
      resp: emptyCodec,
    },
  ],
};

const exitList = new ListCompositeType(ssz.phase0.SignedVoluntaryExit, 1 << 16);

export const getPoolVoluntaryExits: Endpoint<void, ApiResponse<SignedVoluntaryExit[]>> = {
  name: 'getPoolVoluntaryExits',
  kind: 'read',
  routes: [
    {
      id: 'getPoolVoluntaryExits.v1',
      method: 'GET',
      path: '/eth/v1/beacon/pool/voluntary_exits',
      reqSsz: false,
      ...noArgs,
      resp: dataCodec(exitList, { ssz: false }),
    },
  ],
};
