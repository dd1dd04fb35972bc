// Every ```ts block of every package README compiles as written against the built packages.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReadmeExamples, extractTsBlocks } from '../src/readme-examples.ts';
import { listPackages, workspaceRoot } from '../src/workspace.ts';

const INFRA = new Set(['@diva-dvt/test-vectors', '@diva-dvt/workspace-checks']);
const packages = listPackages().filter((p) => !INFRA.has(p.name));

describe.each(packages.map((p) => [p.name, p] as const))('%s README', (_name, pkg) => {
  it('has examples that compile', () => {
    const { errors } = checkReadmeExamples(pkg.dir);
    expect(errors).toEqual([]);
  });
});

describe('README example check', () => {
  it('extracts ts blocks with their lines', () => {
    const md = [
      '# x',
      '```ts',
      'const a = 1;',
      '```',
      '```sh',
      'ls',
      '```',
      '```typescript',
      'b;',
      '```',
    ].join('\n');
    expect(extractTsBlocks(md)).toEqual([
      { line: 2, code: 'const a = 1;\n' },
      { line: 8, code: 'b;\n' },
    ]);
  });

  it('reports an example that uses an undeclared name (the check can fail)', () => {
    const dir = mkdtempSync(join(workspaceRoot, 'packages', '.readme-check-'));
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../tsconfig.base.json' }));
      writeFileSync(join(dir, 'README.md'), '# t\n\n```ts\nconst x: number = undeclaredThing;\n```\n');
      const { examples, errors } = checkReadmeExamples(dir);
      expect(examples).toBe(1);
      expect(errors.join('\n')).toMatch(/README\.md:4: Cannot find name 'undeclaredThing'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
