// The public surface, frozen: a change to what the package exports is a visible diff here.
import { describe, expect, it } from 'vitest';

describe('exports', () => {
  it('@diva-dvt/operator exports exactly these names', async () => {
    expect(Object.keys(await import('../src/index.ts')).sort()).toMatchInlineSnapshot(`
      [
        "CLUSTER_FILE_VERSION",
        "CommitteeSigner",
        "DATA_DIR_LOCK_FILE",
        "IDENTITY_KEYSTORE_FILE",
        "OperatorError",
        "OperatorNode",
        "SlashingProtection",
        "ValidatorClient",
        "aggregateValue",
        "attestationDataValue",
        "blockValue",
        "committeeSnapshotOf",
        "contributionValue",
        "createAttestationGuard",
        "createBlockGuard",
        "createClusterFileSource",
        "createDevCluster",
        "createInstanceGuard",
        "createLocalThresholdSigner",
        "createSlashingProtection",
        "createSlotTimes",
        "createSqliteProposalStore",
        "createSystemClock",
        "dutyInstanceId",
        "dutyReason",
        "formatClusterFile",
        "generateIdentity",
        "identityFromSecretKey",
        "isAttestationAggregator",
        "isOperatorError",
        "isSyncCommitteeAggregator",
        "loadIdentity",
        "loadKeyShares",
        "loadRuntimeBls",
        "lockDataDir",
        "operatorAddressOf",
        "parseClusterFile",
        "parseValidatorSpec",
        "readClusterFile",
        "readPasswordFile",
        "shareKeystoreFileName",
        "silentLogger",
        "syncHeadRootValue",
        "syncSubcommitteesOf",
        "writeClusterFile",
        "writeIdentityKeystore",
        "writeShareKeystore",
      ]
    `);
  });
});
