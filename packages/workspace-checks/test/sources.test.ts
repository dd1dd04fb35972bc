// Library sources follow the workspace rules: no `export *`, one error class per package and no
// built-in Error constructed in src/ (generated ABI modules exempt).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findBuiltinErrors,
  findErrorClasses,
  findExportStar,
  findOwnVectorLookups,
  findPlatformUse,
  librarySources,
} from '../src/source-rules.ts';
import { listPackages, listSourceFiles } from '../src/workspace.ts';

const INFRA = new Set(['@diva-dvt/test-vectors', '@diva-dvt/workspace-checks']);
const packages = listPackages().filter((p) => !INFRA.has(p.name));

describe.each(packages.map((p) => [p.name, p] as const))('%s sources', (_name, pkg) => {
  const files = librarySources(pkg.dir);

  it('re-export by name (no export *)', () => {
    expect(findExportStar(files)).toEqual([]);
  });

  it('construct no built-in Error (only the package error class)', () => {
    expect(findBuiltinErrors(files)).toEqual([]);
  });

  it('declare exactly one error class', () => {
    expect(findErrorClasses(files)).toHaveLength(1);
  });
});

// Pure packages do no I/O and read no clock (DESIGN.md); dkg's `/node` entry (src/node.ts) is the
// one place a pure package reaches Node, for OpenSSL.
const PURE: Record<string, readonly string[]> = {
  '@diva-dvt/bls-threshold': [],
  '@diva-dvt/consensus': [],
  '@diva-dvt/dkg': ['src/node.ts'],
};

describe.each(packages.filter((p) => p.name in PURE).map((p) => [p.name, p] as const))(
  '%s (pure)',
  (name, pkg) => {
    it('touches no process, fs, timers, clock or network outside its node entry', () => {
      const allowed = (PURE[name] ?? []).map((f) => join(pkg.dir, f));
      const files = librarySources(pkg.dir).filter((f) => !allowed.includes(f));
      expect(findPlatformUse(files)).toEqual([]);
    });
  },
);

describe('known-answer vectors', () => {
  it('are found only through @diva-dvt/test-vectors', () => {
    const files = packages.flatMap((p) =>
      ['src', 'test', 'bench', 'scripts'].flatMap((d) => listSourceFiles(join(p.dir, d))),
    );
    expect(findOwnVectorLookups(files)).toEqual([]);
  });
});

describe('source rules', () => {
  it('catch a bare Error, an export * and a second error class (the checks can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'diva-rules-'));
    try {
      const file = join(dir, 'a.ts');
      writeFileSync(
        file,
        [
          "export * from './b.ts';",
          'export class AError extends Error {}',
          'class BError extends Error {}',
          "// throw new Error('in a comment: fine')",
          "if (x) throw new RangeError('bad');",
          'const t = Date.now();',
          'const v = process.env.DIVA_VECTORS_DIR; // ../shared/vectors',
        ].join('\n'),
      );
      expect(findExportStar([file]).map((f) => f.line)).toEqual(["export * from './b.ts';"]);
      expect(findBuiltinErrors([file]).map((f) => f.line)).toEqual(["if (x) throw new RangeError('bad');"]);
      expect(findErrorClasses([file])).toEqual(['AError', 'BError']);
      expect(findPlatformUse([file]).map((f) => f.line)).toEqual([
        'const t = Date.now();',
        'const v = process.env.DIVA_VECTORS_DIR; // ../shared/vectors',
      ]);
      expect(findOwnVectorLookups([file]).map((f) => f.line)).toEqual([
        'const v = process.env.DIVA_VECTORS_DIR; // ../shared/vectors',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
