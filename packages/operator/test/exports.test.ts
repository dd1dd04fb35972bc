// The public surface, frozen: a change to what the package exports is a visible diff here.
import { describe, expect, it } from 'vitest';

describe('exports', () => {
  it('@diva-dvt/operator exports exactly these names', async () => {
    expect(Object.keys(await import('../src/index.ts')).sort()).toMatchInlineSnapshot(`
      [
        "OPERATOR_PROTOCOL",
        "OperatorError",
        "PENALTY_POINTS",
        "SlashingProtection",
        "ValidatorClient",
        "createLocalThresholdSigner",
        "createP2pNetwork",
        "createSlashingProtection",
        "createSlotTimes",
        "createSystemClock",
        "isAttestationAggregator",
        "isOperatorError",
        "isSyncCommitteeAggregator",
        "operatorAddressOf",
        "parseValidatorSpec",
        "publicKeyOf",
        "silentLogger",
        "syncSubcommitteesOf",
      ]
    `);
  });
});
