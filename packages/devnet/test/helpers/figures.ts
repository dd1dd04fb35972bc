// Tests record what they measured (start-up time, time to first block, participation) in
// .test-results/figures.json, which the README's figures table is read from. Not assertions.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FILE = join(import.meta.dirname, '..', '..', '.test-results', 'figures.json');

export function recordFigure(name: string, value: number | string | Record<string, unknown>): void {
  mkdirSync(join(FILE, '..'), { recursive: true });
  let figures: Record<string, unknown> = {};
  try {
    figures = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>;
  } catch {
    // first figure of the run
  }
  figures[name] = value;
  writeFileSync(FILE, `${JSON.stringify(figures, null, 2)}\n`);
}
