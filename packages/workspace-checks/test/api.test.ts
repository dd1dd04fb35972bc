// The public API rules of issue 13, held across the workspace: an exported name means one thing
// (no two packages export it), nothing public is declared under internal/, every entry point's
// export list is frozen by its package's exports test.
import { existsSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCollisions, readExports } from '../src/exports.ts';
import { listPackages } from '../src/workspace.ts';

const INFRA = new Set(['@diva-dvt/test-vectors', '@diva-dvt/workspace-checks']);
const packages = listPackages().filter((p) => !INFRA.has(p.name));
const entries = packages.flatMap((p) => p.entryPoints);
const exportsBySpecifier = readExports(entries);

describe('public API across packages', () => {
  it('finds every package and entry point', () => {
    expect(packages.map((p) => p.name)).toContain('@diva-dvt/bls-threshold');
    for (const entry of entries) expect(existsSync(entry.sourceFile), entry.sourceFile).toBe(true);
    for (const entry of entries)
      expect(exportsBySpecifier.get(entry.specifier)?.length, entry.specifier).toBeGreaterThan(0);
  });

  it('has no exported name that two packages export', () => {
    const clashes = Object.fromEntries(findCollisions(entries, exportsBySpecifier));
    expect(clashes).toEqual({});
  });

  it('exports nothing declared under internal/', () => {
    const leaks: string[] = [];
    for (const [specifier, names] of exportsBySpecifier) {
      for (const { name, declaredIn } of names) {
        const inside = declaredIn.filter(
          (f) => f.includes(`${sep}internal${sep}`) || f.includes('/internal/'),
        );
        if (inside.length > 0) leaks.push(`${specifier}: ${name} (${inside.join(', ')})`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('freezes every entry point with an exports test in its package', () => {
    const missing: string[] = [];
    for (const pkg of packages) {
      const testFile = join(pkg.dir, 'test', 'exports.test.ts');
      const text = existsSync(testFile) ? readFileSync(testFile, 'utf8') : '';
      for (const entry of pkg.entryPoints) {
        if (!text.includes(entry.specifier)) missing.push(entry.specifier);
      }
    }
    expect(missing).toEqual([]);
  });

  it('reports a name exported by two packages (the check can fail)', () => {
    const fake = [
      { specifier: 'a', packageName: 'a', sourceFile: 'a.ts' },
      { specifier: 'b/sub', packageName: 'b', sourceFile: 'b.ts' },
      { specifier: 'a/sub', packageName: 'a', sourceFile: 'c.ts' },
    ];
    const names = new Map([
      [
        'a',
        [
          { name: 'Address', declaredIn: [] },
          { name: 'x', declaredIn: [] },
        ],
      ],
      ['b/sub', [{ name: 'Address', declaredIn: [] }]],
      ['a/sub', [{ name: 'x', declaredIn: [] }]],
    ]);
    expect(Object.fromEntries(findCollisions(fake, names))).toEqual({ Address: ['a', 'b/sub'] });
  });
});
