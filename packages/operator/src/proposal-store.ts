// The consensus `ProposalStore` (see @diva-dvt/consensus `persistProposals`) in the slashing
// database's file: a leader that crashes after proposing re-sends, after its restart, the proposal
// it recorded, never a second one for the same (instance, round). Same file, same durability as
// the sign guards, one file to back up and one lock. It answers at once (node:sqlite is synchronous;
// a proposal is its own committed transaction, one per leader and round): `persistProposals` then
// sends the recorded proposal in the same output and, after a restart, re-sends it once — with a
// promise it re-sends the recalled one and then the recorded one again. A failure is a rejected
// promise, never a throw (persistProposals then sends nothing). Rows carry the time they were
// recorded so `prune` keeps the table from growing forever.
import type { ProposalStore } from '@diva-dvt/consensus';
import { OperatorError } from './errors.ts';
import { checkUint, sameBytes } from './slashing/rules.ts';
import { hostedFile, type SlashingProtection } from './slashing-protection.ts';

const PROPOSALS_SCHEMA = `
CREATE TABLE IF NOT EXISTS proposals (
  instance BLOB NOT NULL,
  round INTEGER NOT NULL,
  message BLOB NOT NULL,
  recorded_at_ms INTEGER NOT NULL,
  PRIMARY KEY (instance, round)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS proposals_by_time ON proposals (recorded_at_ms);
`;

/** A `ProposalStore` on SQLite, answering at once (a rejected promise on failure), with pruning. */
export interface SqliteProposalStore extends ProposalStore {
  record(request: {
    readonly instance: Uint8Array;
    readonly round: number;
    readonly message: Uint8Array;
  }): Uint8Array | Promise<never>;
  /** This instance's recorded proposals in round order. */
  recorded(instance: Uint8Array): readonly Uint8Array[] | Promise<never>;
  /** Deletes the proposals recorded before `recordedBeforeMs` (unix ms); answers how many. */
  prune(recordedBeforeMs: number): Promise<number>;
}

export interface SqliteProposalStoreOptions {
  /** The time recorded with each proposal, for `prune` (unix ms; default `Date.now`). */
  readonly now?: () => number;
}

/** The most proposals remembered between `recorded` and the `record` that re-sends them. */
const MAX_RECALLED = 1024;

function checkInstance(instance: unknown): asserts instance is Uint8Array {
  if (!(instance instanceof Uint8Array) || instance.length === 0) {
    throw new OperatorError({
      code: 'INVALID_SLASHING_INPUT',
      field: 'instance',
      reason: 'expected a non-empty byte array',
    });
  }
}

/** `fn()`, or a rejected promise when it throws. */
function answer<T>(fn: () => T): T | Promise<never> {
  try {
    return fn();
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * A proposal store in `protection`'s open file (its table is created now). It fails, as rejected
 * promises, while the file is closed: `persistProposals` then sends nothing.
 */
export function createSqliteProposalStore(
  protection: SlashingProtection,
  options: SqliteProposalStoreOptions = {},
): SqliteProposalStore {
  const now = options.now ?? Date.now;
  protection[hostedFile]().exec('createSqliteProposalStore', PROPOSALS_SCHEMA);
  // `persistProposals` tells a recorded proposal it re-sends from the one its restarted instance
  // produces by identity: the bytes `recorded` answered are answered again by `record`, not a copy.
  const recalled = new Map<string, Uint8Array>();
  const recallKey = (instance: Uint8Array, round: number) =>
    `${Buffer.from(instance).toString('hex')}/${round}`;

  return {
    record: ({ instance, round, message }) =>
      answer(() => {
        checkInstance(instance);
        checkUint(round, 'round');
        if (!(message instanceof Uint8Array) || message.length === 0) {
          throw new OperatorError({
            code: 'INVALID_SLASHING_INPUT',
            field: 'message',
            reason: 'expected a non-empty byte array',
          });
        }
        const file = protection[hostedFile]();
        const held = file.transaction('recordProposal', () => {
          file
            .prepare(
              'INSERT INTO proposals (instance, round, message, recorded_at_ms) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
            )
            .run(instance, round, message, now());
          return (
            file
              .prepare('SELECT message FROM proposals WHERE instance = ? AND round = ?')
              .get(instance, round) as {
              message: Uint8Array;
            }
          ).message;
        });
        const key = recallKey(instance, round);
        const before = recalled.get(key);
        recalled.delete(key);
        if (before !== undefined && sameBytes(held, before)) return before;
        return sameBytes(held, message) ? message : held;
      }),

    recorded: (instance) =>
      answer(() => {
        checkInstance(instance);
        const file = protection[hostedFile]();
        const rows = file
          .prepare('SELECT round, message FROM proposals WHERE instance = ? ORDER BY round')
          .all(instance) as { round: number; message: Uint8Array }[];
        if (recalled.size + rows.length > MAX_RECALLED) recalled.clear();
        for (const row of rows) recalled.set(recallKey(instance, row.round), row.message);
        return rows.map((row) => row.message);
      }),

    async prune(recordedBeforeMs) {
      checkUint(recordedBeforeMs, 'recordedBeforeMs');
      const file = protection[hostedFile]();
      return file.transaction('pruneProposals', () =>
        Number(file.prepare('DELETE FROM proposals WHERE recorded_at_ms < ?').run(recordedBeforeMs).changes),
      );
    },
  };
}
