// Anvil started by the tests: one per test file (port 0, Prague), snapshot before each test and revert
// after it, killed after the file's tests. The process and client helpers live in anvil-process.ts.
import type { Hex } from 'viem';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type Anvil, type AnvilClient, type AnvilOptions, startAnvil } from './anvil-process.ts';

export * from './anvil-process.ts';

/**
 * Starts one Anvil for the current test file and reverts the chain after each test.
 * `setup` runs once after start (deploy contracts etc.); its chain state is what every test sees.
 * Use the returned getters inside tests and hooks, never at module level.
 */
export function useAnvil<T = undefined>(
  options: AnvilOptions & { setup?: (client: AnvilClient, anvil: Anvil) => Promise<T> } = {},
): { anvil(): Anvil; client(): AnvilClient; context(): T } {
  let anvil: Anvil | undefined;
  let context: T | undefined;
  let snapshotId: Hex | undefined;
  beforeAll(async () => {
    anvil = await startAnvil(options);
    if (options.setup) context = await options.setup(anvil.client, anvil);
  });
  afterAll(async () => {
    await anvil?.stop();
  });
  beforeEach(async () => {
    snapshotId = await anvil!.client.snapshot();
  });
  afterEach(async () => {
    // evm_revert consumes the snapshot; beforeEach takes a fresh one.
    if (snapshotId !== undefined) await anvil!.client.revert({ id: snapshotId });
    snapshotId = undefined;
  });
  return {
    anvil: () => anvil!,
    client: () => anvil!.client,
    context: () => context as T,
  };
}
