// The public surface, frozen: a change to what the package exports is a visible diff here.
import { describe, expect, it } from 'vitest';

describe('exports', () => {
  it('@diva-dvt/operator exports exactly these names', async () => {
    expect(Object.keys(await import('../src/index.ts')).sort()).toMatchInlineSnapshot(`
      [
        "CLUSTER_FILE_VERSION",
        "DATA_DIR_LOCK_FILE",
        "IDENTITY_KEYSTORE_FILE",
        "OperatorError",
        "SlashingProtection",
        "ValidatorClient",
        "committeeSnapshotOf",
        "createClusterFileSource",
        "createDevCluster",
        "createLocalThresholdSigner",
        "createSlashingProtection",
        "createSlotTimes",
        "createSystemClock",
        "formatClusterFile",
        "generateIdentity",
        "identityFromSecretKey",
        "isAttestationAggregator",
        "isOperatorError",
        "isSyncCommitteeAggregator",
        "loadIdentity",
        "loadKeyShares",
        "lockDataDir",
        "operatorAddressOf",
        "parseClusterFile",
        "parseValidatorSpec",
        "readClusterFile",
        "readPasswordFile",
        "shareKeystoreFileName",
        "silentLogger",
        "syncSubcommitteesOf",
        "writeClusterFile",
        "writeIdentityKeystore",
        "writeShareKeystore",
      ]
    `);
  });
});
