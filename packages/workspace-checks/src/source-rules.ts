// Rules every library's sources follow, checked as text: no `export *`, and errors only through the
// package's own error class (no bare Error, TypeError, RangeError... thrown or rejected), one such
// class per package. Generated ABI modules are exempt.
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { listSourceFiles, workspaceRoot } from './workspace.ts';

export interface SourceFinding {
  /** Path relative to the workspace root, with the 1-based line. */
  where: string;
  line: string;
}

const BUILTIN_ERROR = /\bnew (Error|TypeError|RangeError|SyntaxError|ReferenceError|AggregateError)\(/;
const EXPORT_STAR = /^\s*export\s+\*/;
const ERROR_CLASS = /\bclass\s+(\w+)\s+extends\s+Error\b/;

/** A package's library sources: src/**.ts without generated modules. */
export function librarySources(packageDir: string): string[] {
  return listSourceFiles(`${packageDir}${sep}src`).filter((f) => !f.includes(`${sep}generated${sep}`));
}

function scan(files: readonly string[], pattern: RegExp): SourceFinding[] {
  const out: SourceFinding[] = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '');
      if (pattern.test(code))
        out.push({ where: `${relative(workspaceRoot, file)}:${i + 1}`, line: line.trim() });
    });
  }
  return out;
}

/** `export * from ...` lines. */
export function findExportStar(files: readonly string[]): SourceFinding[] {
  return scan(files, EXPORT_STAR);
}

/** Built-in errors constructed in library code (thrown, rejected or returned). */
export function findBuiltinErrors(files: readonly string[]): SourceFinding[] {
  return scan(files, BUILTIN_ERROR);
}

/** Names of the classes that extend Error directly. */
export function findErrorClasses(files: readonly string[]): string[] {
  const names: string[] = [];
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = ERROR_CLASS.exec(line);
      if (m?.[1]) names.push(m[1]);
    }
  }
  return names.sort();
}

const PLATFORM =
  /from 'node:|\bprocess\.|\bBuffer\b|\bset(Timeout|Interval|Immediate)\(|\bDate\.now\(|\bnew Date\(|\bperformance\.now\(|\bfetch\(/;

/** Uses of the platform (node modules, process, Buffer, timers, the clock, the network). */
export function findPlatformUse(files: readonly string[]): SourceFinding[] {
  return scan(files, PLATFORM);
}

const VECTOR_LOOKUP = /shared\/vectors|DIVA_VECTORS_DIR/;

/** Code (not comments) that finds the vectors folder by itself instead of through @diva-dvt/test-vectors. */
export function findOwnVectorLookups(files: readonly string[]): SourceFinding[] {
  return scan(files, VECTOR_LOOKUP);
}
