// The public surface, frozen: a change to what the package exports is a visible diff here.
import { describe, expect, it } from 'vitest';

describe('exports', () => {
  it('@diva-dvt/devnet exports exactly these names', async () => {
    expect(Object.keys(await import('../src/index.ts')).sort()).toMatchInlineSnapshot(`
      [
        "DevnetError",
        "GENESIS_FORK_VERSIONS",
        "allocatePort",
        "allocatePortRange",
        "buildGenesisState",
        "defaultAnvilBinary",
        "defaultLodestarBinary",
        "exportBlocks",
        "importBlocks",
        "interopSecretKey",
        "isDevnetError",
        "isPortFree",
        "readChainDeposits",
        "startAnvil",
        "startLodestar",
        "stopAllLodestarNodes",
        "withLodestar",
      ]
    `);
  });
});
