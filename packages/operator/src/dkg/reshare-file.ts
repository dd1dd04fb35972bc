// The resharing ceremony file: what the old and the new members of a committee agree on before
// they move existing validators to a new committee (same group keys, new shares). JSON, version 1:
//
//   { "version": 1, "type": "reshare",
//     "previous": { the cluster file holding the validators: version, operators, validators },
//     "validators": ["0x<group key>", ...]   (optional: default every validator of `previous`),
//     "operators": [{ "address", "p2pPublicKey", "multiaddrs" }, ...],   new committee = share order
//     "threshold": 3 }
//
// Every reshared validator must have the same committee in `previous` (same operators at the same
// share indices, same threshold): its members are the dealers, in share-index order. `previous` is
// checked in full as a cluster file (public shares interpolate to each group key), so a dealer's
// dealing can be held to its public share. `reshareFileDigest` hashes what the new keys depend on,
// not the multiaddrs, so members holding different files find out in their first message.
import { readFile } from 'node:fs/promises';
import type { Bls } from '@diva-dvt/bls-threshold';
import { sha256 } from '@noble/hashes/sha2.js';
import { type ClusterFile, parseClusterFile } from '../committee/cluster-file.ts';
import type { CommitteeMember, ValidatorCommittee } from '../committee/types.ts';
import { isOperatorError, OperatorError } from '../errors.ts';
import type { PeerInfo } from '../p2p/types.ts';
import { parseTopObject } from './ceremony-file.ts';

export interface ReshareCeremonyFile {
  readonly version: 1;
  readonly type: 'reshare';
  /** The new committee in share-index order: `operators[i]` receives share index i + 1. */
  readonly operators: readonly PeerInfo[];
  /** The new committee's threshold. */
  readonly threshold: number;
  /** The cluster file the validators come from (checked in full). */
  readonly previous: ClusterFile;
  /** The validators reshared, in file order, with their old committees. */
  readonly validators: readonly ValidatorCommittee[];
  /** The old committee (the dealers), by share index: `oldMembers[i].shareIndex === i + 1`. */
  readonly oldMembers: readonly PeerInfo[];
  readonly oldThreshold: number;
}

const REQUIRED = ['version', 'type', 'previous', 'operators', 'threshold'];
const OPTIONAL = ['validators'];
/** The dkg package's limits: 64 members, 128 validators per ceremony. */
const MAX_MEMBERS = 64;
const MAX_VALIDATORS = 128;
const toHex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;

/**
 * Parses and checks a resharing ceremony file's text. `INVALID_INPUT_FILE` names `file` and the
 * field (`previous.validators[1].members[2].publicShare`, `validators[0]`, `operators[3].address`).
 */
export function parseReshareFile(text: string, file = '<ceremony file>', bls?: Bls): ReshareCeremonyFile {
  const { o, fail } = parseTopObject(text, file, REQUIRED, OPTIONAL);
  if (o.version !== 1) fail('version', 'expected 1');
  if (o.type !== 'reshare') fail('type', 'expected "reshare"');
  // The cluster file's checks, reported as this file's fields.
  const asCluster = (value: unknown, prefix: string): ClusterFile => {
    try {
      return parseClusterFile(JSON.stringify(value), { file, ...(bls ? { bls } : {}) });
    } catch (error) {
      if (isOperatorError(error, 'INVALID_CLUSTER_FILE')) {
        const field = error.details.field;
        fail(
          prefix === '' ? field : field === '(root)' ? prefix : `${prefix}.${field}`,
          error.details.reason,
        );
      }
      throw error;
    }
  };
  const previous = asCluster(o.previous, 'previous');
  const operators = asCluster({ version: 1, operators: o.operators, validators: [] }, '').operators;
  const n = operators.length;
  if (n < 1 || n > MAX_MEMBERS) fail('operators', `expected 1..${MAX_MEMBERS} operators`);
  const threshold = o.threshold;
  if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 1 || threshold > n) {
    fail('threshold', `expected an integer in 1..${n} (the number of operators)`);
  }
  let validators: ValidatorCommittee[];
  if (o.validators === undefined) {
    validators = [...previous.validators];
    if (validators.length === 0) fail('previous.validators', 'no validator to reshare');
  } else {
    if (!Array.isArray(o.validators) || o.validators.length === 0) {
      fail('validators', 'expected a non-empty array of group public keys');
    }
    validators = [];
    for (const [i, key] of (o.validators as unknown[]).entries()) {
      const found =
        typeof key === 'string'
          ? previous.validators.find((v) => toHex(v.groupPublicKey) === key.toLowerCase())
          : undefined;
      if (found === undefined) fail(`validators[${i}]`, 'not a validator of previous');
      if (validators.includes(found as ValidatorCommittee)) fail(`validators[${i}]`, 'listed twice');
      validators.push(found as ValidatorCommittee);
    }
  }
  if (validators.length > MAX_VALIDATORS) fail('validators', `at most ${MAX_VALIDATORS} per ceremony`);
  const first = validators[0]!;
  const sameCommittee = (members: readonly CommitteeMember[]) =>
    members.length === first.members.length &&
    members.every((m, i) => m.operator === first.members[i]!.operator && m.shareIndex === i + 1);
  for (const v of validators) {
    if (v.threshold !== first.threshold || !sameCommittee(v.members)) {
      fail(
        `validators`,
        `${toHex(v.groupPublicKey)} has another committee than ${toHex(first.groupPublicKey)}: reshare one committee per ceremony`,
      );
    }
  }
  if (first.members.length > MAX_MEMBERS) fail('previous', `an old committee of at most ${MAX_MEMBERS}`);
  const oldMembers = first.members.map((m) => previous.operators.find((p) => p.address === m.operator)!);
  return {
    version: 1,
    type: 'reshare',
    operators,
    threshold: threshold as number,
    previous,
    validators,
    oldMembers,
    oldThreshold: first.threshold,
  };
}

/** The hash of everything the new shares depend on (both committees, the validators, thresholds). */
export function reshareFileDigest(ceremony: ReshareCeremonyFile): Uint8Array {
  const canonical = JSON.stringify({
    version: ceremony.version,
    operators: ceremony.operators.map((o) => [o.address, toHex(o.publicKey)]),
    threshold: ceremony.threshold,
    oldMembers: ceremony.oldMembers.map((o) => [o.address, toHex(o.publicKey)]),
    oldThreshold: ceremony.oldThreshold,
    validators: ceremony.validators.map((v) => [
      toHex(v.groupPublicKey),
      ...v.members.map((m) => toHex(m.publicShare)),
    ]),
  });
  return sha256(new TextEncoder().encode(`diva-dkg/reshare-file/v1${canonical}`));
}

/**
 * The cluster file after the ceremony: `previous` with the reshared validators' committees replaced
 * (validator indices kept), the new operators added (their entries from the ceremony file), and old
 * members left without any committee removed.
 */
export function reshareCluster(
  ceremony: ReshareCeremonyFile,
  committees: readonly ValidatorCommittee[],
): ClusterFile {
  const replaced = new Map(ceremony.validators.map((v, i) => [toHex(v.groupPublicKey), committees[i]!]));
  const validators = ceremony.previous.validators.map((v) => {
    const next = replaced.get(toHex(v.groupPublicKey));
    if (next === undefined) return v;
    return v.validatorIndex === undefined ? next : { ...next, validatorIndex: v.validatorIndex };
  });
  const used = new Set(validators.flatMap((v) => v.members.map((m) => m.operator)));
  const newAt = new Map(ceremony.operators.map((o) => [o.address, o]));
  const leaving = new Set(ceremony.oldMembers.map((o) => o.address));
  const operators = ceremony.previous.operators
    .filter((o) => used.has(o.address) || !leaving.has(o.address))
    .map((o) => newAt.get(o.address) ?? o);
  for (const o of ceremony.operators) if (!operators.some((p) => p.address === o.address)) operators.push(o);
  return { version: 1, operators, validators };
}

/** Reads and checks a resharing ceremony file (`FILE_ACCESS_FAILED` when it cannot be read). */
export async function readReshareFile(path: string, bls?: Bls): Promise<ReshareCeremonyFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path, operation: 'read' }, { cause });
  }
  return parseReshareFile(text, path, bls);
}
