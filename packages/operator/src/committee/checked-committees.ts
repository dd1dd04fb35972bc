// Committees whose public shares already passed the cryptographic check, remembered by a digest of
// everything the check reads (threshold, group key, each share index with its public share). At
// 10,000 validators the check costs minutes on noble and about a minute with blst, on every start
// and on every reload of the cluster file; a committee whose digest is known is not checked again.
// Kept in memory by the cluster-file source (reloads) and, with a file in the data directory,
// across restarts. A changed committee has another digest and is checked in full; the file holds
// only digests of public data, and whoever can write the data directory can replace the keys too,
// so trusting it weakens nothing. A damaged file is ignored (everything is checked again).
import { readFile } from 'node:fs/promises';
import { sha256 } from '@noble/hashes/sha2.js';
import { writeFileAtomic } from '../keys/files.ts';
import type { ValidatorCommittee } from './types.ts';

/** What `parseClusterFile` asks before checking a committee's public shares, and tells after. */
export interface CheckedCommittees {
  has(digest: string): boolean;
  add(digest: string): void;
}

export interface CheckedCommitteesFile extends CheckedCommittees {
  readonly size: number;
  /** Writes the digests (atomically) when any was added since the last write. */
  flush(): Promise<void>;
}

/** The digest of what the public-share check of one committee depends on (hex). */
export function committeeDigest(committee: ValidatorCommittee): string {
  const members = [...committee.members].sort((a, b) => a.shareIndex - b.shareIndex);
  const bytes = new Uint8Array(4 + 48 + members.length * (2 + 48));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, committee.threshold);
  bytes.set(committee.groupPublicKey, 4);
  let at = 52;
  for (const m of members) {
    view.setUint16(at, m.shareIndex);
    bytes.set(m.publicShare, at + 2);
    at += 50;
  }
  return Buffer.from(sha256(bytes)).toString('hex');
}

const HEADER = '# diva-node: committees whose public shares passed the check (sha256 digests)';

/** An in-memory set (what the cluster-file source keeps between reloads). */
export function createCheckedCommittees(): CheckedCommittees & { readonly size: number } {
  const set = new Set<string>();
  return {
    has: (d) => set.has(d),
    add: (d) => {
      set.add(d);
    },
    get size() {
      return set.size;
    },
  };
}

/** Opens (or starts) the digest file at `path`; a missing or damaged file starts empty. */
export async function openCheckedCommitteesFile(path: string): Promise<CheckedCommitteesFile> {
  const set = new Set<string>();
  try {
    const lines = (await readFile(path, 'utf8')).split('\n');
    if (lines[0] === HEADER) {
      for (const line of lines.slice(1)) if (/^[0-9a-f]{64}$/.test(line)) set.add(line);
    }
  } catch {
    // not there yet (or unreadable): everything is checked and the file is written anew
  }
  let dirty = false;
  return {
    has: (d) => set.has(d),
    add: (d) => {
      if (set.has(d)) return;
      set.add(d);
      dirty = true;
    },
    get size() {
      return set.size;
    },
    async flush() {
      if (!dirty) return;
      dirty = false;
      await writeFileAtomic(path, `${HEADER}\n${[...set].join('\n')}\n`);
    },
  };
}
