// A `CommitteeSource` backed by a cluster file: the validators whose committee includes this
// operator, and as peers every other member of those committees. With `watch`, the file is
// re-read when it changes (fs.watch on its directory, because an atomic replace swaps the inode,
// debounced) and listeners get the new snapshot; a bad new file keeps the old snapshot and is
// logged with the field at fault, never thrown into the node.
import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Bls } from '@diva-dvt/bls-threshold';
import { isOperatorError, OperatorError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import type { PeerInfo } from '../p2p/types.ts';
import {
  type CheckedCommittees,
  type CheckedCommitteesFile,
  createCheckedCommittees,
  openCheckedCommitteesFile,
} from './checked-committees.ts';
import { type ClusterFile, parseClusterFile } from './cluster-file.ts';
import type { CommitteeSnapshot, CommitteeSource, OperatorAddress, ValidatorCommittee } from './types.ts';

export interface ClusterFileSourceParameters {
  readonly path: string;
  /** This operator's address. */
  readonly self: OperatorAddress;
  /** Re-read the file when it changes (default false). */
  readonly watch?: boolean;
  /** Quiet time after the last change event before the file is re-read (default 100 ms). */
  readonly debounceMs?: number;
  /** Parses the G1 points (default noble; pass a blst-backed `Bls` for large files). */
  readonly bls?: Bls;
  /**
   * Where the digests of committees that passed the public-share check are kept across restarts
   * (e.g. `<dataDir>/checked-committees.txt`); reloads skip checked committees in any case.
   */
  readonly checkedCommitteesFile?: string;
  readonly logger?: Logger;
}

export interface ClusterFileSource extends CommitteeSource {
  /** Re-reads the file now (what a change event does); resolves once the new snapshot is applied or rejected. */
  reload(): Promise<void>;
}

/** The snapshot of `cluster` for operator `self` (version given by the caller). */
export function committeeSnapshotOf(
  cluster: ClusterFile,
  self: OperatorAddress,
  version: number,
): CommitteeSnapshot {
  const me = self.toLowerCase();
  const validators: ValidatorCommittee[] = cluster.validators.filter((c) =>
    c.members.some((m) => m.operator === me),
  );
  const peerAddresses = new Set<string>();
  for (const c of validators) for (const m of c.members) if (m.operator !== me) peerAddresses.add(m.operator);
  const peers: PeerInfo[] = cluster.operators.filter((o) => peerAddresses.has(o.address));
  return { version, validators, peers };
}

/** What of a snapshot matters to listeners, as comparable text (the version aside). */
function contentOf(snapshot: CommitteeSnapshot): string {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  return JSON.stringify({
    v: snapshot.validators.map((c) => [
      hex(c.groupPublicKey),
      c.threshold,
      c.validatorIndex ?? null,
      c.members.map((m) => [m.operator, m.shareIndex, hex(m.publicShare)]),
    ]),
    p: snapshot.peers.map((p) => [p.address, hex(p.publicKey), p.multiaddrs]),
  });
}

/**
 * The cluster-file committee source. The constructor does no I/O; `start()` reads the file (and
 * throws its `INVALID_CLUSTER_FILE` or `FILE_ACCESS_FAILED` error: a node must not start on a bad
 * file). Cryptographic checks run only for committees that include `self`.
 */
export function createClusterFileSource(parameters: ClusterFileSourceParameters): ClusterFileSource {
  const { path } = parameters;
  const self = parameters.self.toLowerCase() as OperatorAddress;
  const logger = parameters.logger ?? silentLogger;
  const debounceMs = parameters.debounceMs ?? 100;
  const listeners: ((snapshot: CommitteeSnapshot) => void)[] = [];
  let snapshot: CommitteeSnapshot | undefined;
  let content = '';
  // The text last parsed, and the last text rejected: a change event with identical bytes (a touch,
  // a rewrite, a second event of one save) parses nothing and logs nothing again.
  let lastText: string | undefined;
  let rejectedText: string | undefined;
  let watcher: FSWatcher | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  // committees checked so far: in memory, or backed by the file once start() opened it
  let checked: CheckedCommittees | CheckedCommitteesFile = createCheckedCommittees();
  // Reloads run one at a time: a change during a reload schedules one more.
  let reloading: Promise<void> = Promise.resolve();

  /** The file parsed, or undefined when its text has not changed since the last successful parse. */
  const read = async (): Promise<ClusterFile | undefined> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path, operation: 'read' }, { cause });
    }
    if (text === lastText || text === rejectedText) return undefined;
    try {
      const cluster = parseClusterFile(text, {
        file: path,
        checkKeysOf: self,
        checked,
        ...(parameters.bls ? { bls: parameters.bls } : {}),
      });
      if ('flush' in checked) {
        // a cache that cannot be written costs only time at the next start
        await checked
          .flush()
          .catch((error: unknown) =>
            logger.warn('cannot write the checked-committees file', { error: String(error) }),
          );
      }
      lastText = text;
      rejectedText = undefined;
      return cluster;
    } catch (error) {
      rejectedText = text;
      throw error;
    }
  };

  const apply = (cluster: ClusterFile | undefined): void => {
    if (cluster === undefined) return;
    const next = committeeSnapshotOf(cluster, self, (snapshot?.version ?? 0) + 1);
    const nextContent = contentOf(next);
    if (snapshot !== undefined && nextContent === content) return;
    if (!cluster.operators.some((o) => o.address === self)) {
      logger.warn('this operator is not listed in the cluster file', { file: path, self });
    }
    snapshot = next;
    content = nextContent;
    logger.info('committees loaded', {
      file: path,
      version: next.version,
      validators: next.validators.length,
      peers: next.peers.length,
    });
    for (const listener of listeners) {
      try {
        listener(next);
      } catch (error) {
        logger.error('a committee listener failed', { error: String(error) });
      }
    }
  };

  const reloadOnce = async (): Promise<void> => {
    try {
      apply(await read());
    } catch (error) {
      // Keep the old snapshot: a half-edited or wrong file must not take validators away.
      const fields = isOperatorError(error, 'INVALID_CLUSTER_FILE')
        ? { file: path, field: error.details.field, reason: error.details.reason }
        : { file: path, error: error instanceof Error ? error.message : String(error) };
      logger.error('cluster file rejected; keeping the previous committees', fields);
    }
  };

  const reload = (): Promise<void> => {
    reloading = reloading.then(reloadOnce);
    return reloading;
  };

  const schedule = (): void => {
    if (watcher === undefined) return; // stopped (or not watching)
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (watcher !== undefined) void reload();
    }, debounceMs);
  };

  return {
    async start() {
      if (running) throw new OperatorError({ code: 'ALREADY_STARTED' });
      if (parameters.checkedCommitteesFile !== undefined && !('flush' in checked)) {
        checked = await openCheckedCommitteesFile(parameters.checkedCommitteesFile);
      }
      if (parameters.watch) {
        // Watch before the first read, so that a change during it is not missed. The directory is
        // watched, not the file: an atomic replace (rename) swaps the file's inode. Names starting
        // with `..` are Kubernetes' ConfigMap swaps (`..data` is re-pointed, the file is a symlink).
        const name = basename(path);
        try {
          watcher = watch(dirname(path), (_event, filename) => {
            if (filename === null || filename === name || filename.startsWith('..')) schedule();
          });
        } catch (cause) {
          throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path, operation: 'watch' }, { cause });
        }
        watcher.on('error', (error) =>
          logger.error('watching the cluster file failed', { file: path, error: error.message }),
        );
      }
      // In the reload chain, so that a reload scheduled meanwhile applies after it, not before.
      const first = reloading.then(async () => apply(await read()));
      reloading = first.catch(() => {});
      try {
        await first;
      } catch (error) {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        watcher?.close();
        watcher = undefined;
        throw error;
      }
      running = true;
    },
    async stop() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      watcher?.close();
      watcher = undefined;
      await reloading;
    },
    current() {
      if (snapshot === undefined) throw new OperatorError({ code: 'NOT_STARTED', request: 'current' });
      return snapshot;
    },
    onChange(listener) {
      listeners.push(listener);
    },
    reload,
  };
}
