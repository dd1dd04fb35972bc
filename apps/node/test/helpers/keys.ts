// The files the key tools (`keys split|import|list|delete`, `slashing-protection`) read, for their
// CLI tests: the operators file, a validator keystore, and a node configuration.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import type { SecretKey } from '@diva-dvt/bls-threshold';
import { type OperatorIdentity, writeShareKeystore } from '@diva-dvt/operator';
import { hex } from './cli.ts';

/** `operators.json` for `keys split`: operator i at /ip4/127.0.0.1/tcp/(9100 + i) (nothing listens). */
export function writeOperatorsFile(
  at: (...parts: string[]) => string,
  operators: readonly OperatorIdentity[],
): string {
  const file = at('operators.json');
  writeFileSync(
    file,
    JSON.stringify({
      operators: operators.map((o, i) => ({
        address: o.address,
        p2pPublicKey: hex(o.publicKey),
        multiaddrs: [`/ip4/127.0.0.1/tcp/${9100 + i}`],
      })),
    }),
  );
  return file;
}

/**
 * The validator key as an EIP-2335 keystore `validator.json` (PBKDF2 at 2 rounds: a test key), its
 * password `validator password` in `validator-password.txt`. Returns the keystore's path.
 */
export async function writeValidatorKeystore(
  at: (...parts: string[]) => string,
  validatorKey: SecretKey,
): Promise<string> {
  writeFileSync(at('validator-password.txt'), 'validator password\n');
  mkdirSync(at('validator'));
  const written = await writeShareKeystore({
    dir: at('validator'),
    groupPublicKey: validatorKey.toPublicKey().bytes,
    share: { shareIndex: 1, secretKey: validatorKey },
    password: 'validator password',
    kdf: 'fast',
  });
  renameSync(written, at('validator.json'));
  return at('validator.json');
}

/** A node configuration file; the key tools read its paths, never its beacon node or listen address. */
export function writeNodeConfig(
  file: string,
  paths: { dataDir: string; cluster: string; keysDir: string; passwordFile: string },
): string {
  writeFileSync(
    file,
    JSON.stringify({
      dataDir: paths.dataDir,
      beaconNodes: ['http://127.0.0.1:1'],
      cluster: paths.cluster,
      keys: { dir: paths.keysDir, passwordFile: paths.passwordFile },
      p2p: { listen: ['/ip4/127.0.0.1/tcp/9000'] },
    }),
  );
  return file;
}
