import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readVectorFiles, VectorsMissingError, vectorsDir, vectorsRoot } from '../src/index.ts';

const saved = process.env.DIVA_VECTORS_DIR;
afterEach(() => {
  if (saved === undefined) delete process.env.DIVA_VECTORS_DIR;
  else process.env.DIVA_VECTORS_DIR = saved;
});

describe('vector lookup', () => {
  it('finds ../shared/vectors beside the checkout by default', () => {
    expect(vectorsRoot({})).toMatch(/shared[/\\]vectors$/);
    expect(vectorsDir('eip3076')).toContain('eip3076');
  });

  it('follows DIVA_VECTORS_DIR and names the missing path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'diva-vectors-'));
    try {
      process.env.DIVA_VECTORS_DIR = dir;
      writeFileSync(join(dir, 'a.json'), '{"x":1}');
      expect(readVectorFiles<{ x: number }>()).toEqual([{ name: 'a.json', data: { x: 1 } }]);
      expect(() => vectorsDir('nope')).toThrow(VectorsMissingError);
      expect(() => vectorsDir('nope')).toThrow(join(dir, 'nope'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
