// The record of the last complete exploration (test/exploration-record.json): the state counts of
// each scenario and a digest of the sources it explored. The complete run
// (DIVA_EXPLORE=complete) writes it; every other run checks that today's sources still have the
// recorded digest, so a change of the state machines cannot pass CI without a new complete run.
//
// "The sources it explored": the explorer (test/helpers/explorer.ts, which also defines the
// scenarios) and every module it reaches through relative imports of values (`import type` and
// type-only re-exports change no behaviour and are not followed), each digested with its path.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const PACKAGE_DIR = resolve(import.meta.dirname, '..', '..');
const EXPLORER = join(PACKAGE_DIR, 'test', 'helpers', 'explorer.ts');
export const RECORD_PATH = join(PACKAGE_DIR, 'test', 'exploration-record.json');

export interface ScenarioRecord {
  readonly name: string;
  readonly states: number;
  readonly terminal: number;
  /** Terminal states in which some honest member decided (recorded since session 6). */
  readonly decidedTerminal?: number;
  readonly seconds: number;
}

export interface ExplorationRecord {
  /** sha256 over the explored sources (`sourcesDigest`). */
  readonly sources: string;
  /** Those sources, relative to the package. */
  readonly files: readonly string[];
  readonly scenarios: readonly ScenarioRecord[];
}

/** Relative value imports of a module: `import {...} from './x.ts'` but not `import type`. */
function valueImports(text: string): string[] {
  const found: string[] = [];
  const pattern = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?'(\.{1,2}\/[^']+)'/gm;
  for (const m of text.matchAll(pattern)) if (m[2] === undefined) found.push(m[3]!);
  return found;
}

/** The explorer and every module it reaches through relative value imports, sorted. */
export function exploredSources(): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of valueImports(readFileSync(file, 'utf8'))) visit(resolve(dirname(file), spec));
  };
  visit(EXPLORER);
  return [...seen].map((f) => relative(PACKAGE_DIR, f)).sort();
}

export function sourcesDigest(files: readonly string[] = exploredSources()): string {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file}\n`);
    hash.update(readFileSync(join(PACKAGE_DIR, file)));
    hash.update('\n');
  }
  return hash.digest('hex');
}

export function readRecord(): ExplorationRecord | undefined {
  try {
    return JSON.parse(readFileSync(RECORD_PATH, 'utf8')) as ExplorationRecord;
  } catch {
    return undefined;
  }
}

export function writeRecord(record: ExplorationRecord): void {
  writeFileSync(RECORD_PATH, `${JSON.stringify(record, null, 2)}\n`);
}

/** What a run without DIVA_EXPLORE=complete says when the record is missing or out of date. */
export function staleRecordMessage(record: ExplorationRecord | undefined, digest: string): string {
  const was = record === undefined ? 'there is no record' : `the record has ${record.sources}`;
  return [
    `The consensus state machines changed since their complete exploration was recorded: today's sources digest to ${digest}, ${was} (packages/consensus/test/exploration-record.json).`,
    'Rerun the complete exploration, which rewrites the record, and commit the new record with your change:',
    '  cd packages/consensus && DIVA_EXPLORE=complete npx vitest run test/exploration.test.ts',
    '(about 14 minutes on one core; check the new state counts in the diff and update docs/consensus.md if they changed).',
  ].join('\n');
}
