// Lists the names (values and types) every public entry point of every workspace package exports,
// read by the TypeScript compiler from the `exports` maps' source files, and the names that more
// than one package exports. Usage: node scripts/export-names.ts [--json] [--collisions]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface EntryPoint {
  /** Package name and subpath, e.g. `@diva-dvt/consensus/sim`. */
  specifier: string;
  packageName: string;
  sourceFile: string;
}

/** Every public entry point of the workspace's packages, with the source file it is built from. */
export function listEntryPoints(): EntryPoint[] {
  const out: EntryPoint[] = [];
  for (const group of ['packages', 'apps']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const pkgFile = join(dir, name, 'package.json');
      if (!existsSync(pkgFile)) continue;
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {
        name: string;
        exports?: Record<string, string | { default?: string }>;
      };
      for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
        const file = typeof target === 'string' ? target : target.default;
        if (!file?.startsWith('./dist/') || !file.endsWith('.js')) continue;
        const source = join(dir, name, file.replace('./dist/', 'src/').replace(/\.js$/, '.ts'));
        out.push({ specifier: pkg.name + subpath.slice(1), packageName: pkg.name, sourceFile: source });
      }
    }
  }
  return out;
}

/** Export names per entry point (values and types), sorted. */
export function exportNames(entries: readonly EntryPoint[]): Map<string, string[]> {
  const program = ts.createProgram(
    entries.map((e) => e.sourceFile),
    {
      allowImportingTsExtensions: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2023,
      skipLibCheck: true,
    },
  );
  const checker = program.getTypeChecker();
  const result = new Map<string, string[]>();
  for (const entry of entries) {
    const sf = program.getSourceFile(entry.sourceFile);
    const symbol = sf && checker.getSymbolAtLocation(sf);
    const names = symbol ? checker.getExportsOfModule(symbol).map((s) => s.getName()) : [];
    result.set(entry.specifier, names.sort());
  }
  return result;
}

/** Names exported by more than one package (a package's own subpaths may repeat a name). */
export function collisions(
  entries: readonly EntryPoint[],
  names: Map<string, string[]>,
): Map<string, string[]> {
  const owners = new Map<string, Set<string>>();
  for (const entry of entries) {
    for (const name of names.get(entry.specifier) ?? []) {
      const set = owners.get(name) ?? new Set<string>();
      set.add(entry.specifier);
      owners.set(name, set);
    }
  }
  const out = new Map<string, string[]>();
  for (const [name, specs] of owners) {
    const pkgs = new Set([...specs].map((s) => entries.find((e) => e.specifier === s)!.packageName));
    if (pkgs.size > 1) out.set(name, [...specs].sort());
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const entries = listEntryPoints();
  const names = exportNames(entries);
  const clashes = collisions(entries, names);
  if (process.argv.includes('--json')) {
    console.log(
      JSON.stringify(
        { entries: Object.fromEntries(names), collisions: Object.fromEntries(clashes) },
        null,
        2,
      ),
    );
  } else {
    if (!process.argv.includes('--collisions')) {
      for (const [spec, list] of names) console.log(`${spec} (${list.length}): ${list.join(', ')}`);
    }
    console.log(`\n${clashes.size} names exported by more than one package`);
    for (const [name, specs] of clashes) console.log(`  ${name}: ${specs.join(', ')}`);
  }
}
