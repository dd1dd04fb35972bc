// Prints every entry point's exported names and the names that two packages share.
// Usage: node packages/workspace-checks/src/cli.ts [--collisions] [--json]
import { findCollisions, readExports } from './exports.ts';
import { listPackages } from './workspace.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);

const entries = listPackages().flatMap((p) => p.entryPoints);
const exportsBySpecifier = readExports(entries);
const clashes = findCollisions(entries, exportsBySpecifier);
const names = (spec: string) => (exportsBySpecifier.get(spec) ?? []).map((e) => e.name);

if (process.argv.includes('--json')) {
  const all = Object.fromEntries(entries.map((e) => [e.specifier, names(e.specifier)]));
  print(JSON.stringify({ entries: all, collisions: Object.fromEntries(clashes) }, null, 2));
} else {
  if (!process.argv.includes('--collisions')) {
    for (const e of entries)
      print(`${e.specifier} (${names(e.specifier).length}): ${names(e.specifier).join(', ')}`);
  }
  print(`\n${clashes.size} names exported by more than one package`);
  for (const [name, specs] of clashes) print(`  ${name}: ${specs.join(', ')}`);
}
