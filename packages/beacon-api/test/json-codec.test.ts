// Strict JSON decoding of SSZ types: what @chainsafe/ssz's lenient fromJson accepts silently
// (bad hex digits, "12abc", out-of-range integers, overlong lists) is rejected with the JSON path.
import { ListCompositeType } from '@chainsafe/ssz';
import { describe, expect, it } from 'vitest';
import { endpoints, isBeaconApiError } from '../src/index.ts';
import { parseApiErrorBody } from '../src/internal/http.ts';
import { fromJsonStrict } from '../src/internal/json.ts';
import { ssz } from '../src/spec.ts';
import { AttesterDuties } from '../src/types.ts';
import { createRng, randomValue } from './helpers/random.ts';

function pathOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (!isBeaconApiError(e, 'DECODE_ERROR')) throw e;
    return e.details.field;
  }
  return 'accepted';
}

describe('fromJsonStrict', () => {
  const rng = createRng(8);
  const duties = Array.from({ length: 3 }, () => randomValue(AttesterDuties.elementType, rng));
  const json = () => AttesterDuties.toJson(duties) as Record<string, unknown>[];

  it('round-trips values of every consensus container it meets', () => {
    for (const t of [
      AttesterDuties,
      ssz.electra.SignedBeaconBlock,
      ssz.fulu.BlockContents,
      ssz.phase0.Validator,
      ssz.altair.SyncCommitteeContribution,
    ]) {
      const v = randomValue(t as never, rng);
      expect(fromJsonStrict(t as never, (t as typeof AttesterDuties).toJson(v as never), 'x')).toEqual(v);
    }
  });

  it('agrees with the lenient decoder on valid input', () => {
    expect(fromJsonStrict(AttesterDuties, json(), 'data')).toEqual(AttesterDuties.fromJson(json()));
  });

  it('rejects what the lenient decoder lets through', () => {
    const bad = json();
    (bad[0] as Record<string, unknown>).slot = '12abc';
    expect(AttesterDuties.fromJson(bad)[0]?.slot).toBe(12); // lenient
    expect(pathOf(() => fromJsonStrict(AttesterDuties, bad, 'data'))).toBe('data[0].slot');
    const hex = json();
    (hex[0] as Record<string, unknown>).pubkey = `0x${'zz'.repeat(48)}`;
    expect(() => AttesterDuties.fromJson(hex)).not.toThrow(); // lenient: reads zz as 0
    expect(pathOf(() => fromJsonStrict(AttesterDuties, hex, 'data'))).toBe('data[0].pubkey');
  });

  it('names missing fields, wrong types, sizes and ranges', () => {
    const cases: [unknown, string][] = [
      [[{}], 'data[0].pubkey'],
      ['x', 'data'],
      [[{ ...json()[0], committee_index: 5 }], 'accepted'],
      [[{ ...json()[0], committee_index: -5 }], 'data[0].committee_index'],
      [[{ ...json()[0], committee_index: '18446744073709551616' }], 'data[0].committee_index'],
      [[{ ...json()[0], committee_index: '01' }], 'data[0].committee_index'],
      [[{ ...json()[0], slot: null }], 'data[0].slot'],
    ];
    for (const [input, path] of cases)
      expect(pathOf(() => fromJsonStrict(AttesterDuties, input, 'data'))).toBe(path);
    const small = new ListCompositeType(ssz.phase0.Checkpoint, 1);
    const cp = { epoch: '1', root: `0x${'00'.repeat(32)}` };
    expect(pathOf(() => fromJsonStrict(small, [cp, cp], 'l'))).toBe('l');
    expect(pathOf(() => fromJsonStrict(ssz.phase0.Checkpoint, { ...cp, root: '0x00' }, 'c'))).toBe('c.root');
    expect(pathOf(() => fromJsonStrict(ssz.Uint8, '256', 'u'))).toBe('u');
    expect(pathOf(() => fromJsonStrict(ssz.Boolean, 'true', 'b'))).toBe('b');
  });

  it('maps 2^64-1 to Infinity for epoch fields that allow it, and rejects it elsewhere', () => {
    const v = ssz.phase0.Validator.toJson(randomValue(ssz.phase0.Validator, rng)) as Record<string, unknown>;
    const far = { ...v, exit_epoch: '18446744073709551615' };
    expect(fromJsonStrict(ssz.phase0.Validator, far, 'v').exitEpoch).toBe(Number.POSITIVE_INFINITY);
    expect(pathOf(() => fromJsonStrict(ssz.Slot, '18446744073709551615', 's'))).toBe('s');
  });
});

describe('validator responses', () => {
  it('name the bad field of a validator entry', () => {
    const r = endpoints.getStateValidators.routes[1]!.resp;
    const meta = { status: 200, header: () => undefined };
    const v = ssz.phase0.Validator.toJson(randomValue(ssz.phase0.Validator, createRng(3))) as Record<
      string,
      unknown
    >;
    const entry = { index: '1', balance: '32000000000', status: 'active_ongoing', validator: v };
    expect(r.fromJson({ data: [entry] }, meta).data[0]?.status).toBe('active_ongoing');
    const cases: [unknown, string][] = [
      [{ ...entry, status: 'sleeping' }, 'data[1].status'],
      [{ ...entry, index: '-1' }, 'data[1].index'],
      [{ ...entry, validator: { ...v, slashed: 'no' } }, 'data[1].validator.slashed'],
      [{ ...entry, validator: undefined }, 'data[1].validator'],
    ];
    for (const [bad, path] of cases)
      expect(pathOf(() => r.fromJson({ data: [entry, bad] }, meta))).toBe(path);
  });
});

describe('fork schedule', () => {
  it('reads an unscheduled fork (epoch 2^64-1, as Lodestar 1.5.1 sends it) as Infinity', () => {
    const r = endpoints.getForkSchedule.routes[0]!.resp;
    const body = {
      data: [
        { previous_version: '0x00000001', current_version: '0x00000001', epoch: '0' },
        { previous_version: '0x00000001', current_version: '0x02000001', epoch: '18446744073709551615' },
      ],
    };
    const out = r.fromJson(body, { status: 200, header: () => undefined });
    expect(out.data.map((f) => f.epoch)).toEqual([0, Number.POSITIVE_INFINITY]);
    expect(r.toJson(out).body).toEqual(body);
  });
});

describe('parseApiErrorBody', () => {
  it('reads the spec shape, the fastify shape and failures; ignores anything else', () => {
    expect(
      parseApiErrorBody('{"code":400,"message":"bad","failures":[{"index":"2","message":"sig"}]}'),
    ).toEqual({
      code: 400,
      message: 'bad',
      failures: [{ index: 2, message: 'sig' }],
    });
    expect(
      parseApiErrorBody('{"statusCode":404,"error":"Not Found","message":"Route GET:/x not found"}'),
    ).toEqual({
      code: 404,
      message: 'Route GET:/x not found',
    });
    expect(parseApiErrorBody('<html>')).toBeUndefined();
    expect(parseApiErrorBody('{"message": 3}')).toBeUndefined();
    expect(parseApiErrorBody('null')).toBeUndefined();
  });
});
