// Real files for the key-tooling tests: a temp root removed after the file's tests, operators with
// fresh secp256k1 identities, password files, and validator keystores made with
// @chainsafe/bls-keystore at a low KDF cost (scrypt n=16 or PBKDF2 c=2: test keys only).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, type IKeystore } from '@chainsafe/bls-keystore';
import type { SecretKey } from '@diva-dvt/bls-threshold';
import { generateIdentity, type OperatorIdentity, type PeerInfo } from '../../src/index.ts';

export function tempRoot(prefix: string): {
  root: string;
  dir: (name: string) => string;
  cleanup: () => void;
} {
  const root = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  return {
    root,
    dir: (name) => {
      const d = join(root, `${name}-${n++}`);
      mkdirSync(d, { recursive: true });
      return d;
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface TestOperator {
  readonly identity: OperatorIdentity;
  readonly peer: PeerInfo;
}

export function makeOperators(count: number, basePort = 9000): TestOperator[] {
  return Array.from({ length: count }, (_, i) => {
    const identity = generateIdentity();
    return {
      identity,
      peer: {
        address: identity.address,
        publicKey: identity.publicKey,
        multiaddrs: [`/ip4/127.0.0.1/tcp/${basePort + i}`],
      },
    };
  });
}

/** The JSON of an operators file listing `operators`. */
export function operatorsJson(operators: readonly PeerInfo[]): string {
  return JSON.stringify({
    operators: operators.map((o) => ({
      address: o.address,
      p2pPublicKey: `0x${Buffer.from(o.publicKey).toString('hex')}`,
      multiaddrs: o.multiaddrs,
    })),
  });
}

export function writePassword(dir: string, name: string, password: string): string {
  const file = join(dir, name);
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return file;
}

export type TestKdf = 'scrypt' | 'pbkdf2';

/** An EIP-2335 keystore of `secretKey` (low KDF cost) written to `file`. */
export async function writeValidatorKeystore(
  file: string,
  secretKey: SecretKey,
  password: string,
  kdf: TestKdf = 'pbkdf2',
): Promise<IKeystore> {
  const salt = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex');
  const module =
    kdf === 'scrypt'
      ? { function: 'scrypt', params: { dklen: 32, n: 16, r: 8, p: 1, salt } }
      : { function: 'pbkdf2', params: { dklen: 32, c: 2, prf: 'hmac-sha256', salt } };
  const keystore = await create(
    password,
    secretKey.toBytes(),
    secretKey.toPublicKey().bytes,
    'm/12381/3600/0/0/0',
    'test validator',
    module as Parameters<typeof create>[5],
  );
  writeFileSync(file, JSON.stringify(keystore));
  return keystore;
}
