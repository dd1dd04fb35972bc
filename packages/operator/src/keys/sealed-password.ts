// A share keystore for an operator whose password nobody else knows: the keystore stays EIP-2335,
// encrypted with a random password (32 random bytes, hex), and that password is sealed to the
// operator's identity key, the secp256k1 key of its address (`p2pPublicKey` in the operators and
// cluster files). The sealed password sits next to the keystore as
// `keystore-<group key>-<share index>.password.sealed` (JSON, not `.json`, so that no keystore
// listing picks it up):
//
//   { "version": 1, "scheme": "secp256k1-ecdh-hkdf-sha256-chacha20-poly1305",
//     "recipient": "0x<operator address>", "pubkey": "<the keystore's pubkey, hex>",
//     "ephemeralPublicKey": "0x<33 bytes>", "nonce": "0x<12 bytes>", "ciphertext": "0x<password + tag>" }
//
//   shared = x(e·P)  (e a fresh secp256k1 key, P the operator's identity public key)
//   key    = HKDF-SHA256(ikm = shared, salt = E ‖ P, info = "diva-dvt/sealed-password/v1", 32 bytes)
//   ciphertext = ChaCha20-Poly1305(key, nonce, password, aad = info ‖ recipient address ‖ pubkey)
//
// ECIES as Ethereum's devp2p uses with node keys: the identity key is already published and bound
// to the operator's address, so a staking team needs no other key from the operator, and only the
// operator's node (which decrypts identity.json) can open it. The AAD binds the password to its
// operator and keystore; the ECDH output is used only through HKDF with this label.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { OperatorAddress } from '../committee/types.ts';
import { OperatorError } from '../errors.ts';
import { identityFromSecretKey } from './identity.ts';

export const SEALED_PASSWORD_SCHEME = 'secp256k1-ecdh-hkdf-sha256-chacha20-poly1305';
const INFO = Buffer.from('diva-dvt/sealed-password/v1');
const FIELDS = ['version', 'scheme', 'recipient', 'pubkey', 'ephemeralPublicKey', 'nonce', 'ciphertext'];
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;

/** `dir/keystore-<g>-<i>.json` → `dir/keystore-<g>-<i>.password.sealed`. */
export function sealedPasswordFileName(keystoreFile: string): string {
  return `${keystoreFile.replace(/\.json$/, '')}.password.sealed`;
}

/** A fresh random keystore password (64 hex characters: 256 bits, unchanged by NFKD). */
export function randomKeystorePassword(): string {
  return randomBytes(32).toString('hex');
}

function keyOf(shared: Uint8Array, ephemeral: Uint8Array, recipientKey: Uint8Array): Buffer {
  const ikm = shared.subarray(1); // the x-coordinate of the compressed point
  return Buffer.from(hkdfSync('sha256', ikm, Buffer.concat([ephemeral, recipientKey]), INFO, 32));
}

const aadOf = (recipient: OperatorAddress, pubkey: Uint8Array) =>
  Buffer.concat([INFO, Buffer.from(recipient.slice(2), 'hex'), pubkey]);

export interface SealPasswordParameters {
  readonly password: string;
  /** The operator: its address and 33-byte compressed identity public key. */
  readonly recipient: { readonly address: OperatorAddress; readonly publicKey: Uint8Array };
  /** The keystore's `pubkey` (48 bytes): the sealed password is bound to it. */
  readonly keystorePubkey: Uint8Array;
}

/** The sealed password file's text (see the file comment). */
export function sealPassword(parameters: SealPasswordParameters): string {
  const { recipient, keystorePubkey } = parameters;
  const ephemeralSecret = secp256k1.utils.randomSecretKey();
  const ephemeral = secp256k1.getPublicKey(ephemeralSecret, true);
  const key = keyOf(
    secp256k1.getSharedSecret(ephemeralSecret, recipient.publicKey, true),
    ephemeral,
    recipient.publicKey,
  );
  ephemeralSecret.fill(0);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  const plaintext = Buffer.from(parameters.password, 'utf8');
  cipher.setAAD(aadOf(recipient.address, keystorePubkey), { plaintextLength: plaintext.length });
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  key.fill(0);
  return `${JSON.stringify(
    {
      version: 1,
      scheme: SEALED_PASSWORD_SCHEME,
      recipient: recipient.address,
      pubkey: Buffer.from(keystorePubkey).toString('hex'),
      ephemeralPublicKey: hex(ephemeral),
      nonce: hex(nonce),
      ciphertext: hex(ciphertext),
    },
    null,
    2,
  )}\n`;
}

/**
 * Opens a sealed password with this operator's identity secret key. `INVALID_INPUT_FILE` names the
 * field of a malformed file; `UNSEAL_FAILED` says it is sealed to another operator, or that it does
 * not open with this key (altered, or sealed to another key). Returns the keystore `pubkey` it is
 * bound to, for the caller to compare with the keystore's.
 */
export function unsealPassword(
  text: string,
  file: string,
  identitySecretKey: Uint8Array,
): { password: string; keystorePubkey: Uint8Array } {
  const bad = (field: string, reason: string): never => {
    throw new OperatorError({ code: 'INVALID_INPUT_FILE', file, field, reason });
  };
  let o: Record<string, unknown> = {};
  try {
    o = JSON.parse(text);
  } catch {
    bad('(root)', 'not valid JSON');
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) bad('(root)', 'expected an object');
  for (const f of FIELDS) if (!(f in o)) bad(f, 'missing');
  if (o.version !== 1) bad('version', 'expected 1');
  if (o.scheme !== SEALED_PASSWORD_SCHEME) bad('scheme', `expected "${SEALED_PASSWORD_SCHEME}"`);
  const bytes = (field: string, min: number, max = min, prefixed = true): Buffer => {
    const value = o[field];
    const digits = typeof value === 'string' ? (prefixed ? value.replace(/^0x/, '') : value) : '';
    const n = digits.length / 2;
    if (!/^([0-9a-fA-F]{2})+$/.test(digits) || n < min || n > max) {
      bad(field, min === max ? `expected ${min} bytes hex` : `expected ${min}..${max} bytes hex`);
    }
    return Buffer.from(digits, 'hex');
  };
  const recipient = `0x${bytes('recipient', 20).toString('hex')}` as OperatorAddress;
  const keystorePubkey = bytes('pubkey', 48, 48, false);
  const ephemeral = bytes('ephemeralPublicKey', 33);
  const nonce = bytes('nonce', 12);
  const ciphertext = bytes('ciphertext', 17, 1040);
  const self = identityFromSecretKey(identitySecretKey);
  if (recipient !== self.address) {
    throw new OperatorError({
      code: 'UNSEAL_FAILED',
      file,
      reason: `sealed to operator ${recipient}, not to this operator (${self.address})`,
    });
  }
  let shared: Uint8Array;
  try {
    shared = secp256k1.getSharedSecret(identitySecretKey, ephemeral, true);
  } catch {
    return bad('ephemeralPublicKey', 'not a secp256k1 public key');
  }
  const key = keyOf(shared, ephemeral, self.publicKey);
  try {
    const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    decipher.setAuthTag(ciphertext.subarray(-16));
    decipher.setAAD(aadOf(recipient, keystorePubkey), { plaintextLength: ciphertext.length - 16 });
    const plain = Buffer.concat([decipher.update(ciphertext.subarray(0, -16)), decipher.final()]);
    return { password: plain.toString('utf8'), keystorePubkey };
  } catch {
    throw new OperatorError({
      code: 'UNSEAL_FAILED',
      file,
      reason: "it does not open with this operator's identity key (altered, or sealed to another key)",
    });
  } finally {
    key.fill(0);
  }
}

/** Reads and opens a sealed password file (`FILE_ACCESS_FAILED` when it cannot be read). */
export async function readSealedPassword(
  file: string,
  identitySecretKey: Uint8Array,
): Promise<{ password: string; keystorePubkey: Uint8Array }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path: file, operation: 'read' }, { cause });
  }
  return unsealPassword(text, file, identitySecretKey);
}
