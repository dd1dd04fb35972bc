// Interop validator keys (the "mocked start" keys of the consensus specs, which `lodestar dev` and
// every client's interop mode use): sk_i = int.from_bytes(sha256(i as 32 bytes little-endian),
// 'little') mod r. Test keys only: anyone can compute them.
import { createHash } from 'node:crypto';
import { DevnetError } from './errors.ts';

/** Order r of the BLS12-381 groups. */
const CURVE_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

/** The interop secret key of validator `index`, as 32 bytes big-endian (the BLS encoding). */
export function interopSecretKey(index: number): Uint8Array {
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** 53) {
    throw new DevnetError({
      code: 'INVALID_OPTION',
      option: 'index',
      reason: `interop index must be a non-negative integer, got ${index}`,
    });
  }
  const le = Buffer.alloc(32);
  le.writeUIntLE(index, 0, 6);
  const digest = createHash('sha256').update(le).digest();
  let scalar = 0n;
  for (let i = digest.length - 1; i >= 0; i--) scalar = (scalar << 8n) | BigInt(digest[i]!);
  scalar %= CURVE_ORDER;
  return Uint8Array.from(Buffer.from(scalar.toString(16).padStart(64, '0'), 'hex'));
}
