// The cluster file: which operators exist (address, p2p key, where they listen) and, per
// distributed validator, its group key, threshold and committee (operator, 1-based share index,
// public share). JSON, version 1, validated by hand so that every error names the file and the
// exact field (`validators[2].members[5].publicShare: expected 48 bytes hex`). See the operator
// README for the format; ./cluster-file-source.ts serves it as a `CommitteeSource`.
import { readFile } from 'node:fs/promises';
import { type Bls, createBls } from '@diva-dvt/bls-threshold';
import { multiaddr } from '@multiformats/multiaddr';
import { OperatorError } from '../errors.ts';
import { writeFileAtomic } from '../keys/files.ts';
import { isCompressedSecp256k1PublicKey, operatorAddressOf } from '../keys/identity.ts';
import type { PeerInfo } from '../p2p/types.ts';
import { type CheckedCommittees, committeeDigest } from './checked-committees.ts';
import { checkCommitteePublicShares } from './public-shares.ts';
import type { CommitteeMember, OperatorAddress, ValidatorCommittee } from './types.ts';

export const CLUSTER_FILE_VERSION = 1;

/** A parsed, validated cluster file. Operator addresses are lower-case; members are ordered by share index. */
export interface ClusterFile {
  readonly version: 1;
  /** Every operator, with its p2p key (`publicKey`) and listening addresses. */
  readonly operators: readonly PeerInfo[];
  readonly validators: readonly ValidatorCommittee[];
}

export interface ParseClusterFileOptions {
  /** Named in every error (default `<input>`). */
  readonly file?: string;
  /** Parses the G1 points (default: a noble `createBls()`; blst's backend parses about 30x faster). */
  readonly bls?: Bls;
  /**
   * Runs the cryptographic checks (valid G1 points, shares on one polynomial through the group key)
   * only for committees that include this operator; the others get the structural checks only.
   * Default: every committee (about 35 ms per committee of 16 on noble).
   */
  readonly checkKeysOf?: OperatorAddress;
  /**
   * Committees already checked (by digest, ./checked-committees.ts): those are not checked again,
   * and every committee that passes is added.
   */
  readonly checked?: CheckedCommittees;
}

type Json = Record<string, unknown>;

class Validator {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  fail(field: string, reason: string): never {
    throw new OperatorError({ code: 'INVALID_CLUSTER_FILE', file: this.file, field, reason });
  }

  object(value: unknown, field: string, required: readonly string[], optional: readonly string[] = []): Json {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      this.fail(field, 'expected an object');
    const o = value as Json;
    for (const key of required) if (!(key in o)) this.fail(join2(field, key), 'missing');
    for (const key of Object.keys(o)) {
      if (!required.includes(key) && !optional.includes(key)) this.fail(join2(field, key), 'unknown field');
    }
    return o;
  }

  array(value: unknown, field: string): readonly unknown[] {
    if (!Array.isArray(value)) this.fail(field, 'expected an array');
    return value;
  }

  integer(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, `expected an integer in ${min}..${max === Number.MAX_SAFE_INTEGER ? '' : max}`);
    }
    return value;
  }

  hex(value: unknown, field: string, length: number): Uint8Array {
    if (typeof value !== 'string' || !new RegExp(`^0x[0-9a-fA-F]{${2 * length}}$`).test(value)) {
      this.fail(field, `expected ${length} bytes hex (0x-prefixed)`);
    }
    return Uint8Array.from(Buffer.from(value.slice(2), 'hex'));
  }
}

const join2 = (field: string, key: string): string => (field === '' ? key : `${field}.${key}`);
const toHex = (bytes: Uint8Array): `0x${string}` => `0x${Buffer.from(bytes).toString('hex')}`;

/**
 * Parses and validates cluster-file JSON text. Throws `OperatorError` `INVALID_CLUSTER_FILE` naming
 * the file and the field path. Checks: the version; every operator's address is derived from its
 * p2p public key (33-byte compressed secp256k1) and appears once; multiaddrs parse; per validator,
 * a 48-byte group key listed once, 1 <= threshold <= n, share indices exactly 1..n, no operator twice,
 * every member a listed operator, a unique validator index when given; and the cryptographic checks
 * of ./public-shares.ts (see `checkKeysOf`).
 */
export function parseClusterFile(json: string, options: ParseClusterFileOptions = {}): ClusterFile {
  // Explicitly typed so that `v.fail(...)` (never) narrows the values checked before it.
  const v: Validator = new Validator(options.file ?? '<input>');
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    v.fail('(root)', `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const root = v.object(raw, '', ['version', 'operators', 'validators']);
  if (root.version !== CLUSTER_FILE_VERSION) v.fail('version', `expected ${CLUSTER_FILE_VERSION}`);

  const operators: PeerInfo[] = [];
  const operatorAt = new Map<OperatorAddress, number>();
  const keyAt = new Map<string, number>();
  for (const [i, entry] of v.array(root.operators, 'operators').entries()) {
    const f = `operators[${i}]`;
    const o = v.object(entry, f, ['address', 'p2pPublicKey', 'multiaddrs']);
    if (typeof o.address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(o.address)) {
      v.fail(`${f}.address`, 'expected a 20-byte address (0x-prefixed hex)');
    }
    const address = o.address.toLowerCase() as OperatorAddress;
    const publicKey = v.hex(o.p2pPublicKey, `${f}.p2pPublicKey`, 33);
    if (!isCompressedSecp256k1PublicKey(publicKey)) {
      v.fail(`${f}.p2pPublicKey`, 'not a compressed secp256k1 public key');
    }
    const derived = operatorAddressOf(publicKey);
    if (derived !== address) v.fail(`${f}.address`, `is not the address of p2pPublicKey (${derived})`);
    const earlier = operatorAt.get(address);
    if (earlier !== undefined) v.fail(`${f}.address`, `already listed at operators[${earlier}]`);
    const keyHex = toHex(publicKey);
    const earlierKey = keyAt.get(keyHex);
    if (earlierKey !== undefined) v.fail(`${f}.p2pPublicKey`, `already listed at operators[${earlierKey}]`);
    const multiaddrs: string[] = [];
    for (const [k, m] of v.array(o.multiaddrs, `${f}.multiaddrs`).entries()) {
      const field = `${f}.multiaddrs[${k}]`;
      if (typeof m !== 'string') v.fail(field, 'expected a multiaddr string');
      try {
        multiaddrs.push(multiaddr(m).toString());
      } catch (e) {
        v.fail(field, `not a multiaddr (${e instanceof Error ? e.message : String(e)})`);
      }
    }
    operatorAt.set(address, i);
    keyAt.set(keyHex, i);
    operators.push({ address, publicKey, multiaddrs });
  }

  const bls = options.bls ?? createBls();
  const checkKeysOf = options.checkKeysOf?.toLowerCase();
  const validators: ValidatorCommittee[] = [];
  const groupAt = new Map<string, number>();
  const indexAt = new Map<number, number>();
  for (const [i, entry] of v.array(root.validators, 'validators').entries()) {
    const f = `validators[${i}]`;
    const o = v.object(entry, f, ['groupPublicKey', 'threshold', 'members'], ['validatorIndex']);
    const groupPublicKey = v.hex(o.groupPublicKey, `${f}.groupPublicKey`, 48);
    const groupHex = toHex(groupPublicKey);
    const earlier = groupAt.get(groupHex);
    if (earlier !== undefined) v.fail(`${f}.groupPublicKey`, `already listed at validators[${earlier}]`);
    groupAt.set(groupHex, i);
    let validatorIndex: number | undefined;
    if (o.validatorIndex !== undefined) {
      validatorIndex = v.integer(o.validatorIndex, `${f}.validatorIndex`, 0);
      const earlierIndex = indexAt.get(validatorIndex);
      if (earlierIndex !== undefined) {
        v.fail(`${f}.validatorIndex`, `already used by validators[${earlierIndex}]`);
      }
      indexAt.set(validatorIndex, i);
    }
    const rawMembers = v.array(o.members, `${f}.members`);
    if (rawMembers.length === 0) v.fail(`${f}.members`, 'expected at least one member');
    const n = rawMembers.length;
    const threshold = v.integer(o.threshold, `${f}.threshold`, 1, n);
    const members: CommitteeMember[] = [];
    const memberAt = new Map<OperatorAddress, number>();
    const shareAt = new Map<number, number>();
    for (const [k, rawMember] of rawMembers.entries()) {
      const mf = `${f}.members[${k}]`;
      const m = v.object(rawMember, mf, ['operator', 'shareIndex', 'publicShare']);
      if (typeof m.operator !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(m.operator)) {
        v.fail(`${mf}.operator`, 'expected a 20-byte address (0x-prefixed hex)');
      }
      const operator = m.operator.toLowerCase() as OperatorAddress;
      if (!operatorAt.has(operator)) v.fail(`${mf}.operator`, 'not listed in operators');
      const twice = memberAt.get(operator);
      if (twice !== undefined) v.fail(`${mf}.operator`, `already a member at ${f}.members[${twice}]`);
      memberAt.set(operator, k);
      const shareIndex = v.integer(m.shareIndex, `${mf}.shareIndex`, 1, n);
      const sameIndex = shareAt.get(shareIndex);
      if (sameIndex !== undefined) v.fail(`${mf}.shareIndex`, `already used by ${f}.members[${sameIndex}]`);
      shareAt.set(shareIndex, k);
      members.push({ operator, shareIndex, publicShare: v.hex(m.publicShare, `${mf}.publicShare`, 48) });
    }
    const committee: ValidatorCommittee = {
      groupPublicKey,
      threshold,
      members,
      ...(validatorIndex === undefined ? {} : { validatorIndex }),
    };
    if (checkKeysOf === undefined || memberAt.has(checkKeysOf as OperatorAddress)) {
      const digest = options.checked === undefined ? undefined : committeeDigest(committee);
      if (digest === undefined || !options.checked?.has(digest)) {
        const fault = checkCommitteePublicShares(bls, committee);
        if (fault !== undefined) v.fail(`${f}.${fault.field}`, fault.reason);
        if (digest !== undefined) options.checked?.add(digest);
      }
    }
    validators.push({ ...committee, members: [...members].sort((a, b) => a.shareIndex - b.shareIndex) });
  }
  return { version: 1, operators, validators };
}

/** Reads and validates a cluster file (`FILE_ACCESS_FAILED` when it cannot be read). */
export async function readClusterFile(
  path: string,
  options: Omit<ParseClusterFileOptions, 'file'> = {},
): Promise<ClusterFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path, operation: 'read' }, { cause });
  }
  return parseClusterFile(text, { ...options, file: path });
}

/** The JSON text of a cluster file (2-space indented, with a final newline). */
export function formatClusterFile(cluster: ClusterFile): string {
  const json = {
    version: CLUSTER_FILE_VERSION,
    operators: cluster.operators.map((o) => ({
      address: o.address,
      p2pPublicKey: toHex(o.publicKey),
      multiaddrs: [...o.multiaddrs],
    })),
    validators: cluster.validators.map((c) => ({
      groupPublicKey: toHex(c.groupPublicKey),
      threshold: c.threshold,
      ...(c.validatorIndex === undefined ? {} : { validatorIndex: c.validatorIndex }),
      members: c.members.map((m) => ({
        operator: m.operator,
        shareIndex: m.shareIndex,
        publicShare: toHex(m.publicShare),
      })),
    })),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/**
 * Writes a cluster file atomically: to a temporary file in the same directory, then renamed over
 * `path`, so a reader (or a watching node) sees the old file or the new one, never half of one.
 * The content is not validated here; `parseClusterFile` of the result is the check.
 */
export async function writeClusterFile(path: string, cluster: ClusterFile): Promise<void> {
  await writeFileAtomic(path, formatClusterFile(cluster));
}
