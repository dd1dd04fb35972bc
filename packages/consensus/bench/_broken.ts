import { rotationalProtocol } from '../src/index.ts';
import { simulateInstance } from '../src/sim/index.ts';
import { randomScenario } from '../test/helpers/scenarios.ts';

for (const guard of ['durable', 'broken'] as const) {
  let violations = 0;
  let decided = 0;
  const s = performance.now();
  for (let i = 0; i < 300; i++) {
    const r = simulateInstance(randomScenario(rotationalProtocol, i, guard), i);
    if (!r.agreement) violations++;
    if (r.firstDecisionMs !== undefined) decided++;
  }
  console.log(guard, 'violations', violations, 'decided', decided, (performance.now() - s).toFixed(0), 'ms');
}
