// The operator identity for a ceremony, from an identity keystore at any path (the node keeps its own
// as <keys dir>/identity.json; an operator may run a ceremony on another machine with a copy).
import { OperatorError } from '../errors.ts';
import { identityFromSecretKey, isIdentitySecretKey, type OperatorIdentity } from '../keys/identity.ts';
import { decryptKeystoreWithPasswordFile } from '../keys/keystore.ts';

/**
 * Decrypts an identity keystore with the password in `passwordFile`. Errors: `INVALID_PASSWORD_FILE`,
 * `INVALID_KEYSTORE` (also when it holds no secp256k1 key), `WRONG_KEYSTORE_PASSWORD`, `FILE_ACCESS_FAILED`.
 */
export async function readIdentityKeystore(file: string, passwordFile: string): Promise<OperatorIdentity> {
  const { secret } = await decryptKeystoreWithPasswordFile(file, passwordFile);
  try {
    if (!isIdentitySecretKey(secret)) {
      throw new OperatorError({
        code: 'INVALID_KEYSTORE',
        file,
        reason: 'does not hold a secp256k1 secret key',
      });
    }
    return identityFromSecretKey(secret);
  } finally {
    secret.fill(0);
  }
}
