// Runs one 16-member ceremony in process (for --cpu-prof). Not part of the benchmark output.

import { createNodeSecp256k1Verifier, nodeX25519 } from '../src/node.ts';
import { createOperators, freshConfig, runCeremony } from '../test/helpers/network.ts';

const k = Number(process.argv[2] ?? 1);
const operators = createOperators(16, 'profile');
const start = performance.now();
const run = runCeremony(freshConfig(operators, 11, k, `profile-${k}`), operators, {
  keyAgreement: nodeX25519,
  verifier: createNodeSecp256k1Verifier,
});
process.stderr.write(
  `k=${k}: ${(performance.now() - start).toFixed(0)} ms for 16 members, finished ${run.members.filter((m) => m.phase() === 'done').length}\n`,
);
