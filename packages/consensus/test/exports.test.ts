// The export list of each entry point, frozen: adding, renaming or removing a public name is a
// deliberate change of this file.
import { describe, expect, it } from 'vitest';

describe('entry points', () => {
  it('@diva-dvt/consensus exports exactly these names', async () => {
    expect(Object.keys(await import('../src/index.ts')).sort()).toMatchInlineSnapshot(`
      [
        "ConsensusError",
        "DEFAULT_MAX_MESSAGE_BYTES",
        "QBFT_PROTOCOL",
        "QbftKind",
        "ROTATIONAL_PROTOCOL",
        "RotationalKind",
        "WIRE_VERSION",
        "createMessageAllocator",
        "createProtocolSelector",
        "createQbftInstance",
        "createRotationalInstance",
        "decodeWire",
        "isConsensusError",
        "leaderOf",
        "leaderOrder",
        "persistProposals",
        "qbftProtocol",
        "rotationalProtocol",
        "verifyEvidence",
      ]
    `);
  });

  it('@diva-dvt/consensus/sim exports exactly these names', async () => {
    expect(Object.keys(await import('../src/sim/index.ts')).sort()).toMatchInlineSnapshot(`
      [
        "BYZANTINE_STRATEGIES",
        "EventQueue",
        "SIM_SIGNATURE_BYTES",
        "SimPartial",
        "attachSignature",
        "brokenGuard",
        "createMemoryGuard",
        "createMemoryProposalStore",
        "createRng",
        "createSimAuth",
        "createSimScheme",
        "encodeUnsigned",
        "simValueType",
        "simulateInstance",
      ]
    `);
  });
});
