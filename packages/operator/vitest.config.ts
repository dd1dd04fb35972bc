import { defineProject } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.ts';

// @lodestar/params (of @diva-dvt/beacon-api's @lodestar/types) fixes its SSZ preset when first
// loaded: the unit tests' beacon node answers with a minimal-preset spec.
export default defineProject({
  test: packageTestConfig({ env: { LODESTAR_PRESET: 'minimal' } }),
});
