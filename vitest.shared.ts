// Test settings every package shares. Each package run writes a JSON report to
// .test-results/report.json, which .ci/run adds up into one "N passed, N failed" line.
import type { ViteUserConfig } from 'vitest/config';

type TestConfig = NonNullable<ViteUserConfig['test']>;

export function packageTestConfig(overrides: TestConfig = {}): TestConfig {
  return {
    include: ['test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: '.test-results/report.json' }]],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    ...overrides,
  };
}
