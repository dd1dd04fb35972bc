// DEV TOOL, not for real keys: builds a whole cluster on one machine from existing validator
// secret keys (e.g. the interop keys of a devnet's genesis validators) with a trusted dealer. The
// dealer sees every validator key and every share, and the operator identities are derived from
// a seed anyone can recompute; production creates keys with the DKG and each operator its own
// identity. This is what the end-to-end test and the devnet use to give N diva-node processes keys.
//
// Layout written under `dir`:
//   <dir>/cluster.json                 shared by all operators
//   <dir>/operator-<i>/identity.json   operator i's secp256k1 identity (EIP-2335)
//   <dir>/operator-<i>/keystore-<group key>-<shareIndex>.json   its shares (EIP-2335)
//   <dir>/operator-<i>/password.txt    the password of its keystores (mode 0600)
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createSeededRandom, type RandomSource, SecretKey, splitSecretKey } from '@diva-dvt/bls-threshold';
import { sha256 } from '@noble/hashes/sha2.js';
import { OperatorError } from '../errors.ts';
import { writeFileAtomic } from '../keys/files.ts';
import { identityFromSecretKey, isIdentitySecretKey, type OperatorIdentity } from '../keys/identity.ts';
import { type KeystoreKdf, writeIdentityKeystore, writeShareKeystore } from '../keys/keystore.ts';
import type { PeerInfo } from '../p2p/types.ts';
import { type ClusterFile, writeClusterFile } from './cluster-file.ts';
import type { CommitteeMember, ValidatorCommittee } from './types.ts';

export interface CreateDevClusterParameters {
  /** The validators' 32-byte BLS secret keys. */
  readonly secretKeys: readonly Uint8Array[];
  /** Beacon-chain indices of the validators, in the order of `secretKeys` (omitted: not recorded). */
  readonly validatorIndices?: readonly number[];
  /** How many operators (e.g. 20). */
  readonly operators: number;
  /** Members per committee (e.g. 16); at most `operators`. */
  readonly committeeSize: number;
  /** t of each committee (e.g. 11). */
  readonly threshold: number;
  /** Makes the whole cluster reproducible: identities, committees and shares. */
  readonly seed: string | Uint8Array;
  readonly dir: string;
  /** The password of every keystore (written to each operator's password.txt). */
  readonly password: string;
  /** `fast` for tests and devnets (see `KeystoreKdf`). */
  readonly kdf: KeystoreKdf;
  /** Operator i listens on `/ip4/127.0.0.1/tcp/<basePort + i>`. */
  readonly basePort: number;
}

export interface DevClusterOperator {
  /** 0-based position in the cluster (its directory is `operator-<index>`). */
  readonly index: number;
  readonly address: PeerInfo['address'];
  readonly identity: OperatorIdentity;
  /** The key directory (identity, shares, password file). */
  readonly dir: string;
  readonly passwordFile: string;
  readonly port: number;
  readonly multiaddr: string;
}

export interface DevClusterValidator {
  readonly committee: ValidatorCommittee;
  /** The operators holding its shares: `operatorIndices[k]` holds share index k + 1. */
  readonly operatorIndices: readonly number[];
}

export interface DevCluster {
  /** `<dir>/cluster.json`. */
  readonly clusterFile: string;
  readonly cluster: ClusterFile;
  readonly operators: readonly DevClusterOperator[];
  readonly validators: readonly DevClusterValidator[];
}

function invalid(option: string, reason: string): never {
  throw new OperatorError({ code: 'INVALID_OPTION', option, reason });
}

/** Operator i's identity: the first valid secret of sha256(seed ‖ "diva-dev-identity" ‖ i ‖ counter). */
function devIdentity(seed: Uint8Array, index: number): OperatorIdentity {
  const label = new TextEncoder().encode('diva-dev-identity');
  for (let counter = 0; ; counter++) {
    const input = new Uint8Array(seed.length + label.length + 8);
    input.set(seed);
    input.set(label, seed.length);
    const view = new DataView(input.buffer);
    view.setUint32(seed.length + label.length, index);
    view.setUint32(seed.length + label.length + 4, counter);
    const secret = sha256(input);
    if (isIdentitySecretKey(secret)) return identityFromSecretKey(secret);
  }
}

/** A uniform integer in 0..bound-1 from the seeded stream (rejection sampling on 32 bits). */
function uniform(random: RandomSource, bound: number): number {
  const limit = Math.floor(0x1_0000_0000 / bound) * bound;
  for (;;) {
    const x = new DataView(random(4).buffer).getUint32(0);
    if (x < limit) return x % bound;
  }
}

/** k distinct operators out of n in random order (partial Fisher-Yates). */
function drawCommittee(random: RandomSource, n: number, k: number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + uniform(random, n - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, k);
}

/**
 * Creates a dev cluster (see the file comment): each validator key is split by a trusted dealer
 * into `committeeSize` shares for a seeded-random committee, committees differ between validators
 * whenever the operator count allows, and everything is written under `dir`.
 */
export async function createDevCluster(parameters: CreateDevClusterParameters): Promise<DevCluster> {
  const {
    secretKeys,
    operators: operatorCount,
    committeeSize,
    threshold,
    dir,
    password,
    kdf,
    basePort,
  } = parameters;
  if (!Number.isInteger(operatorCount) || operatorCount < 1)
    invalid('operators', 'expected a positive integer');
  if (!Number.isInteger(committeeSize) || committeeSize < 1 || committeeSize > operatorCount) {
    invalid('committeeSize', `expected an integer in 1..${operatorCount} (the operator count)`);
  }
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > committeeSize) {
    invalid('threshold', `expected an integer in 1..${committeeSize} (the committee size)`);
  }
  if (!Number.isInteger(basePort) || basePort < 1 || basePort + operatorCount - 1 > 65535) {
    invalid('basePort', 'every operator port must lie in 1..65535');
  }
  if (parameters.validatorIndices !== undefined && parameters.validatorIndices.length !== secretKeys.length) {
    invalid('validatorIndices', 'expected one index per secret key');
  }
  const seed =
    typeof parameters.seed === 'string' ? new TextEncoder().encode(parameters.seed) : parameters.seed;
  const random = createSeededRandom(seed);

  const operators: DevClusterOperator[] = [];
  for (let i = 0; i < operatorCount; i++) {
    const identity = devIdentity(seed, i);
    const operatorDir = join(dir, `operator-${i}`);
    const port = basePort + i;
    operators.push({
      index: i,
      address: identity.address,
      identity,
      dir: operatorDir,
      passwordFile: join(operatorDir, 'password.txt'),
      port,
      multiaddr: `/ip4/127.0.0.1/tcp/${port}`,
    });
  }

  const validators: DevClusterValidator[] = [];
  const usedSets = new Set<string>();
  for (const [v, secretKeyBytes] of secretKeys.entries()) {
    let secretKey: SecretKey;
    try {
      secretKey = SecretKey.fromBytes(secretKeyBytes, `secretKeys[${v}]`);
    } catch {
      invalid(`secretKeys[${v}]`, 'not a BLS secret key');
    }
    // Redraw a committee whose operator set an earlier validator already has, a bounded number of
    // times: with as many operators as members every committee is the same set.
    let chosen = drawCommittee(random, operatorCount, committeeSize);
    for (let attempt = 0; attempt < 100 && usedSets.has(setKey(chosen)); attempt++) {
      chosen = drawCommittee(random, operatorCount, committeeSize);
    }
    usedSets.add(setKey(chosen));
    const split = splitSecretKey(secretKey, { threshold, shareCount: committeeSize, random });
    const groupPublicKey = split.groupPublicKey.bytes;
    const members: CommitteeMember[] = chosen.map((operatorIndex, k) => ({
      operator: operators[operatorIndex]!.address,
      shareIndex: k + 1,
      publicShare: split.publicShares[k]!.publicKey.bytes,
    }));
    const validatorIndex = parameters.validatorIndices?.[v];
    const committee: ValidatorCommittee = {
      groupPublicKey,
      threshold,
      members,
      ...(validatorIndex === undefined ? {} : { validatorIndex }),
    };
    validators.push({ committee, operatorIndices: chosen });
    for (const [k, operatorIndex] of chosen.entries()) {
      const operator = operators[operatorIndex]!;
      await mkdir(operator.dir, { recursive: true });
      await writeShareKeystore({ dir: operator.dir, groupPublicKey, share: split.shares[k]!, password, kdf });
    }
  }

  for (const operator of operators) {
    await mkdir(operator.dir, { recursive: true });
    await writeIdentityKeystore({ dir: operator.dir, secretKey: operator.identity.secretKey, password, kdf });
    await writeFileAtomic(operator.passwordFile, `${password}\n`, 0o600);
  }
  const cluster: ClusterFile = {
    version: 1,
    operators: operators.map((o) => ({
      address: o.address,
      publicKey: o.identity.publicKey,
      multiaddrs: [o.multiaddr],
    })),
    validators: validators.map((v) => v.committee),
  };
  const clusterFile = join(dir, 'cluster.json');
  await writeClusterFile(clusterFile, cluster);
  return { clusterFile, cluster, operators, validators };
}

const setKey = (indices: readonly number[]): string => [...indices].sort((a, b) => a - b).join(',');
