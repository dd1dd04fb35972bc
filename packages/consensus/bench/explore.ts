// The exhaustive exploration: `node bench/explore.ts [maxStates]` explores one rotational instance,
// n = 4, t = 3, f = 1, through two rounds, in every delivery order (test/helpers/explorer.ts), for
// each scenario: all honest with split candidates, and a Byzantine round-1 leader that equivocates
// (two patterns), double-votes and sends a round-2 round change. Prints one JSON document; progress
// on stderr; exits 1 on any disagreement or unsound merge, or if a scenario hits maxStates (the
// default, 0, means no bound). The record CI checks is written by the complete test run
// (DIVA_EXPLORE=complete, test/exploration.test.ts), not by this script.
import { EXPLORATION_SCENARIOS, explore } from '../test/helpers/explorer.ts';

const maxStates = Number(process.argv[2] ?? 0);
const scenarios = EXPLORATION_SCENARIOS;
const results = [];
let failed = false;
for (const s of scenarios) {
  const start = performance.now();
  const r = explore({
    ...s.options,
    ...(maxStates > 0 ? { maxStates } : {}),
    onProgress: (states, pending) =>
      process.stderr.write(
        `\r  ${s.name}: ${states} states, ${pending} pending, ${((performance.now() - start) / 1000).toFixed(0)} s`,
      ),
  });
  const seconds = (performance.now() - start) / 1000;
  const complete = maxStates === 0 || r.states <= maxStates;
  process.stderr.write(`\r  ${s.name}: ${JSON.stringify(r)} in ${seconds.toFixed(0)} s${' '.repeat(20)}\n`);
  results.push({ scenario: s.name, ...r, complete, seconds: Math.round(seconds) });
  if (r.violations > 0 || r.unsoundMerges > 0 || !complete) failed = true;
}
process.stdout.write(`${JSON.stringify({ n: 4, t: 3, rounds: 2, results }, null, 2)}\n`);
process.exit(failed ? 1 : 0);
