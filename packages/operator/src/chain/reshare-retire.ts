// Share keystores a recorded resharing superseded leave the keys directory (a part of
// ./reshare-request.ts's settling):
//   - out of seat: the chain's validator no longer seats this operator at the keystore's share index
//     (ejected, or seated elsewhere; ./reshare-cleanup.ts `staleShareKeystores`);
//   - old generation: its seat was kept but the keystore in place is still the previous generation's
//     (its new share never arrived: pending directory lost, or not the shares the chain recorded). That
//     share is on the old polynomial: it can no longer sign with the new committee, and signing with it
//     anyway could only produce partials nobody combines (and evidence against this operator).
// Each goes only once every configured RPC URL shows the `ReshareRecorded` that justifies it at least
// `depth` blocks deep (./rpc-witnesses.ts); until then the files stay and a warning names the RPC and
// the draw/generation, and the next settling asks again.
//
// Moved aside rather than deleted: into `<keysDir>/retired/` (mode 0700, which no loader lists), named
// `<file>.superseded-gen-<g>`, the encrypted keystore unchanged. Deleting cannot be undone if every
// RPC was wrong alike (one provider behind all URLs, a reorg deeper than `depth`); a retired keystore
// is restored by moving it back. It holds nothing the keys directory did not (same encryption, same
// password), but an old share is still a share of the same key under the old polynomial, so it does
// not stay forever: `pruneRetiredKeystores` deletes each one a retention period (default 30 days)
// after its retirement, by which time the recording is final on any chain.
import { chmod, mkdir, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Address } from 'viem';
import type { OperatorAddress } from '../committee/types.ts';
import { OperatorError } from '../errors.ts';
import { shareKeystoreFileName } from '../keys/keystore.ts';
import { forgetBundledShares } from '../keys/share-cache.ts';
import type { Logger } from '../logger.ts';
import type { ChainState, ChainValidator } from './chain-state.ts';
import { staleShareKeystores } from './reshare-cleanup.ts';
import { confirmRecording, type RpcWitness, recordingClaimOf } from './rpc-witnesses.ts';

/** The archive of superseded share keystores, inside the keys directory. */
export const RETIRED_DIR = 'retired';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Moves `<keysDir>/<name>` into the archive, unchanged; returns its new path. */
export async function retireKeystore(keysDir: string, name: string, generation: number): Promise<string> {
  const dir = join(keysDir, RETIRED_DIR);
  const target = join(dir, `${name}.superseded-gen-${generation}`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700); // made earlier with another umask
    await rename(join(keysDir, name), target);
    // its modification time is the retirement's: the retention counts from it
    const now = new Date();
    await utimes(target, now, now);
  } catch (cause) {
    throw new OperatorError(
      { code: 'FILE_ACCESS_FAILED', path: join(keysDir, name), operation: 'write' },
      { cause },
    );
  }
  return target;
}

/**
 * The keystore of a kept seat that still declares the previous generation's public share (read
 * without decrypting); undefined when it is the recorded share's, absent or unreadable.
 */
async function oldGenerationKeystore(
  keysDir: string,
  v: ChainValidator,
  self: OperatorAddress,
): Promise<string | undefined> {
  const me = v.members.find((m) => m.operator === self);
  if (me === undefined || v.generation === 0) return undefined;
  const name = shareKeystoreFileName(v.groupPublicKey, me.shareIndex);
  const declared = await readFile(join(keysDir, name), 'utf8')
    .then((t) => (JSON.parse(t) as { pubkey?: unknown }).pubkey)
    .catch(() => undefined);
  return typeof declared === 'string' && declared.toLowerCase() !== hex(me.publicShare) ? name : undefined;
}

export interface RetireStaleSharesResult {
  /** File names moved to the archive. */
  readonly retired: readonly string[];
  /** File names kept because an RPC did not (yet) confirm the recording that supersedes them. */
  readonly deferred: readonly string[];
}

/**
 * Moves the share keystores the chain superseded (out of seat; old generation of a kept seat whose
 * recorded share `promoted` says was dealt with) to the archive, each validator's once every witness
 * confirms its last recording, and drops their entries from the start-up bundle `shareCacheFile`.
 */
export async function retireStaleShares(parameters: {
  readonly keysDir: string;
  readonly state: ChainState;
  readonly self: OperatorAddress;
  readonly password: string;
  readonly shareCacheFile?: string | undefined;
  readonly logger: Logger;
  readonly witnesses: readonly RpcWitness[];
  readonly registry: Address;
  readonly depth: number;
  readonly fromBlock: bigint;
  readonly promoted: (drawId: bigint, generation: number) => boolean;
}): Promise<RetireStaleSharesResult> {
  const { keysDir, state, self, logger } = parameters;
  const names = await readdir(keysDir).catch(() => [] as string[]);
  const byKey = new Map(state.validators().map((v) => [hex(v.groupPublicKey), v]));
  const stale = new Map<ChainValidator, { name: string; kept: boolean }[]>();
  const add = (v: ChainValidator, name: string, kept: boolean) =>
    stale.set(v, [...(stale.get(v) ?? []), { name, kept }]);
  for (const name of staleShareKeystores(names, state, self))
    add(byKey.get(/^keystore-([0-9a-f]{96})-/.exec(name)![1]!)!, name, false);
  for (const v of state.validators()) {
    if (!parameters.promoted(v.drawId, v.generation)) continue; // its promotion may still write there
    const name = await oldGenerationKeystore(keysDir, v, self);
    if (name !== undefined) add(v, name, true);
  }
  const retired: string[] = [];
  const deferred: string[] = [];
  for (const [v, files] of stale) {
    const log = { drawId: v.drawId.toString(), generation: v.generation };
    const check = await confirmRecording({ ...parameters, claim: recordingClaimOf(v) });
    if (!check.agreed) {
      deferred.push(...files.map((f) => f.name));
      logger.warn('resharing record not confirmed by every RPC; share keystore kept, asked again later', {
        ...log,
        rpc: check.rpc,
        reason: check.reason,
        files: files.map((f) => f.name),
      });
      continue;
    }
    if (parameters.witnesses.length === 1) {
      logger.warn('one RPC URL configured: the record was checked for depth only, not against another RPC', {
        ...log,
        depth: parameters.depth,
      });
    }
    // the bundle's decrypted copies first: a keystore gone from the keys directory is never still bundled
    if (parameters.shareCacheFile !== undefined) {
      const { shareCacheFile: cacheFile, password } = parameters;
      const forgotten = await forgetBundledShares({ cacheFile, password, files: files.map((f) => f.name) });
      if (forgotten > 0)
        logger.info('retired shares removed from the start-up bundle', { ...log, forgotten });
    }
    for (const { name, kept } of files) {
      const archived = await retireKeystore(keysDir, name, v.generation);
      retired.push(name);
      const fields = { ...log, file: name, archived, confirmedBy: parameters.witnesses.length };
      if (kept) {
        // the validator runs on the other members' shares until the resharing this member requests
        // (./share-regeneration.ts) gives this seat a share again
        logger.error(
          "this seat's share is the old generation's and cannot sign with the new committee; keystore retired, a new share is requested",
          fields,
        );
      } else {
        logger.warn('the chain recorded a resharing without this share; keystore retired', fields);
      }
    }
  }
  return { retired, deferred };
}

/** How long a retired keystore stays in the archive by default: 30 days. */
export const RETIRED_KEEP_MS = 30 * 24 * 3_600_000;

/**
 * Deletes the archived keystores retired more than `keepMs` ago (a file's modification time is its
 * retirement's, see `retireKeystore`); answers their names. Files it cannot read or delete are left
 * and named in a warning.
 */
export async function pruneRetiredKeystores(parameters: {
  readonly keysDir: string;
  readonly keepMs: number;
  readonly logger: Logger;
  readonly now?: number;
}): Promise<string[]> {
  const dir = join(parameters.keysDir, RETIRED_DIR);
  const now = parameters.now ?? Date.now();
  const names = await readdir(dir).catch(() => [] as string[]);
  const deleted: string[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      const { mtimeMs, isFile } = await stat(file).then((s) => ({ mtimeMs: s.mtimeMs, isFile: s.isFile() }));
      if (!isFile || now - mtimeMs < parameters.keepMs) continue;
      await rm(file);
      deleted.push(name);
      parameters.logger.info('retired share keystore deleted after its retention', {
        file: name,
        retiredDaysAgo: Math.floor((now - mtimeMs) / 86_400_000),
      });
    } catch (error) {
      parameters.logger.warn('retired share keystore could not be pruned; left in place', {
        file: name,
        reason: (error as Error).message,
      });
    }
  }
  return deleted;
}
