// Validators of a state: POST (newer nodes) and GET with repeated `id` parameters, JSON with the
// status as a string and this package's SSZ form (status as an index).
import type { ValueOf } from '@chainsafe/ssz';
import { isBeaconApiError } from '../errors.ts';
import { fieldError, fromJsonStrict } from '../internal/json.ts';
import {
  type ApiResponse,
  type Endpoint,
  HEADER,
  jsonBody,
  listQuery,
  param,
  type ResponseCodec,
  type ResponseMeta,
  sszError,
} from '../route.ts';
import {
  ssz,
  VALIDATOR_STATUSES,
  type ValidatorResponse,
  ValidatorResponseSsz,
  ValidatorResponsesSsz,
  type ValidatorStatus,
} from '../types.ts';
import type { StateId } from './beacon.ts';

/** `head`, `genesis`, `finalized`, `justified`, a slot or a 0x root. */
// ---- validators ----

function statusIndex(s: string, path: string): number {
  const i = VALIDATOR_STATUSES.indexOf(s as ValidatorStatus);
  if (i < 0) throw fieldError(path, `unknown validator status ${JSON.stringify(s)}`);
  return i;
}

/** Decodes with `type`, prefixing the error path only when decoding fails. */
function field<T>(type: import('@chainsafe/ssz').Type<T>, json: unknown, path: () => string): T {
  try {
    return fromJsonStrict(type, json, '');
  } catch (e) {
    if (isBeaconApiError(e, 'DECODE_ERROR'))
      throw fieldError(`${path()}${e.details.field}`, e.details.reason, e.cause);
    throw e;
  }
}

function validatorFromJson(v: unknown, i: number): ValidatorResponse {
  const at = () => `data[${i}]`;
  if (typeof v !== 'object' || v === null) throw fieldError(at(), 'expected an object');
  const o = v as Record<string, unknown>;
  if (typeof o.status !== 'string') throw fieldError(`${at()}.status`, 'missing or not a string');
  const status = VALIDATOR_STATUSES[statusIndex(o.status, `${at()}.status`)] as ValidatorStatus;
  if (o.validator === undefined) throw fieldError(`${at()}.validator`, 'missing');
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
      if (typeof body !== 'object' || body === null) throw fieldError('(body)', 'expected a JSON object');
      const o = body as Record<string, unknown>;
      if (!Array.isArray(o.data)) throw fieldError('data', 'missing or not an array');
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
        throw sszError('ValidatorResponses', e);
      }
      return {
        data: list.map((v, i) => {
          const status = VALIDATOR_STATUSES[v.status];
          if (status === undefined) throw fieldError(`data[${i}].status`, `unknown status index ${v.status}`);
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
