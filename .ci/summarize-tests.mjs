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
const failures = [];
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
    for (const suite of r.testResults ?? []) {
      const where = `${group}/${name}/${suite.name.split(`/${group}/${name}/`).pop()}`;
      const failedTests = (suite.assertionResults ?? []).filter((a) => a.status === 'failed');
      for (const a of failedTests)
        failures.push(`${where}: ${a.fullName ?? a.title}\n      ${firstLine(a.failureMessages)}`);
      if (failedTests.length === 0 && suite.status === 'failed')
        failures.push(`${where}: ${firstLine([suite.message])}`);
    }
  }
}
if (reports === 0) failed += 1;
// The tail of a CI log is often all that is kept: name every failed test there, with its error.
if (failures.length > 0) console.error(`failed tests:\n${failures.map((f) => `  ${f}`).join('\n')}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);

function firstLine(messages) {
  const text = (messages ?? []).find((m) => typeof m === 'string' && m.length > 0) ?? '(no message)';
  return text.split('\n').slice(0, 3).join(' | ').slice(0, 400);
}
