// The in-process threshold signer: t holders sign partials, a different subset each time, combined
// robustly; a bad share is named, an unknown validator refused.
import { createSeededRandom, SecretKey, splitSecretKey } from '@diva-dvt/bls-threshold';
import { describe, expect, it } from 'vitest';
import { createLocalThresholdSigner, isOperatorError, type SigningDuty } from '../src/index.ts';
import { VALIDATOR } from './helpers/beacon-node.ts';
import { bls, groupPublicKey, localSigner, split, verifiesWithGroupKey } from './helpers/harness.ts';

const duty = (validatorIndex = VALIDATOR): SigningDuty => ({
  type: 'attestation',
  validatorIndex,
  slot: 9,
  deadlineMs: 0,
});
const root = (i: number) => new Uint8Array(32).fill(i);

describe('createLocalThresholdSigner', () => {
  it('returns the group signature, with t partials from a rotating subset of holders', async () => {
    const signer = localSigner();
    for (let i = 0; i < 4; i++) {
      expect(verifiesWithGroupKey(root(i), await signer.sign(root(i), duty()))).toBe(true);
    }
    expect(signer.combinedCount).toBe(4);
    // 4 signatures × 3 partials over 4 holders, starting one further each time: 3 each
    expect([...signer.partialsByShareIndex.entries()].sort()).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
      [4, 3],
    ]);
  });

  it('names the holder whose share does not match its public share', async () => {
    const other = splitSecretKey(SecretKey.fromBytes(new Uint8Array(32).fill(0x23)), {
      threshold: 3,
      shareCount: 4,
      random: createSeededRandom('another dealer'),
    });
    const shares = [split.shares[0]!, other.shares[1]!, split.shares[2]!, split.shares[3]!];
    const signer = createLocalThresholdSigner({
      bls,
      validators: [
        {
          validatorIndex: VALIDATOR,
          shares,
          publicShares: split.publicShares.map((s) => s.publicKey),
          groupPublicKey,
          threshold: 3,
        },
      ],
    });
    const error = await signer.sign(root(1), duty()).catch((e: unknown) => e);
    expect(isOperatorError(error, 'COMBINE_FAILED') && error.details).toEqual({
      code: 'COMBINE_FAILED',
      validatorIndex: VALIDATOR,
      duty: 'attestation',
      invalidShareIndices: [2],
      validCount: 2,
      threshold: 3,
    });
    expect(signer.combinedCount).toBe(0);
  });

  it('refuses a validator it holds no shares of, and bad parameters', async () => {
    const error = await localSigner()
      .sign(root(1), duty(6))
      .catch((e: unknown) => e);
    expect(isOperatorError(error, 'UNKNOWN_VALIDATOR') && error.details.validatorIndex).toBe(6);
    const v = {
      validatorIndex: 1,
      shares: split.shares,
      publicShares: split.publicShares.map((s) => s.publicKey),
      groupPublicKey,
      threshold: 5,
    };
    expect(() => createLocalThresholdSigner({ bls, validators: [v] })).toThrow(/validators\[0\]\.threshold/);
    expect(() =>
      createLocalThresholdSigner({
        bls,
        validators: [
          { ...v, threshold: 3 },
          { ...v, threshold: 3 },
        ],
      }),
    ).toThrow(/listed twice/);
  });
});
