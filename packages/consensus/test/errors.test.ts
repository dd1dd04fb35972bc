// One error class with a discriminated code: what was wrong and where, narrowed by the guard.
import { describe, expect, it } from 'vitest';
import {
  ConsensusError,
  createMessageAllocator,
  createProtocolSelector,
  createRotationalInstance,
  decodeWire,
  isConsensusError,
  qbftProtocol,
  rotationalProtocol,
} from '../src/index.ts';
import { createMemoryGuard, createSimAuth, createSimScheme, simValueType } from '../src/sim/index.ts';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('ConsensusError', () => {
  it('says which part of a message is malformed and which drop reason it counts as', () => {
    const big = thrown(() => decodeWire(new Uint8Array(100), 50));
    expect(isConsensusError(big, 'MALFORMED_MESSAGE')).toBe(true);
    if (!isConsensusError(big, 'MALFORMED_MESSAGE')) return;
    expect(big.details).toMatchObject({ reason: 'oversized', part: 'bytes' });
    expect(big.shortMessage).toBe('bytes: 100 bytes, more than the 50 allowed');
    expect(big.message).toBe(`[MALFORMED_MESSAGE] ${big.shortMessage}`);
    const version = thrown(() => decodeWire(new Uint8Array(60).fill(9)));
    expect(isConsensusError(version, 'MALFORMED_MESSAGE') && version.details.reason).toBe(
      'unsupported-version',
    );
  });

  it('names the policy entry at fault', () => {
    const e = thrown(() =>
      createProtocolSelector({ default: 'qbft', byDutyType: { block: 'pbft' as never } }),
    );
    expect(isConsensusError(e, 'INVALID_POLICY') && e.details.field).toBe('"byDutyType.block"');
    expect(isConsensusError(e, 'MALFORMED_MESSAGE')).toBe(false);
    expect(isConsensusError(new Error('x'))).toBe(false);
  });

  it('names the parameter out of range', () => {
    const e = thrown(() =>
      createRotationalInstance({
        n: 4,
        t: 3,
        self: 1,
        instance: new Uint8Array(31),
        leaderSeed: new Uint8Array(32),
        valueType: simValueType,
        scheme: createSimScheme(4, 3, 1, 1),
        auth: createSimAuth(4, 1, 1),
        guard: createMemoryGuard(),
      }),
    );
    expect(e).toBeInstanceOf(ConsensusError);
    expect(isConsensusError(e, 'INVALID_PARAMETER') && e.details).toEqual({
      code: 'INVALID_PARAMETER',
      field: 'instance',
      expected: '32 bytes',
      actual: '31 bytes',
    });
    const slab = thrown(() => createMessageAllocator({ slabBytes: 10 }));
    expect(isConsensusError(slab, 'INVALID_PARAMETER') && slab.details.field).toBe('slabBytes');
  });
});

describe('protocol descriptors', () => {
  it('offer a runtime only the id, the name and instance creation', () => {
    expect(Object.keys(rotationalProtocol).sort()).toEqual(['create', 'id', 'name']);
    expect(Object.keys(qbftProtocol).sort()).toEqual(['create', 'id', 'name']);
  });
});
