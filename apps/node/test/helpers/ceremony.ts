// The files `keys dkg` (and `keys dkg --reshare`) read, for the ceremony CLI tests: each operator's
// key directory and password file, its entry in a ceremony file, and the command line.
import { mkdirSync, writeFileSync } from 'node:fs';
import { type OperatorIdentity, writeIdentityKeystore } from '@diva-dvt/operator';
import { freePort, hex } from './cli.ts';

/** A ceremony file's entry for an operator, listening on a free loopback port. */
export async function ceremonyEntry(
  o: OperatorIdentity,
): Promise<{ address: string; p2pPublicKey: string; multiaddrs: string[] }> {
  return {
    address: o.address,
    p2pPublicKey: hex(o.publicKey),
    multiaddrs: [`/ip4/127.0.0.1/tcp/${await freePort()}`],
  };
}

/**
 * Operator i's key directory `op<i>` with its identity keystore, and its password file
 * `op<i>-password.txt` (`operator <i> password`), as `keys dkg` reads them.
 */
export async function writeOperatorKeys(
  at: (...parts: string[]) => string,
  operators: readonly OperatorIdentity[],
): Promise<void> {
  for (const [i, o] of operators.entries()) {
    mkdirSync(at(`op${i}`));
    writeFileSync(at(`op${i}-password.txt`), `operator ${i} password\n`);
    await writeIdentityKeystore({
      dir: at(`op${i}`),
      secretKey: o.secretKey,
      password: `operator ${i} password`,
      kdf: 'fast',
    });
  }
}

/** `keys dkg` (`--reshare` first in `more` for a resharing) as operator i, with the files above. */
export const ceremonyArgs = (
  at: (...parts: string[]) => string,
  ceremony: string,
  i: number,
  out: string,
  ...more: string[]
) => [
  'keys',
  'dkg',
  '--ceremony',
  ceremony,
  '--identity-keystore',
  at(`op${i}`, 'identity.json'),
  '--password-file',
  at(`op${i}-password.txt`),
  '--out',
  out,
  ...more,
];
