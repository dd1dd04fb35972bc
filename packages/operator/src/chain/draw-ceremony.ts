// One drawn committee's DKG, on disk: the ceremony file the chain fixes (committee order = share order,
// the registry's 1 ETH pre-deposit, credentials and fork version), a pending directory per (draw,
// round, committee) that `runDkgCeremony` fills in one rename, what a finished one holds (group key,
// public shares, deposit signature), and the promotion of this member's share keystore into the keys
// directory once the chain accepted the result. A pending directory that exists is a finished
// ceremony: a member restarting mid-way resumes with it (approvals), never runs the round again.
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { keccak256, toBytes } from 'viem';
import { parseClusterFile } from '../committee/cluster-file.ts';
import type { OperatorAddress } from '../committee/types.ts';
import type { CeremonyFile } from '../dkg/ceremony-file.ts';
import { CLUSTER_FILE_NAME } from '../dkg/outputs.ts';
import { OperatorError } from '../errors.ts';
import { shareKeystoreFileName } from '../keys/keystore.ts';
import type { PeerInfo } from '../p2p/types.ts';

/** The registry's first deposit (`PRE_DEPOSIT`): 1 ETH, signed by the committee. */
export const PRE_DEPOSIT_GWEI = 1_000_000_000;

export interface DrawCeremonyKey {
  readonly drawId: bigint;
  readonly round: number;
  readonly committee: readonly OperatorAddress[];
}

/** What a finished ceremony of one validator holds (the same at every member). */
export interface FinishedCeremony {
  readonly dir: string;
  readonly groupPublicKey: Uint8Array;
  /** In share-index order. */
  readonly publicShares: readonly Uint8Array[];
  readonly depositSignature: Uint8Array;
  /** This member's keystore in `dir`. */
  readonly keystore: string;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** `<stateDir>/dkg/draw-<id>-round-<r>-<committee hash>`: a new committee or round is a new ceremony. */
export function pendingDir(stateDir: string, key: DrawCeremonyKey): string {
  const committeeHash = keccak256(toBytes(key.committee.join(','))).slice(2, 14);
  return join(stateDir, 'dkg', `draw-${key.drawId}-round-${key.round}-${committeeHash}`);
}

export function drawCeremonyFile(parameters: {
  readonly operators: readonly PeerInfo[];
  readonly threshold: number;
  readonly withdrawalCredentials: Uint8Array;
  readonly forkVersion: Uint8Array;
  readonly networkName: string;
}): CeremonyFile {
  return {
    version: 1,
    operators: parameters.operators,
    threshold: parameters.threshold,
    validatorCount: 1,
    withdrawalCredentials: parameters.withdrawalCredentials,
    forkVersion: parameters.forkVersion,
    networkName: parameters.networkName,
    amountGwei: PRE_DEPOSIT_GWEI,
  };
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** The finished ceremony in `dir`, or undefined when there is none (`FILE_ACCESS_FAILED` if unreadable). */
export async function readFinishedCeremony(
  dir: string,
  self: OperatorAddress,
): Promise<FinishedCeremony | undefined> {
  if (!(await exists(join(dir, CLUSTER_FILE_NAME)))) return undefined;
  try {
    const cluster = parseClusterFile(await readFile(join(dir, CLUSTER_FILE_NAME), 'utf8'), { file: dir });
    const validator = cluster.validators[0]!;
    const me = validator.members.find((m) => m.operator === self);
    const depositFile = (await readdir(dir)).find((f) => f.startsWith('deposit_data-'));
    if (me === undefined || depositFile === undefined) return undefined;
    const deposits = JSON.parse(await readFile(join(dir, depositFile), 'utf8')) as { signature: string }[];
    return {
      dir,
      groupPublicKey: validator.groupPublicKey,
      publicShares: validator.members.map((m) => m.publicShare),
      depositSignature: Uint8Array.from(Buffer.from(deposits[0]!.signature, 'hex')),
      keystore: join(dir, shareKeystoreFileName(validator.groupPublicKey, me.shareIndex)),
    };
  } catch (cause) {
    throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path: dir, operation: 'read' }, { cause });
  }
}

/**
 * Moves this member's keystore of the accepted validator `groupPublicKey` from a pending directory of
 * `drawId` into `keysDir`, then removes the draw's pending directories. Returns the keystore's new
 * path, or undefined when no pending directory holds that validator (`FILE_ACCESS_FAILED` on I/O).
 */
export async function promoteShare(parameters: {
  readonly stateDir: string;
  readonly keysDir: string;
  readonly drawId: bigint;
  readonly groupPublicKey: Uint8Array;
  readonly self: OperatorAddress;
}): Promise<string | undefined> {
  const root = join(parameters.stateDir, 'dkg');
  const prefix = `draw-${parameters.drawId}-round-`;
  const dirs = (await readdir(root).catch(() => [] as string[])).filter((d) => d.startsWith(prefix));
  for (const name of dirs) {
    const finished = await readFinishedCeremony(join(root, name), parameters.self);
    if (finished === undefined || hex(finished.groupPublicKey) !== hex(parameters.groupPublicKey)) continue;
    const target = join(parameters.keysDir, finished.keystore.slice(finished.dir.length + 1));
    try {
      await mkdir(parameters.keysDir, { recursive: true });
      if (!(await exists(target))) await rename(finished.keystore, target);
      for (const other of dirs) await rm(join(root, other), { recursive: true, force: true });
    } catch (cause) {
      throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path: target, operation: 'write' }, { cause });
    }
    return target;
  }
  return undefined;
}
