// Runs every package's `bench --quick` and checks that each prints one JSON document of the agreed
// shape. Figures are not judged here (benchmarks are not timed tests); a crash or a malformed
// document fails.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

let bad = 0;
for (const name of readdirSync('packages')) {
  const pkgFile = join('packages', name, 'package.json');
  if (!existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  if (!pkg.scripts?.bench) continue;
  console.error(`  ${pkg.name}: bench --quick`);
  try {
    const out = execFileSync('pnpm', ['--silent', '--filter', pkg.name, 'run', 'bench', '--quick'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    });
    const doc = JSON.parse(out);
    for (const key of ['package', 'node', 'cpu', 'results', 'ratios', 'figures']) {
      if (!(key in doc)) throw new Error(`missing "${key}"`);
    }
    if (!Array.isArray(doc.results) || doc.results.length === 0) throw new Error('no results');
    console.error(`  ${pkg.name}: ${doc.results.length} results, ratios ${JSON.stringify(doc.ratios)}`);
  } catch (err) {
    bad++;
    console.error(`  ${pkg.name}: benchmark smoke run failed: ${err.message}`);
  }
}
process.exit(bad > 0 ? 1 : 0);
