// Adds up the vitest JSON reports every package wrote to .test-results/report.json and prints one
// line "N passed, N failed" (", N skipped" when some were). Exits 1 when a test failed or no report
// was written at all (a run that tested nothing is not a green run).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? process.cwd();
let passed = 0;
let failed = 0;
let skipped = 0;
let reports = 0;
for (const group of ['packages', 'apps']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, '.test-results', 'report.json');
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, 'utf8'));
    reports++;
    passed += r.numPassedTests;
    // A file that fails to load has no failed tests but a failed suite: count it.
    failed += r.numFailedTests > 0 ? r.numFailedTests : r.numFailedTestSuites;
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.error(`  ${group}/${name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  }
}
if (reports === 0) failed += 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
