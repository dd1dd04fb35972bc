// Config namespace: spec values, fork schedule, deposit contract.

import { JsonFieldError } from '../internal/json.ts';
import { obj } from '../internal/read.ts';
import { type ApiResponse, customCodec, dataCodec, type Endpoint } from '../route.ts';
import { DepositContract, ForkList, type ForkValue } from '../types.ts';

/** `/eth/v1/config/spec`: every value is a string (numbers in decimal, bytes in hex). */
export const getSpec: Endpoint<void, ApiResponse<Record<string, string>>> = {
  name: 'getSpec',
  kind: 'read',
  routes: [
    {
      id: 'getSpec.v1',
      method: 'GET',
      path: '/eth/v1/config/spec',
      reqSsz: false,
      writeReq: () => ({}),
      parseReq: () => undefined,
      resp: customCodec(
        (d) => {
          const o = obj(d, 'data');
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(o)) {
            // Some nodes nest objects (e.g. BLOB_SCHEDULE lists); keep them as JSON text.
            if (typeof v === 'string') out[k] = v;
            else if (typeof v === 'number') out[k] = String(v);
            else if (typeof v === 'object' && v !== null) out[k] = JSON.stringify(v);
            else throw new JsonFieldError(`data.${k}`, 'expected a string');
          }
          return out;
        },
        (v) => v,
      ),
    },
  ],
};

export const getForkSchedule: Endpoint<void, ApiResponse<ForkValue[]>> = {
  name: 'getForkSchedule',
  kind: 'read',
  routes: [
    {
      id: 'getForkSchedule.v1',
      method: 'GET',
      path: '/eth/v1/config/fork_schedule',
      reqSsz: false,
      writeReq: () => ({}),
      parseReq: () => undefined,
      resp: dataCodec(ForkList, { ssz: false }),
    },
  ],
};

export const getDepositContract: Endpoint<void, ApiResponse<DepositContract>> = {
  name: 'getDepositContract',
  kind: 'read',
  routes: [
    {
      id: 'getDepositContract.v1',
      method: 'GET',
      path: '/eth/v1/config/deposit_contract',
      reqSsz: false,
      writeReq: () => ({}),
      parseReq: () => undefined,
      resp: dataCodec(DepositContract, { ssz: false }),
    },
  ],
};
