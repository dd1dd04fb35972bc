// The full safety run: `node bench/safety.ts [count] [protocol]` simulates `count` random fault
// scenarios (default 100,000, rotational) and prints a JSON summary; exits 1 on any violation.
// CI runs a seeded subset of the same scenarios in test/safety.test.ts.
import { qbftProtocol, rotationalProtocol } from '../src/index.ts';
import { simulateInstance } from '../src/sim/index.ts';
import { randomScenario } from '../test/helpers/scenarios.ts';

const count = Number(process.argv[2] ?? 100_000);
const protocol = process.argv[3] === 'qbft' ? qbftProtocol : rotationalProtocol;
let violations = 0;
let invalidSignatures = 0;
let decided = 0;
const start = performance.now();
for (let i = 0; i < count; i++) {
  const r = simulateInstance(randomScenario(protocol, i), i);
  if (!r.agreement) violations++;
  if (!r.signaturesValid) invalidSignatures++;
  if (r.firstDecisionMs !== undefined) decided++;
  if (i % 500 === 499) {
    const rate = (i + 1) / ((performance.now() - start) / 1000);
    process.stderr.write(`\r  ${i + 1}/${count} scenarios, ${violations} violations, ${rate.toFixed(0)}/s`);
  }
}
process.stderr.write('\n');
process.stdout.write(
  `${JSON.stringify({ protocol: protocol.name, scenarios: count, violations, invalidSignatures, decisionRate: decided / count, seconds: (performance.now() - start) / 1000 }, null, 2)}\n`,
);
process.exit(violations + invalidSignatures > 0 ? 1 : 0);
