/**
 * Lets Kysely's SqliteDialect drive `node:sqlite`, so the embedded store needs no native addon.
 * The dialect expects better-sqlite3's statement API; these few lines translate it.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { SqliteCommitGroup, type CommitGroup, type CommitTiming } from './commit-group.ts';

interface Statement {
  readonly reader: boolean;
  all(parameters: ReadonlyArray<unknown>): unknown[];
  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint };
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown>;
}

/**
 * SQLite binds no booleans or undefined; a list without them (nearly all) is passed as it is.
 * Indexed, not `for…of`: the iterator gave an object per value (88 MB for 100,000 new users).
 */
const toInput = (parameters: ReadonlyArray<unknown>): SQLInputValue[] => {
  for (let i = 0; i < parameters.length; i++) {
    const p = parameters[i];
    if (typeof p === 'boolean' || p === undefined) return parameters.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v === undefined ? null : v) as SQLInputValue);
  }
  return parameters as SQLInputValue[];
};

/** Parameters given as a list of rows (arrays, which SQLite cannot bind): one run per row. */
const isRows = (parameters: ReadonlyArray<unknown>): parameters is ReadonlyArray<ReadonlyArray<unknown>> => parameters.length > 0 && Array.isArray(parameters[0]);

/**
 * Runs a one-row statement for each row, in one call from the query builder: many rows without
 * a round of its bookkeeping each. A statement of many VALUES rows does the same work in one go
 * but may fail after writing some of them, so SQLite first copies every page it changes to a
 * statement journal to undo it by (a temporary file, for a batch of users spread over the
 * indexes); a one-row statement needs none. 100,000 new users took 1.9 to 2.0 s this way
 * against 3.0 to 3.1 s as statements of 500 rows. A row that fails leaves the rows before it:
 * inside a transaction, the error rolls the transaction back; outside one, this makes its own.
 */
function runEach(db: DatabaseSync, statement: StatementSync, rows: ReadonlyArray<ReadonlyArray<unknown>>): { changes: number; lastInsertRowid: number | bigint } {
  const own = !db.isTransaction;
  if (own) db.exec('BEGIN');
  try {
    let changes = 0;
    let lastInsertRowid: number | bigint = 0;
    for (const row of rows) {
      const result = statement.run(...toInput(row));
      changes += Number(result.changes);
      lastInsertRowid = result.lastInsertRowid;
    }
    if (own) db.exec('COMMIT');
    return { changes, lastInsertRowid };
  } catch (error) {
    if (own && db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** Prepared statements kept by SQL text: a sync runs the same few statements thousands of times. */
const CACHE_SIZE = 200;
const rollback = /^\s*rollback\b/i;

/** The query builder's own transaction statements, which a commit group takes over. */
const TRANSACTION_CONTROL = new Set(['begin', 'commit', 'rollback']);

/**
 * `groupCommits`: the connection is a sync's own, and its runs' pages may commit together (see
 * commit-group.ts; timing other than the usual for tests); never for a connection that answers
 * the API, whose writes are committed when they are answered.
 */
export function openSqlite(path: string, options: { groupCommits?: boolean | CommitTiming } = {}): { close(): void; prepare(sql: string): Statement; raw: DatabaseSync; group: CommitGroup | null } {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  // A directory's IDs and names arrive in no order, so each page of new users lands on pages all
  // over the ID and name indexes. With SQLite's 2 MB page cache those were read again from the
  // file for every page; 16 MB (taken only as pages are read) keeps the indexes of 100,000 users.
  // Each commit then writes megabytes of index pages to the WAL: a checkpoint every 4 MB (the
  // default) made nearly every commit copy the WAL back and sync the file; every 64 MB, few do.
  // Together: 3.4 s to 2.3 s for 100,000 new users in random order, 1,000 a transaction.
  db.exec('PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 16384;');
  const cache = new Map<string, Statement>();
  const { groupCommits } = options;
  const group = groupCommits ? new SqliteCommitGroup(db, typeof groupCommits === 'object' ? groupCommits : undefined) : null;
  /** A statement not of the group's holder commits the group first; one that failed may have ended it. */
  const told = <T>(work: () => T): T => {
    group!.beforeStatement();
    try { return work(); } catch (error) { group!.failed(error); throw error; }
  };
  return {
    raw: db,
    group,
    close: () => { group?.close(); db.close(); },
    prepare(sql) {
      if (group && TRANSACTION_CONTROL.has(sql)) {
        const control = sql === 'begin' ? () => group.begin() : sql === 'commit' ? () => group.commit() : () => group.rollback();
        return { reader: false, all: () => [], iterate: () => [][Symbol.iterator](), run: () => { control(); return { changes: 0, lastInsertRowid: 0 }; } };
      }
      const hit = cache.get(sql);
      if (hit) { cache.delete(sql); cache.set(sql, hit); return hit; }
      const statement = db.prepare(sql);
      const prepared: Statement = {
        reader: statement.columns().length > 0,
        all: (parameters) => statement.all(...toInput(parameters)),
        // SQLite ends a transaction itself when a write fails with a full disk or an I/O error;
        // a ROLLBACK then would fail too and hide the error that says what happened.
        run: rollback.test(sql)
          ? (parameters) => (db.isTransaction ? statement.run(...toInput(parameters)) : { changes: 0, lastInsertRowid: 0 })
          : (parameters) => (isRows(parameters) ? runEach(db, statement, parameters) : statement.run(...toInput(parameters))),
        iterate: (parameters) => statement.iterate(...toInput(parameters)) as IterableIterator<unknown>,
      };
      const kept: Statement = group
        ? { reader: prepared.reader, all: (p) => told(() => prepared.all(p)), run: (p) => told(() => prepared.run(p)), iterate: (p) => told(() => prepared.iterate(p)) }
        : prepared;
      cache.set(sql, kept);
      if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
      return kept;
    },
  };
}
