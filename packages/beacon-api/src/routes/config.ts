// Config namespace: spec values, fork schedule, deposit contract.

import { fieldError } from '../internal/json.ts';
import { obj } from '../internal/read.ts';
import { type ApiResponse, customCodec, dataCodec, type Endpoint } from '../route.ts';
import { DepositContract, ForkList, type ForkValue } from '../types.ts';

/**
 * A spec value: a string (numbers in decimal, bytes in hex), or a list of string maps for the
 * few structured entries (fulu's BLOB_SCHEDULE).
 */
export type SpecValue = string | readonly Readonly<Record<string, string>>[];

function specList(v: unknown[], key: string): Record<string, string>[] {
  return v.map((item, i) => {
    const o = obj(item, `data.${key}[${i}]`);
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(o)) {
      if (typeof x !== 'string') throw fieldError(`data.${key}[${i}].${k}`, 'expected a string');
      out[k] = x;
    }
    return out;
  });
}

/** `/eth/v1/config/spec`. */
export const getSpec: Endpoint<void, ApiResponse<Record<string, SpecValue>>> = {
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
          const out: Record<string, SpecValue> = {};
          for (const [k, v] of Object.entries(o)) {
            if (typeof v === 'string') out[k] = v;
            else if (typeof v === 'number') out[k] = String(v);
            else if (Array.isArray(v)) out[k] = specList(v, k);
            else throw fieldError(`data.${k}`, 'expected a string or a list');
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
