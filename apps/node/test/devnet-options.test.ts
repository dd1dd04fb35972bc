// `diva-node devnet` flags: defaults, the contracts' threshold rule and the --fault scenarios, each
// bad value refused with the flag named.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../src/devnet/chaos.ts';
import { parseDevnetArguments } from '../src/devnet/options.ts';

const parse = (...args: string[]) => parseDevnetArguments(args);

describe('devnet options', () => {
  it('defaults: 20 operators, committees of 16 with threshold 11, contracts-driven', () => {
    expect(parse()).toMatchObject({
      operators: 20,
      committeeSize: 16,
      threshold: 11,
      validators: 4,
      contracts: true,
      fault: undefined,
      lateValidators: 0,
      exitRequestEpoch: undefined,
    });
    expect(parse('--help')).toBeUndefined();
  });

  it('--exit-request E: an epoch from 1, through the contracts only', () => {
    expect(parse('--exit-request', '3')?.exitRequestEpoch).toBe(3);
    expect(() => parse('--exit-request', '0')).toThrow(/--exit-request.*integer in \[1, 10000\]/);
    expect(() => parse('--exit-request', 'soon')).toThrow(/--exit-request/);
    expect(() => parse('--exit-request', '2', '--direct')).toThrow(/--exit-request.*not with --direct/);
  });

  it('the contracts fix the threshold; --direct frees it', () => {
    expect(() => parse('--operators', '5', '--committee-size', '4', '--threshold', '2')).toThrow(
      /--threshold.*2n\/3 \+ 1 = 3/,
    );
    expect(
      parse('--operators', '5', '--committee-size', '4', '--threshold', '2', '--direct')?.threshold,
    ).toBe(2);
  });

  it('--fault kill:K@E[-R] and equivocate@E', () => {
    expect(parse('--fault', 'kill:5@2-4')?.fault).toEqual({
      kind: 'kill',
      operators: 5,
      atEpoch: 2,
      restartAtEpoch: 4,
    });
    expect(parse('--fault', 'kill:1@3')?.fault).toEqual({
      kind: 'kill',
      operators: 1,
      atEpoch: 3,
      restartAtEpoch: undefined,
    });
    expect(parse('--fault', 'equivocate@2')?.fault).toEqual({ kind: 'equivocate', atEpoch: 2 });
    expect(parse('--fault', 'chaos:80@3')?.fault).toMatchObject({ kind: 'chaos', uptime: 0.8, fromEpoch: 3 });
  });

  it('chaos draws are seeded: the same sequence each run, uniform enough to hit the asked uptime', () => {
    const a = seededRandom(0x5eed);
    const b = seededRandom(0x5eed);
    const draws = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(draws);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    const up = draws.filter((x) => x < 0.8).length / draws.length;
    expect(up).toBeGreaterThan(0.78);
    expect(up).toBeLessThan(0.82);
    expect(seededRandom(1)()).not.toBe(draws[0]);
  });

  it('refuses bad fault scenarios, naming --fault', () => {
    expect(() => parse('--fault', 'kill:17@2')).toThrow(
      /--fault.*K must be from 1 to the committee size \(16\)/,
    );
    expect(() => parse('--fault', 'kill:2@4-3')).toThrow(/--fault.*restart epoch 3 must follow 4/);
    expect(() => parse('--fault', 'double-sign')).toThrow(/--fault.*equivocate@EPOCH/);
    expect(() => parse('--fault', 'equivocate@2', '--direct')).toThrow(/--fault.*not with --direct/);
    expect(() => parse('--fault', 'chaos:0@2')).toThrow(/--fault.*percentage from 1 to 100, got 0/);
    expect(() => parse('--fault', 'chaos:80')).toThrow(/--fault.*chaos:PCT@EPOCH/);
  });
});
