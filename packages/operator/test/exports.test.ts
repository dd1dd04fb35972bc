// The public surface, frozen: a change to what the package exports is a visible diff here.
import { describe, expect, it } from 'vitest';

describe('exports', () => {
  it('@diva-dvt/operator exports exactly these names', async () => {
    expect(Object.keys(await import('../src/index.ts')).sort()).toMatchInlineSnapshot(`
      [
        "CommitteeSigner",
        "OperatorError",
        "OperatorNode",
        "SlashingProtection",
        "ValidatorClient",
        "aggregateValue",
        "attestationDataValue",
        "blockValue",
        "contributionValue",
        "createAttestationGuard",
        "createBlockGuard",
        "createInstanceGuard",
        "createLocalThresholdSigner",
        "createSlashingProtection",
        "createSlotTimes",
        "createSqliteProposalStore",
        "createSystemClock",
        "dutyInstanceId",
        "dutyReason",
        "electraAggregateValue",
        "electraAttestationDataValue",
        "isAttestationAggregator",
        "isOperatorError",
        "isSyncCommitteeAggregator",
        "loadRuntimeBls",
        "parseValidatorSpec",
        "silentLogger",
        "syncHeadRootValue",
        "syncSubcommitteesOf",
      ]
    `);
  });
});
