import { describe, expect, it } from 'vitest';
import { activePreset, ssz } from '../src/spec.ts';

describe('preset (mainnet project)', () => {
  it('loads the mainnet SSZ types', () => {
    expect(activePreset).toBe('mainnet');
    expect(ssz.altair.SyncCommitteeBits.lengthBits).toBe(512);
  });
});
