import { defineProject } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.ts';

// @lodestar/params (of @diva-dvt/beacon-api's @lodestar/types) fixes its preset when first loaded:
// the tests talk to minimal-preset nodes. Test files run one at a time: each starts Lodestar nodes,
// and two CPU-heavy nodes at once on a 2-core machine would make slot timing flaky.
export default defineProject({
  test: packageTestConfig({ env: { LODESTAR_PRESET: 'minimal' }, fileParallelism: false }),
});
