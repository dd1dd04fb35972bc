// What each entry point exports (values and types), read by the TypeScript compiler from the
// sources, where each exported name is declared, and which names more than one package exports.
import ts from 'typescript';
import type { EntryPoint } from './workspace.ts';

export interface ExportedName {
  name: string;
  /** Files that declare it (after following re-exports). */
  declaredIn: string[];
}

const compilerOptions: ts.CompilerOptions = {
  allowImportingTsExtensions: true,
  noEmit: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2023,
  skipLibCheck: true,
};

/** Export names per entry point specifier, sorted by name. */
export function readExports(entries: readonly EntryPoint[]): Map<string, ExportedName[]> {
  const program = ts.createProgram(
    entries.map((e) => e.sourceFile),
    compilerOptions,
  );
  const checker = program.getTypeChecker();
  const result = new Map<string, ExportedName[]>();
  for (const entry of entries) {
    const sf = program.getSourceFile(entry.sourceFile);
    const moduleSymbol = sf && checker.getSymbolAtLocation(sf);
    const names: ExportedName[] = [];
    for (const symbol of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const declaredIn = [...new Set((target.declarations ?? []).map((d) => d.getSourceFile().fileName))];
      names.push({ name: symbol.getName(), declaredIn });
    }
    result.set(
      entry.specifier,
      names.sort((a, b) => a.name.localeCompare(b.name)),
    );
  }
  return result;
}

/** Names exported by more than one package (a package's own subpaths may repeat a name). */
export function findCollisions(
  entries: readonly EntryPoint[],
  exportsBySpecifier: Map<string, ExportedName[]>,
): Map<string, string[]> {
  const owners = new Map<string, Set<string>>();
  for (const entry of entries) {
    for (const { name } of exportsBySpecifier.get(entry.specifier) ?? []) {
      const set = owners.get(name) ?? new Set<string>();
      set.add(entry.specifier);
      owners.set(name, set);
    }
  }
  const packageOf = new Map(entries.map((e) => [e.specifier, e.packageName]));
  const out = new Map<string, string[]>();
  for (const [name, specifiers] of [...owners].sort(([a], [b]) => a.localeCompare(b))) {
    const packages = new Set([...specifiers].map((s) => packageOf.get(s)));
    if (packages.size > 1) out.set(name, [...specifiers].sort());
  }
  return out;
}
