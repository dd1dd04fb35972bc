// createThresholdScheme: one member's consensus PartialScheme over threshold BLS, on both backends.
import { describe, expect, it } from 'vitest';
import {
  type CreateThresholdSchemeParameters,
  createSeededRandom,
  createThresholdScheme,
  isBlsError,
  SecretKey,
  type Signature,
  splitSecretKey,
  type ThresholdScheme,
} from '../src/index.ts';
import { backends } from './helpers/backends.ts';

const n = 16;
const t = 11;
const groupSecretKey = SecretKey.random(createSeededRandom('scheme-key'));
const split = splitSecretKey(groupSecretKey, {
  threshold: t,
  shareCount: n,
  random: createSeededRandom('scheme-split'),
});
const publicShares = split.publicShares.map((p) => p.publicKey);
const parametersOf = (member: number): CreateThresholdSchemeParameters => ({
  shareIndex: member,
  secretShare: split.shares[member - 1]!.secretKey,
  publicShares,
  groupPublicKey: split.groupPublicKey,
  threshold: t,
});
const root = new Uint8Array(32).fill(7);
const otherRoot = new Uint8Array(32).fill(8);

function codeOf(f: () => unknown): string {
  try {
    f();
    return 'no error';
  } catch (err) {
    if (!isBlsError(err)) throw err;
    return err.code;
  }
}

describe.each(backends)('createThresholdScheme (%s)', (_name, bls) => {
  const schemes: ThresholdScheme[] = Array.from({ length: n }, (_, i) =>
    createThresholdScheme(bls, parametersOf(i + 1)),
  );
  // Members 3..13 sign (11 of 16, not the first 11).
  const signers = Array.from({ length: t }, (_, i) => i + 3);
  const partials = signers.map((member) => ({ member, partial: schemes[member - 1]!.signPartial(root) }));

  it('signs with 11 of 16 members, combines, and the result verifies against the group key', () => {
    const verifier = schemes[0]!;
    for (const { member, partial } of partials)
      expect(verifier.verifyPartial(member, root, partial)).toBe(true);
    const signature = verifier.combine(root, partials);
    expect(verifier.verifyCombined(root, signature)).toBe(true);
    expect(bls.verify(split.groupPublicKey, root, signature)).toBe(true);
    expect(verifier.verifyCombined(otherRoot, signature)).toBe(false);
    // Any member combines to the same signature: the group key's own (deterministic) BLS signature.
    expect(schemes[15]!.combine(root, partials.slice().reverse()).equals(signature)).toBe(true);
    expect(signature.equals(bls.sign(groupSecretKey, root))).toBe(true);
  });

  it('rejects a partial of another member, another root, or an out-of-range member', () => {
    const verifier = schemes[0]!;
    const { member, partial } = partials[0]!;
    expect(verifier.verifyPartial(member + 1, root, partial)).toBe(false);
    expect(verifier.verifyPartial(member, otherRoot, partial)).toBe(false);
    for (const bad of [0, -1, n + 1, 1.5, Number.NaN])
      expect(verifier.verifyPartial(bad, root, partial)).toBe(false);
  });

  it('a wrong partial makes the combination fail verification', () => {
    const verifier = schemes[0]!;
    const wrong: { member: number; partial: Signature }[] = partials.map((p, i) =>
      i === 4 ? { member: p.member, partial: schemes[p.member - 1]!.signPartial(otherRoot) } : p,
    );
    expect(verifier.verifyPartial(wrong[4]!.member, root, wrong[4]!.partial)).toBe(false);
    expect(verifier.verifyCombined(root, verifier.combine(root, wrong))).toBe(false);
  });

  it('combine throws BlsError for fewer than t partials or a member out of range', () => {
    const verifier = schemes[0]!;
    expect(codeOf(() => verifier.combine(root, partials.slice(0, t - 1)))).toBe('NOT_ENOUGH_PARTIALS');
    const outOfRange = partials.map((p, i) => (i === 0 ? { member: n + 1, partial: p.partial } : p));
    expect(codeOf(() => verifier.combine(root, outOfRange))).toBe('INVALID_SHARE_INDEX');
  });

  it('encodes to 96 compressed bytes and decodes them back', () => {
    const verifier = schemes[0]!;
    const { partial } = partials[0]!;
    const bytes = verifier.encodePartial(partial);
    expect(bytes).toHaveLength(96);
    expect(verifier.decodePartial(bytes).equals(partial)).toBe(true);
    const signature = verifier.combine(root, partials);
    expect(verifier.decodeSignature(verifier.encodeSignature(signature)).equals(signature)).toBe(true);
  });

  it('decode rejects malformed bytes with BlsError', () => {
    const verifier = schemes[0]!;
    const good = verifier.encodePartial(partials[0]!.partial);
    const noFlag = Uint8Array.from(good);
    noFlag[0]! &= 0x7f;
    const infinity = new Uint8Array(96);
    infinity[0] = 0xc0;
    for (const decode of [verifier.decodePartial, verifier.decodeSignature]) {
      expect(codeOf(() => decode(good.subarray(0, 95)))).toBe('INVALID_LENGTH');
      expect(codeOf(() => decode(noFlag))).toBe('INVALID_ENCODING');
      expect(codeOf(() => decode(infinity))).toBe('IDENTITY_POINT');
      expect(codeOf(() => decode(new Uint8Array(96).fill(0xff)))).not.toBe('no error');
    }
  });
});

describe('createThresholdScheme parameters', () => {
  const bls = backends[1]![1];

  it('rejects a share index outside 1..n', () => {
    for (const shareIndex of [0, n + 1, 2.5]) {
      expect(codeOf(() => createThresholdScheme(bls, { ...parametersOf(1), shareIndex }))).toBe(
        'INVALID_SHARE_INDEX',
      );
    }
  });

  it('rejects a threshold outside 1..n', () => {
    expect(codeOf(() => createThresholdScheme(bls, { ...parametersOf(1), threshold: n + 1 }))).toBe(
      'INVALID_THRESHOLD',
    );
    expect(codeOf(() => createThresholdScheme(bls, { ...parametersOf(1), threshold: 0 }))).toBe(
      'INVALID_THRESHOLD',
    );
  });

  it('rejects a secret share that does not match its public share', () => {
    const parameters = { ...parametersOf(1), secretShare: split.shares[1]!.secretKey };
    expect(codeOf(() => createThresholdScheme(bls, parameters))).toBe('PUBLIC_SHARE_MISMATCH');
  });

  it('rejects public shares that do not belong to the group key', () => {
    const parameters = { ...parametersOf(1), groupPublicKey: publicShares[0]! };
    expect(codeOf(() => createThresholdScheme(bls, parameters))).toBe('GROUP_KEY_MISMATCH');
  });
});
