// Each entry point's export list, frozen: a change here is a change of the public API.
import { describe, expect, it } from 'vitest';

describe('entry points', () => {
  it('@diva-dvt/bls-threshold exports exactly these names', async () => {
    expect(Object.keys(await import('../src/index.ts')).sort()).toMatchInlineSnapshot(`
      [
        "BlsError",
        "CURVE_ORDER",
        "DST_PROOF_OF_POSSESSION",
        "DST_SIGNATURE",
        "PUBLIC_KEY_LENGTH",
        "PublicKey",
        "SECRET_KEY_LENGTH",
        "SIGNATURE_LENGTH",
        "SecretKey",
        "Signature",
        "combinePartialSignatures",
        "combinePublicShares",
        "createBls",
        "createBlstBackend",
        "createNobleBackend",
        "createSeededRandom",
        "createThresholdScheme",
        "defaultRandom",
        "deriveChildSecretKey",
        "deriveMasterSecretKey",
        "deriveSecretKeyFromPath",
        "evaluateCommitments",
        "evaluatePolynomial",
        "g1ToEip2537",
        "g2ToEip2537",
        "isBlsError",
        "lagrangeCoefficientsAtZero",
        "lagrangeIntegerForm",
        "parseDerivationPath",
        "provePossession",
        "publicShareOf",
        "recoverSecretKey",
        "robustCombine",
        "signingKeyPath",
        "splitSecretKey",
        "verifyPossession",
        "withdrawalKeyPath",
      ]
    `);
  });

  it('@diva-dvt/bls-threshold/math exports exactly these names', async () => {
    expect(Object.keys(await import('../src/math.ts')).sort()).toMatchInlineSnapshot(`
      [
        "G1",
        "commitPolynomial",
        "createPolynomial",
        "hashToG2WithDst",
        "msmG1",
        "multiplyG1Generator",
        "randomBatchScalars",
        "reduceScalar",
      ]
    `);
  });
});
