import { defineProject } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.ts';

// Each test file starts its own Anvil (port 0), so files may run in parallel.
export default defineProject({ test: packageTestConfig() });
