// The devnet's operators and validators: each operator gets a key directory with its identity (the
// secp256k1 key its p2p id and address come from), a password file and two ports; each validator
// gets a committee (a window of the operators, shifted by one per validator so committees differ)
// and is created by a DKG ceremony among exactly those operators: one `diva-node keys dkg` process
// per member, over libp2p on loopback. The shares go into each member's key directory, the
// ceremonies' committees into one cluster file, and the deposit data is returned for the chain.
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  generateIdentity,
  loadIdentity,
  type OperatorIdentity,
  parseClusterFile,
  type ValidatorCommittee,
  writeClusterFile,
  writeIdentityKeystore,
} from '@diva-dvt/operator';
import { DivaNodeError } from '../errors.ts';
import type { DevnetOptions } from './options.ts';
import { CLI_ENTRY, inheritedConditions } from './processes.ts';

export interface DevnetOperator {
  readonly index: number;
  readonly dir: string;
  readonly keysDir: string;
  readonly passwordFile: string;
  readonly identity: OperatorIdentity;
  readonly p2pPort: number;
  readonly httpPort: number;
  readonly multiaddr: string;
}

/** One validator's deposit as the staking deposit CLI writes it (hex without 0x). */
export interface DepositJson {
  readonly pubkey: string;
  readonly withdrawal_credentials: string;
  readonly amount: number;
  readonly signature: string;
  readonly deposit_data_root: string;
}

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;

/**
 * Ports: p2p at basePort + i, HTTP at basePort + operators + i. `resume`: the operators of a
 * previous run, their identities read back from their keystores (the chain knows them).
 */
export async function createOperators(
  o: DevnetOptions,
  basePort: number,
  resume = false,
): Promise<DevnetOperator[]> {
  const operators: DevnetOperator[] = [];
  for (let i = 0; i < o.operators; i++) {
    const dir = join(o.dataDir, `operator-${i}`);
    const keysDir = join(dir, 'keys');
    const passwordFile = join(dir, 'password.txt');
    let identity: OperatorIdentity;
    if (resume) {
      identity = await loadIdentity({ dir: keysDir, passwordFile });
    } else {
      await mkdir(keysDir, { recursive: true });
      const password = `devnet operator ${i}`;
      await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
      identity = generateIdentity();
      // the fast KDF: devnet keys protect nothing, and 20 production KDFs cost seconds
      await writeIdentityKeystore({ dir: keysDir, secretKey: identity.secretKey, password, kdf: 'fast' });
    }
    const p2pPort = basePort + i;
    operators.push({
      index: i,
      dir,
      keysDir,
      passwordFile,
      identity,
      p2pPort,
      httpPort: basePort + o.operators + i,
      multiaddr: `/ip4/127.0.0.1/tcp/${p2pPort}`,
    });
  }
  return operators;
}

/** The operators (indices, ascending = share order) of validator `v`'s committee. */
export function committeeOf(v: number, o: DevnetOptions): number[] {
  const start = v % o.operators;
  return Array.from({ length: o.committeeSize }, (_, j) => (start + j) % o.operators).sort((a, b) => a - b);
}

function runProcess(args: readonly string[], logFile: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...inheritedConditions(), CLI_ENTRY, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d;
    });
    child.on('close', (code) => {
      void writeFile(logFile, output).finally(() => resolve({ code: code ?? 1, output }));
    });
  });
}

export interface CeremonyResults {
  readonly clusterFile: string;
  readonly validators: readonly ValidatorCommittee[];
  readonly deposits: readonly DepositJson[];
}

/**
 * Runs one ceremony per validator (one after another: they share the operators' ports), moves the
 * shares into the members' key directories and writes the cluster file. Validator indices are
 * `firstIndex + v` (the DKG validators follow the interop ones in the genesis deposits).
 */
export async function runCeremonies(
  o: DevnetOptions,
  operators: readonly DevnetOperator[],
  withdrawalCredentials: string,
  forkVersion: string,
  firstIndex: number,
  progress: (done: number, total: number) => void,
): Promise<CeremonyResults> {
  const validators: ValidatorCommittee[] = [];
  const deposits: DepositJson[] = [];
  const ceremoniesDir = join(o.dataDir, 'ceremonies');
  await mkdir(ceremoniesDir, { recursive: true });
  for (let v = 0; v < o.validators; v++) {
    progress(v, o.validators);
    const members = committeeOf(v, o).map((i) => operators[i]!);
    const ceremony = join(ceremoniesDir, `validator-${v}.json`);
    await writeFile(
      ceremony,
      JSON.stringify({
        version: 1,
        operators: members.map((m) => ({
          address: m.identity.address,
          p2pPublicKey: hex(m.identity.publicKey),
          multiaddrs: [m.multiaddr],
        })),
        threshold: o.threshold,
        validators: 1,
        withdrawalCredentials,
        forkVersion,
        networkName: 'devnet',
      }),
    );
    const runs = await Promise.all(
      members.map((m) =>
        runProcess(
          [
            'keys',
            'dkg',
            '--ceremony',
            ceremony,
            '--identity-keystore',
            join(m.keysDir, 'identity.json'),
            '--password-file',
            m.passwordFile,
            '--out',
            join(m.dir, `dkg-${v}`),
            '--connect-timeout',
            '120',
          ],
          join(m.dir, `dkg-${v}.log`),
        ),
      ),
    );
    const failed = runs.findIndex((r) => r.code !== 0);
    if (failed >= 0) {
      throw new DivaNodeError({
        code: 'DEVNET_FAILED',
        phase: 'dkg',
        reason: `validator ${v}: operator ${members[failed]!.index} failed: ${runs[failed]!.output.trim().split('\n').at(-1)}`,
      });
    }
    const first = join(members[0]!.dir, `dkg-${v}`);
    const cluster = parseClusterFile(await readFile(join(first, 'cluster.json'), 'utf8'));
    validators.push({ ...cluster.validators[0]!, validatorIndex: firstIndex + v });
    const depositFile = (await readdir(first)).find((f) => f.startsWith('deposit_data-'))!;
    deposits.push(...(JSON.parse(await readFile(join(first, depositFile), 'utf8')) as DepositJson[]));
    for (const m of members) {
      const out = join(m.dir, `dkg-${v}`);
      for (const f of await readdir(out)) {
        if (f.startsWith('keystore-')) await rename(join(out, f), join(m.keysDir, f));
      }
    }
  }
  progress(o.validators, o.validators);
  const clusterFile = join(o.dataDir, 'cluster.json');
  await writeClusterFile(clusterFile, {
    version: 1,
    operators: operators.map((m) => ({
      address: m.identity.address,
      publicKey: m.identity.publicKey,
      multiaddrs: [m.multiaddr],
    })),
    validators,
  });
  return { clusterFile, validators, deposits };
}
