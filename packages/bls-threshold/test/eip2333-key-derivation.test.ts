// EIP-2333 known answers (../shared/vectors/eip2333/cases.json) and EIP-2334 paths.
import { describe, expect, it } from 'vitest';
import { parentToCompressedLamportPublicKey } from '../src/eip2333.ts';
import {
  BlsError,
  deriveChildSecretKey,
  deriveMasterSecretKey,
  deriveSecretKeyFromPath,
  parseDerivationPath,
  SecretKey,
  signingKeyPath,
  withdrawalKeyPath,
} from '../src/index.ts';
import { hex, readVectorJson, toHex } from './helpers/vectors.ts';

interface Case {
  name: string;
  seed: string;
  master_SK: string;
  master_SK_hex: string;
  child_index: number;
  child_SK: string;
  child_SK_hex: string;
  intermediate?: { compressed_lamport_PK: string };
}

const { cases } = readVectorJson<{ cases: Case[] }>('eip2333', 'cases.json');

describe('EIP-2333 test cases', () => {
  it('has the four cases of the EIP', () => {
    expect(cases).toHaveLength(4);
  });

  for (const c of cases) {
    it(`${c.name}: derives master_SK and child_SK`, () => {
      const master = deriveMasterSecretKey(hex(c.seed));
      expect(master.toScalar()).toBe(BigInt(c.master_SK));
      expect(toHex(master.toBytes())).toBe(c.master_SK_hex);
      const child = deriveChildSecretKey(master, c.child_index);
      expect(child.toScalar()).toBe(BigInt(c.child_SK));
      expect(toHex(child.toBytes())).toBe(c.child_SK_hex);
    });
  }

  it('matches the intermediate compressed Lamport public key of case 0', () => {
    const c = cases.find((x) => x.intermediate)!;
    const master = deriveMasterSecretKey(hex(c.seed));
    expect(toHex(parentToCompressedLamportPublicKey(master, c.child_index))).toBe(
      c.intermediate!.compressed_lamport_PK,
    );
  });
});

describe('EIP-2334 paths', () => {
  it('builds signing and withdrawal paths', () => {
    expect(signingKeyPath(7)).toBe('m/12381/3600/7/0/0');
    expect(withdrawalKeyPath(7)).toBe('m/12381/3600/7/0');
    expect(parseDerivationPath('m/12381/3600/7/0/0')).toEqual([12381, 3600, 7, 0, 0]);
  });

  it('derives along a path exactly as repeated child derivation does', () => {
    const seed = hex(cases[1]!.seed);
    let expected = deriveMasterSecretKey(seed);
    for (const i of [12381, 3600, 0, 0, 0]) expected = deriveChildSecretKey(expected, i);
    expect(deriveSecretKeyFromPath(seed, 'm/12381/3600/0/0/0').equals(expected)).toBe(true);
    expect(deriveSecretKeyFromPath(seed, 'm').equals(deriveMasterSecretKey(seed))).toBe(true);
  });

  it.each([
    ['12381/3600', 'must start with "m"'],
    ['m/12381/-1', 'is not a decimal index'],
    ['m/01', 'is not a decimal index'],
    ['m/4294967296', 'index must be an integer'],
    ['m//1', 'is not a decimal index'],
  ])('rejects the path %s', (path, reason) => {
    expect(() => parseDerivationPath(path)).toThrow(reason);
    try {
      parseDerivationPath(path);
    } catch (err) {
      expect(err).toBeInstanceOf(BlsError);
      expect((err as BlsError).code).toBe('INVALID_PATH');
    }
  });

  it('rejects a seed shorter than 32 bytes', () => {
    expect(() => deriveMasterSecretKey(new Uint8Array(31))).toThrow(BlsError);
    try {
      deriveMasterSecretKey(new Uint8Array(31));
    } catch (err) {
      expect((err as BlsError).code).toBe('INVALID_SEED');
    }
  });

  it('rejects child indices outside 0..2^32-1', () => {
    const master = SecretKey.fromScalar(5n);
    expect(() => deriveChildSecretKey(master, 2 ** 32)).toThrow(/INVALID_PATH/);
    expect(() => deriveChildSecretKey(master, -1)).toThrow(/INVALID_PATH/);
    expect(() => deriveChildSecretKey(master, 1.5)).toThrow(/INVALID_PATH/);
  });
});
