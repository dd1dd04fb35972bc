import { defineProject } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.ts';

// @lodestar/params fixes its preset when first loaded: the tests talk to minimal-preset nodes.
// Test files run one at a time: the end-to-end test starts Lodestar and 20 node processes, and
// anything beside it on a 2-core machine makes slot timing flaky.
export default defineProject({
  test: packageTestConfig({ env: { LODESTAR_PRESET: 'minimal' }, fileParallelism: false }),
});
