// Shared setup of the Web3Signer tests: whole BLS keys in EIP-2335 keystores (fast KDF) in a
// temporary directory, a real sqlite slashing-protection file, the local backend and the server on
// a loopback port, and a `post` that speaks HTTP to it as a validator client does.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@chainsafe/bls-keystore';
import { createSeededRandom, SecretKey } from '@diva-dvt/bls-threshold';
import {
  createLocalWeb3SignerBackend,
  createSlashingProtection,
  createWeb3SignerServer,
  type LocalWeb3SignerBackend,
  loadRuntimeBls,
  type RuntimeBls,
  type SlashingProtection,
  type Web3SignerBackend,
  type Web3SignerServer,
  type Web3SignerServerOptions,
} from '../../src/index.ts';

export const PASSWORD = 'web3signer test password';
export const GENESIS_VALIDATORS_ROOT = new Uint8Array(32).fill(0x42);
export const GENESIS_FORK_VERSION = Uint8Array.of(0, 0, 0, 1);
/** fork_info of every request: messages before epoch 10 take the previous version. */
export const FORK = {
  previousVersion: Uint8Array.of(4, 0, 0, 1),
  currentVersion: Uint8Array.of(5, 0, 0, 1),
  epoch: 10,
};
export const hex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;
export const FORK_INFO_JSON = {
  fork: {
    previous_version: hex(FORK.previousVersion),
    current_version: hex(FORK.currentVersion),
    epoch: String(FORK.epoch),
  },
  genesis_validators_root: hex(GENESIS_VALIDATORS_ROOT),
};

const random = createSeededRandom('web3signer-test');

/** Writes `secretKey` as an EIP-2335 keystore (2 PBKDF2 rounds: tests only) to `<dir>/<name>`. */
export async function writeKeystore(
  dir: string,
  name: string,
  secretKey: SecretKey,
  password = PASSWORD,
): Promise<void> {
  const keystore = await create(
    password,
    secretKey.toBytes(),
    secretKey.toPublicKey().bytes,
    '',
    'test key',
    {
      function: 'pbkdf2',
      params: { dklen: 32, c: 2, prf: 'hmac-sha256', salt: Buffer.from(random(32)).toString('hex') },
    },
  );
  writeFileSync(join(dir, name), JSON.stringify(keystore));
}

export function newSecretKey(): SecretKey {
  return SecretKey.random(random);
}

export interface Signer {
  readonly root: string;
  readonly keystoresDir: string;
  readonly bls: RuntimeBls['bls'];
  readonly keys: readonly SecretKey[];
  readonly protection: SlashingProtection;
  readonly backend: LocalWeb3SignerBackend;
  readonly server: Web3SignerServer;
  post(
    pubkey: string,
    body: unknown,
    accept?: string,
  ): Promise<{ status: number; text: string; type: string }>;
  get(path: string, accept?: string): Promise<{ status: number; text: string; type: string }>;
  close(): Promise<void>;
}

/** A started signer with `keyCount` keys; `wrap` may put another backend in front of the local one. */
export async function startSigner(
  options: {
    keyCount?: number;
    /** The keys to hold (default: `keyCount` fresh ones). */
    keys?: readonly SecretKey[];
    feeRecipients?: Web3SignerServerOptions['feeRecipients'];
    wrap?: (local: LocalWeb3SignerBackend) => Web3SignerBackend;
  } = {},
): Promise<Signer> {
  const root = mkdtempSync(join(tmpdir(), 'diva-web3signer-'));
  const keystoresDir = join(root, 'keystores');
  mkdirSync(keystoresDir);
  const passwordFile = join(root, 'password.txt');
  writeFileSync(passwordFile, `${PASSWORD}\n`);
  const keys = options.keys ?? Array.from({ length: options.keyCount ?? 2 }, newSecretKey);
  for (const [i, k] of keys.entries()) await writeKeystore(keystoresDir, `keystore-${i}.json`, k);
  const { bls } = await loadRuntimeBls();
  const protection = await createSlashingProtection({
    path: join(root, 'slashing.sqlite'),
    genesisValidatorsRoot: GENESIS_VALIDATORS_ROOT,
  });
  const backend = createLocalWeb3SignerBackend({
    bls,
    keystoresDir,
    passwordFile,
    slashingProtection: protection,
  });
  const server = createWeb3SignerServer({
    backend: options.wrap ? options.wrap(backend) : backend,
    genesisValidatorsRoot: GENESIS_VALIDATORS_ROOT,
    genesisForkVersion: GENESIS_FORK_VERSION,
    port: 0,
    ...(options.feeRecipients ? { feeRecipients: options.feeRecipients } : {}),
  });
  await server.start();
  const answer = async (res: Response) => ({
    status: res.status,
    text: await res.text(),
    type: res.headers.get('content-type') ?? '',
  });
  return {
    root,
    keystoresDir,
    bls,
    keys,
    protection,
    backend,
    server,
    post: async (pubkey, body, accept = 'application/json') =>
      answer(
        await fetch(`${server.url}/api/v1/eth2/sign/${pubkey}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      ),
    get: async (path, accept = 'application/json') =>
      answer(await fetch(`${server.url}${path}`, { headers: { accept } })),
    close: async () => {
      await server.stop();
      await protection.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
