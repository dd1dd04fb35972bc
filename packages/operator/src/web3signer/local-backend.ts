// The local Web3Signer backend: a plain remote signer holding whole validator keys, loaded from a
// directory of EIP-2335 keystores as Web3Signer's `--keystores-path` does, with one password for
// all (`passwordFile`) or one `<keystore name>.txt` per keystore in `passwordsDir` (Web3Signer's
// `--keystores-passwords-path`). Blocks and attestations pass the EIP-3076 slashing protection
// (./slashing-protection.ts, sqlite) before they are signed: a refusal signs nothing. `reload()`
// re-reads the directory: added keystores are decrypted, removed ones dropped, unchanged ones
// (the same bytes, by SHA-256) kept without decrypting again. A keystore that does not load is reported,
// never fatal, and the others stay usable.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type Bls, SecretKey } from '@diva-dvt/bls-threshold';
import { OperatorError } from '../errors.ts';
import { decryptKeystoreFile, readPasswordFile } from '../keys/keystore.ts';
import type { SlashingProtection } from '../slashing-protection.ts';
import type {
  Web3SignerBackend,
  Web3SignerReloadReport,
  Web3SignerSignRequest,
  Web3SignerSignResult,
} from './types.ts';

export interface LocalWeb3SignerBackendParameters {
  readonly bls: Bls;
  /** The directory of EIP-2335 keystores (`*.json`, not recursive). */
  readonly keystoresDir: string;
  /** One password for every keystore (exactly one of `passwordFile`, `passwordsDir`). */
  readonly passwordFile?: string;
  /** A password file per keystore: `<keystore file name without .json>.txt`. */
  readonly passwordsDir?: string;
  /** Open; blocks and attestations are checked and recorded here before signing. */
  readonly slashingProtection: SlashingProtection;
  /** Keystores decrypted at a time (default 4; the KDF runs on libuv's thread pool). */
  readonly concurrency?: number;
}

export interface LocalWeb3SignerBackend extends Web3SignerBackend {
  reload(): Promise<Web3SignerReloadReport>;
  /** Signatures made so far. */
  readonly signedCount: number;
}

interface LoadedKey {
  readonly file: string;
  /** SHA-256 of the file's bytes: a rewritten keystore is decrypted again, an unchanged one is not. */
  readonly digest: string;
  readonly pubkeyHex: `0x${string}`;
  readonly secretKey: SecretKey;
}

const hex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;

/** Creates the backend; no I/O until `reload()` (the server's `start()` runs the first). */
export function createLocalWeb3SignerBackend(
  parameters: LocalWeb3SignerBackendParameters,
): LocalWeb3SignerBackend {
  const { bls, keystoresDir, slashingProtection } = parameters;
  if ((parameters.passwordFile === undefined) === (parameters.passwordsDir === undefined)) {
    throw new OperatorError({
      code: 'INVALID_OPTION',
      option: 'passwordFile',
      reason: 'give exactly one of passwordFile and passwordsDir',
    });
  }
  const concurrency = Math.max(1, parameters.concurrency ?? 4);
  let byFile = new Map<string, LoadedKey>();
  let byKey = new Map<`0x${string}`, LoadedKey>();
  let publicKeys: readonly `0x${string}`[] = [];
  let signedCount = 0;

  async function passwordFor(file: string, shared: string | undefined): Promise<string> {
    if (shared !== undefined) return shared;
    return readPasswordFile(join(parameters.passwordsDir as string, `${basename(file, '.json')}.txt`));
  }

  async function loadOne(file: string, digest: string, shared: string | undefined): Promise<LoadedKey> {
    const { keystore, secret } = await decryptKeystoreFile(file, await passwordFor(file, shared));
    let secretKey: SecretKey;
    try {
      secretKey = SecretKey.fromBytes(secret);
    } catch {
      throw new OperatorError({ code: 'INVALID_KEYSTORE', file, reason: 'does not hold a BLS secret key' });
    } finally {
      secret.fill(0);
    }
    const pubkeyHex = hex(secretKey.toPublicKey().bytes);
    if (
      keystore.pubkey !== undefined &&
      keystore.pubkey !== '' &&
      `0x${keystore.pubkey.toLowerCase().replace(/^0x/, '')}` !== pubkeyHex
    ) {
      throw new OperatorError({
        code: 'INVALID_KEYSTORE',
        file,
        reason: 'its pubkey field is not the public key of its secret',
      });
    }
    return { file, digest, pubkeyHex, secretKey };
  }

  async function reload(): Promise<Web3SignerReloadReport> {
    let names: string[];
    try {
      names = await readdir(keystoresDir);
    } catch (cause) {
      throw new OperatorError(
        { code: 'FILE_ACCESS_FAILED', path: keystoresDir, operation: 'read' },
        { cause },
      );
    }
    const files = names
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .sort()
      .map((n) => join(keystoresDir, n));
    const errors: { file: string; reason: string }[] = [];
    const reasonOf = (e: unknown) => (e instanceof OperatorError ? e.shortMessage : 'cannot be loaded');
    let shared: string | undefined;
    if (parameters.passwordFile !== undefined) shared = await readPasswordFile(parameters.passwordFile);

    const nextByFile = new Map<string, LoadedKey>();
    const jobs: { file: string; digest: string }[] = [];
    for (const file of files) {
      try {
        const digest = createHash('sha256')
          .update(await readFile(file))
          .digest('hex');
        const known = byFile.get(file);
        if (known !== undefined && known.digest === digest) nextByFile.set(file, known);
        else jobs.push({ file, digest });
      } catch (e) {
        errors.push({ file, reason: reasonOf(e) });
      }
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const job = jobs[next++] as (typeof jobs)[number];
        try {
          nextByFile.set(job.file, await loadOne(job.file, job.digest, shared));
        } catch (e) {
          errors.push({ file: job.file, reason: reasonOf(e) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));

    const nextByKey = new Map<`0x${string}`, LoadedKey>();
    for (const file of files) {
      const k = nextByFile.get(file);
      if (k === undefined) continue;
      const other = nextByKey.get(k.pubkeyHex);
      if (other !== undefined) {
        errors.push({ file, reason: `holds the same key as ${other.file}` });
        nextByFile.delete(file);
        continue;
      }
      nextByKey.set(k.pubkeyHex, k);
    }
    byFile = nextByFile;
    byKey = nextByKey;
    publicKeys = Object.freeze([...nextByKey.keys()]);
    return { keyCount: byKey.size, errors };
  }

  async function sign(request: Web3SignerSignRequest): Promise<Web3SignerSignResult> {
    const key = byKey.get(request.pubkeyHex);
    if (key === undefined) return { ok: false, refusal: { reason: 'UNKNOWN_KEY' } };
    const { pubkey, signingRoot } = request;
    const r = request.request;
    let check: Awaited<ReturnType<SlashingProtection['checkAndRecordBlock']>> | undefined;
    if (r.type === 'ATTESTATION') {
      check = await slashingProtection.checkAndRecordAttestation({
        pubkey,
        sourceEpoch: r.attestation.source.epoch,
        targetEpoch: r.attestation.target.epoch,
        signingRoot,
      });
    } else if (r.type === 'BLOCK' || r.type === 'BLOCK_V2') {
      check = await slashingProtection.checkAndRecordBlock({ pubkey, slot: r.blockHeader.slot, signingRoot });
    }
    if (check !== undefined && !check.allowed) {
      return { ok: false, refusal: { reason: 'SLASHING_PROTECTION', detail: check.reason } };
    }
    signedCount++;
    return { ok: true, signature: bls.sign(key.secretKey, signingRoot).bytes };
  }

  return {
    publicKeys: () => publicKeys,
    sign,
    reload,
    get signedCount() {
      return signedCount;
    },
  };
}
