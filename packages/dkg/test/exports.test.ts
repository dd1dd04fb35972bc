// Each entry point's export list, frozen: a change here is a change of the public API.
import { describe, expect, it } from 'vitest';

describe('entry points', () => {
  it('@diva-dvt/dkg exports exactly these names', async () => {
    expect(Object.keys(await import('../src/index.ts')).sort()).toMatchInlineSnapshot(`
      [
        "DkgError",
        "MAX_MEMBERS",
        "MAX_MESSAGE_BYTES",
        "MAX_THRESHOLD",
        "MAX_VALIDATORS",
        "addressToHex",
        "checkConfig",
        "createDkgMember",
        "createEncryptionKeyPair",
        "createSecp256k1Signer",
        "createSecp256k1Verifier",
        "encryptionPublicKey",
        "importWithTrustedDealer",
        "isDkgError",
        "nobleX25519",
        "secp256k1Verifier",
        "transcriptHash",
      ]
    `);
  });

  it('@diva-dvt/dkg/node exports exactly these names', async () => {
    expect(Object.keys(await import('../src/node.ts')).sort()).toMatchInlineSnapshot(`
      [
        "createNodeSecp256k1Verifier",
        "nodeX25519",
      ]
    `);
  });

  it('@diva-dvt/dkg/wire exports exactly these names', async () => {
    expect(Object.keys(await import('../src/wire.ts')).sort()).toMatchInlineSnapshot(`
      [
        "ComplaintReason",
        "ComplaintsBodyType",
        "DealingBodyType",
        "EnvelopeType",
        "ForwardBodyType",
        "JustificationBodyType",
        "MAX_BODY_BYTES",
        "MESSAGE_VERSION",
        "MessageKind",
        "TranscriptBodyType",
        "decodeBody",
        "decodeEnvelope",
        "decodeG1Uncompressed",
        "decryptShare",
        "encodeG1Uncompressed",
        "encryptShare",
        "envelopeSigningDigest",
        "messageDigest",
        "proofContext",
        "proveKnowledge",
        "signEnvelope",
        "verifyKnowledge",
      ]
    `);
  });
});
