import { defineProject } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.ts';

export default defineProject({
  test: packageTestConfig({ env: { LODESTAR_PRESET: 'minimal' } }),
});
