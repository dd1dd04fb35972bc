// BLS12381.sol against the eth2 BLS suite (bls12-381-tests from @diva-dvt/test-vectors, v0.1.2: verify and
// hash_to_G2) and against @noble/curves 2.4.0 / @diva-dvt/bls-threshold, on a real Anvil (EIP-2537).
import { createBls, SecretKey } from '@diva-dvt/bls-threshold';
import { readVectorFiles } from '@diva-dvt/test-vectors';
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { bytesToHex, encodeFunctionData, type Hex, stringToHex, toBytes } from 'viem';
import { describe, expect, it } from 'vitest';
import { bLS12381HarnessAbi, bLS12381HarnessBytecode } from './generated/BLS12381Harness.ts';
import { deploy, useAnvil } from './helpers/anvil.ts';
import { bls12_381, ETH_DST, encodeG1, encodeG2, g2FromCompressed, hashToG2 } from './helpers/crypto-bls.ts';
import { revertError } from './helpers/crypto-errors.ts';
import { recordGas } from './helpers/crypto-gas.ts';

// The suite's folder below the vectors root (../shared/vectors, or DIVA_VECTORS_DIR).
function readVectors<T>(handler: string): { name: string; data: T }[] {
  return readVectorFiles<T>('bls12-381-tests', handler);
}

const P = bls12_381.fields.Fp.ORDER;

describe('BLS12381 over EIP-2537', () => {
  const chain = useAnvil({
    setup: async (client) => ({
      harness: await deploy(client, { abi: bLS12381HarnessAbi, bytecode: bLS12381HarnessBytecode }),
    }),
  });
  const read = <F extends string>(functionName: F, args: readonly unknown[]) =>
    chain.client().readContract({
      address: chain.context().harness,
      abi: bLS12381HarnessAbi,
      functionName,
      args,
    } as never) as Promise<unknown>;

  async function revertOf(functionName: string, args: readonly unknown[]) {
    try {
      await read(functionName, args);
    } catch (e) {
      return revertError(e);
    }
    return undefined;
  }

  it('hashes to G2 as RFC 9380 (the suite hash_to_G2 vectors, QUUX DST)', async () => {
    const vectors = readVectors<{ input: { msg: string }; output: { x: string; y: string } }>('hash_to_G2');
    expect(vectors).toHaveLength(4);
    for (const { name, data } of vectors) {
      const [x0, x1] = data.output.x.split(',').map((v) => BigInt(v)) as [bigint, bigint];
      const [y0, y1] = data.output.y.split(',').map((v) => BigInt(v)) as [bigint, bigint];
      const expected = `0x${[x0, x1, y0, y1].map((v) => v.toString(16).padStart(128, '0')).join('')}`;
      const got = await read('hashToG2', [
        stringToHex(data.input.msg),
        stringToHex('QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_'),
      ]);
      expect(got, name).toBe(expected);
    }
  });

  it('expands messages as noble expand_message_xmd (random messages, lengths and DSTs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 100 }),
        fc.uint8Array({ minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 300 }),
        async (msg, dst, len) => {
          const got = await read('expandMessageXmd', [bytesToHex(msg), bytesToHex(dst), BigInt(len)]);
          expect(got).toBe(bytesToHex(expand_message_xmd(msg, dst, len, sha256)));
        },
      ),
      { numRuns: 15 },
    );
  });

  it('refuses expansions beyond 255 blocks or DSTs beyond 255 bytes (XmdTooLong)', async () => {
    expect(await revertOf('expandMessageXmd', ['0x', '0x01', 8161n])).toEqual({
      name: 'XmdTooLong',
      args: [8161n, 1n],
    });
    expect(await revertOf('expandMessageXmd', ['0x', `0x${'02'.repeat(256)}`, 32n])).toEqual({
      name: 'XmdTooLong',
      args: [32n, 256n],
    });
    expect(await read('expandMessageXmd', ['0x', '0x01', 8160n])).toHaveLength(2 + 8160 * 2);
  });

  it('hashes signing roots to the same G2 point as noble with the Ethereum DST', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), async (root) => {
        expect(await read('hashToG2', [bytesToHex(root), stringToHex(ETH_DST)])).toBe(hashToG2(root));
      }),
      { numRuns: 8 },
    );
  });

  it('agrees with every verify vector of the suite', async () => {
    const vectors = readVectors<{ input: { pubkey: Hex; message: Hex; signature: Hex }; output: boolean }>(
      'verify',
    );
    expect(vectors).toHaveLength(29);
    let trueCount = 0;
    for (const { name, data } of vectors) {
      const { pubkey, message, signature } = data.input;
      let hint: Hex;
      try {
        hint = g2FromCompressed(signature);
      } catch {
        hint = `0x${'00'.repeat(256)}`; // noble cannot decode it either: any hint must be refused
      }
      let accepted: boolean;
      try {
        accepted = (await read('verify', [pubkey, message, signature, hint])) as boolean;
      } catch (e) {
        const err = revertError(e);
        expect(err?.name, `${name}: a revert must be a typed encoding error`).toMatch(
          /^InvalidG[12]Encoding$/,
        );
        accepted = false;
      }
      expect(accepted, name).toBe(data.output);
      if (data.output) trueCount++;
    }
    expect(trueCount).toBeGreaterThan(0);
  });

  it('verifies signatures of @diva-dvt/bls-threshold and rejects them for another message or key', async () => {
    const bls = createBls();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        async (seed, msg) => {
          const sk = SecretKey.random(() => seed.slice());
          const pk = sk.toPublicKey().bytes;
          const sig = bls.sign(sk, msg).bytes;
          const hint = g2FromCompressed(sig);
          expect(await read('verify', [bytesToHex(pk), bytesToHex(msg), bytesToHex(sig), hint])).toBe(true);
          const other = msg.slice();
          other[0] = (other[0] ?? 0) ^ 1;
          expect(await read('verify', [bytesToHex(pk), bytesToHex(other), bytesToHex(sig), hint])).toBe(
            false,
          );
          const otherPk = SecretKey.random(() => sha256(seed)).toPublicKey().bytes;
          expect(await read('verify', [bytesToHex(otherPk), bytesToHex(msg), bytesToHex(sig), hint])).toBe(
            false,
          );
        },
      ),
      { numRuns: 4 },
    );
  });

  it('decompresses G1 keys as noble does, for both signs of y', async () => {
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: 1n, max: bls12_381.fields.Fr.ORDER - 1n }), async (k) => {
        const point = bls12_381.G1.Point.BASE.multiply(k);
        for (const q of [point, point.negate()]) {
          expect(await read('decompressG1', [bytesToHex(q.toBytes(true))])).toBe(encodeG1(q));
        }
      }),
      { numRuns: 10 },
    );
  });

  it('refuses malformed G1 keys with InvalidG1Encoding and the reason', async () => {
    const good = bls12_381.G1.Point.BASE.multiply(7n).toBytes(true);
    const withX = (x: bigint, flags = 0x80) => {
      const b = toBytes(x, { size: 48 });
      b[0] = (b[0] ?? 0) | flags;
      return bytesToHex(b);
    };
    // an x with no point: x^3 + 4 not a square
    let xOff = 1n;
    while (true) {
      const rhs = bls12_381.fields.Fp.add(bls12_381.fields.Fp.pow(xOff, 3n), 4n);
      if (bls12_381.fields.Fp.pow(rhs, (P - 1n) / 2n) !== 1n) break;
      xOff++;
    }
    const cases: [Hex, number][] = [
      [bytesToHex(good.slice(0, 47)), 1],
      [bytesToHex(Uint8Array.from(good, (b, i) => (i === 0 ? b & 0x7f : b))), 2],
      [`0xc0${'00'.repeat(47)}`, 3],
      [withX(P), 4],
      [withX(xOff), 5],
    ];
    for (const [input, reason] of cases) {
      const err = await revertOf('decompressG1', [input]);
      expect(err?.name, input).toBe('InvalidG1Encoding');
      expect(err?.args[1]).toBe(reason);
    }
  });

  it('binds a G2 hint to its compressed signature and refuses others with InvalidG2Encoding', async () => {
    const q = bls12_381.G2.Point.BASE.multiply(12345n);
    const compressed = bytesToHex(q.toBytes(true));
    await read('checkG2Matches', [compressed, encodeG2(q)]);
    const mismatch = [encodeG2(q.negate()), encodeG2(q.double())];
    for (const hint of mismatch) {
      const err = await revertOf('checkG2Matches', [compressed, hint]);
      expect(err?.name).toBe('InvalidG2Encoding');
      expect(err?.args[1]).toBe(6);
    }
    const infinity = `0xc0${'00'.repeat(95)}` as Hex;
    expect((await revertOf('checkG2Matches', [infinity, encodeG2(q)]))?.args[1]).toBe(3);
    const uncompressedFlag =
      `0x${(Number.parseInt(compressed.slice(2, 4), 16) & 0x7f).toString(16).padStart(2, '0')}${compressed.slice(4)}` as Hex;
    expect((await revertOf('checkG2Matches', [uncompressedFlag, encodeG2(q)]))?.args[1]).toBe(2);
  });

  it('verifies within its gas budget (EIP-2537 prices: 2 maps to G2, 1 G2 add, a 2-pair pairing)', async () => {
    const bls = createBls();
    const sk = SecretKey.random(() => new Uint8Array(32).fill(5));
    const msg = new Uint8Array(32).fill(6);
    const sig = bls.sign(sk, msg).bytes;
    const gasOf = (functionName: string, args: readonly unknown[]) =>
      chain.client().estimateGas({
        to: chain.context().harness,
        data: encodeFunctionData({ abi: bLS12381HarnessAbi, functionName, args } as never),
      });
    const verify = await gasOf('verifyOrRevert', [
      bytesToHex(sk.toPublicKey().bytes),
      bytesToHex(msg),
      bytesToHex(sig),
      g2FromCompressed(sig),
    ]);
    const hash = await gasOf('hashToG2', [bytesToHex(msg), stringToHex(ETH_DST)]);
    const decompress = await gasOf('decompressG1', [bytesToHex(sk.toPublicKey().bytes)]);
    recordGas('BLS verify (decompress key, hash to G2, pairing; tx incl. 21k base)', verify);
    recordGas('hash to G2 (tx incl. 21k base)', hash);
    recordGas('G1 decompression (tx incl. 21k base)', decompress);
    // the precompiles alone cost 2 * 23800 + 600 + 32600 * 2 + 37700 = 151,100
    expect(verify).toBeGreaterThan(151_100n);
    expect(verify).toBeLessThan(260_000n);
    expect(decompress).toBeLessThan(60_000n);
  });

  it('rejects a public key on the curve but outside the G1 subgroup', async () => {
    const Fp = bls12_381.fields.Fp;
    let x = 5n;
    let point: ReturnType<typeof bls12_381.G1.Point.fromAffine> | undefined;
    while (point === undefined) {
      const rhs = Fp.add(Fp.pow(x, 3n), 4n);
      if (Fp.pow(rhs, (P - 1n) / 2n) === 1n) {
        const candidate = bls12_381.G1.Point.fromAffine({ x, y: Fp.sqrt(rhs) });
        if (!candidate.isTorsionFree()) point = candidate;
      }
      x++;
    }
    const a = point.toAffine();
    const bytes = toBytes(a.x, { size: 48 });
    bytes[0] = (bytes[0] ?? 0) | 0x80 | (a.y > (P - 1n) / 2n ? 0x20 : 0);
    const msg = new Uint8Array(32).fill(3);
    // any signature: the pairing precompile refuses the key before comparing
    const sig = createBls().sign(
      SecretKey.random(() => new Uint8Array(32).fill(9)),
      msg,
    ).bytes;
    expect(await read('decompressG1', [bytesToHex(bytes)])).toBe(encodeG1(point));
    expect(
      await read('verify', [bytesToHex(bytes), bytesToHex(msg), bytesToHex(sig), g2FromCompressed(sig)]),
    ).toBe(false);
  });
});
