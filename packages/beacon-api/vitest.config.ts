// Two projects, one per SSZ preset: the preset is fixed when @lodestar/params first loads, so
// each project's worker processes get LODESTAR_PRESET before any test file imports the package.
// `*.minimal.test.ts` files run under the minimal preset, all others under mainnet.
import { defineConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.ts';

const shared = packageTestConfig();

export default defineConfig({
  test: {
    ...shared,
    projects: [
      {
        test: {
          name: 'mainnet',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.minimal.test.ts'],
          env: { LODESTAR_PRESET: 'mainnet' },
          pool: 'forks',
          testTimeout: shared.testTimeout ?? 120_000,
          hookTimeout: shared.hookTimeout ?? 120_000,
        },
      },
      {
        test: {
          name: 'minimal',
          include: ['test/**/*.minimal.test.ts'],
          env: { LODESTAR_PRESET: 'minimal' },
          pool: 'forks',
          testTimeout: shared.testTimeout ?? 120_000,
          hookTimeout: shared.hookTimeout ?? 120_000,
        },
      },
    ],
  },
});
