import { describe, expect, it } from 'vitest';
import { activePreset, ssz } from '../src/spec.ts';

describe('preset (minimal project)', () => {
  it('loads the minimal SSZ types', () => {
    expect(activePreset).toBe('minimal');
    expect(ssz.altair.SyncCommitteeBits.lengthBits).toBe(32);
  });
});
