// One open node:sqlite file with the durability the slashing database needs (WAL journal,
// `synchronous=FULL`: a committed transaction is on disk before the commit returns), its prepared
// statements, and two ways to write: `transaction` (one synchronous transaction) and `batched`
// (work queued during one macrotask runs in one transaction, so many validators' records of a slot
// cost one fsync). node:sqlite is synchronous and this file has one connection, so transactions
// never interleave. Every table that must share the slashing database's durability (the sign
// guards' roots, the consensus proposals) lives in this one file.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { OperatorError } from '../errors.ts';

interface Queued {
  readonly run: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class SqliteFile {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #queue: Queued[] = [];
  #scheduled: ReturnType<typeof setImmediate> | undefined;

  /** Opens (or creates) `path` and runs `schema`; throws SLASHING_DB_FAILED naming `open`. */
  constructor(path: string, schema: string) {
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(path);
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;');
      db.exec(schema);
    } catch (cause) {
      if (db?.isOpen) db.close();
      throw new OperatorError({ code: 'SLASHING_DB_FAILED', operation: 'open' }, { cause });
    }
    this.#db = db;
  }

  get isOpen(): boolean {
    return this.#db.isOpen;
  }

  /** Runs DDL (`CREATE TABLE IF NOT EXISTS ...`) of a table hosted in this file. */
  exec(operation: string, sql: string): void {
    try {
      this.#open().exec(sql);
    } catch (cause) {
      if (cause instanceof OperatorError) throw cause;
      throw new OperatorError({ code: 'SLASHING_DB_FAILED', operation }, { cause });
    }
  }

  /** The prepared statement of `sql`, prepared once per open file. */
  prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#open().prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn` inside BEGIN IMMEDIATE ... COMMIT; the commit is synced before this returns. */
  transaction<T>(operation: string, fn: () => T): T {
    const db = this.#open();
    try {
      db.exec('BEGIN IMMEDIATE');
      const result = fn();
      db.exec('COMMIT');
      return result;
    } catch (cause) {
      if (db.isTransaction) db.exec('ROLLBACK');
      if (cause instanceof OperatorError) throw cause;
      throw new OperatorError({ code: 'SLASHING_DB_FAILED', operation }, { cause });
    }
  }

  /**
   * Queues `fn` for the transaction that runs once the current macrotask (and its microtasks) is
   * done, with everything else queued meanwhile; resolves with `fn`'s result after that transaction
   * committed. When the transaction fails every queued call rejects (nothing of it was recorded).
   * `fn` must not throw for bad input: check it before queueing.
   */
  batched<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#open();
      this.#queue.push({ run: fn, resolve: resolve as (value: unknown) => void, reject });
      this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Runs the queued calls now, in one transaction (close does, so nothing queued is left unanswered). */
  flush(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const queue = this.#queue;
    this.#queue = [];
    if (queue.length === 0) return;
    let results: unknown[];
    try {
      results = this.transaction('batchedChecks', () => queue.map((q) => q.run()));
    } catch (error) {
      for (const q of queue) q.reject(error);
      return;
    }
    for (const [i, q] of queue.entries()) q.resolve(results[i]);
  }

  /** Answers what is queued, then closes the file. */
  close(): void {
    if (!this.#db.isOpen) return;
    this.flush();
    this.#statements.clear();
    this.#db.close();
  }

  #open(): DatabaseSync {
    if (!this.#db.isOpen) throw new OperatorError({ code: 'SLASHING_DB_CLOSED' });
    return this.#db;
  }
}
