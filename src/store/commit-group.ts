/**
 * Commits taken together on a SQLite connection that is a sync's own (the sync thread's, and the
 * bench's sync processes, which stand for it). Each commit rewrites every index page its users touched, and a directory's
 * unordered IDs and names touch most of them, so a few pages of new users in one commit write
 * far less than a commit each (100,000 new users: 2.8 to 3.5 s against 3.1 to 3.7 s, seven runs
 * of each, alternately).
 *
 * While one holder (a run writing its pages) holds the group, the query builder's transactions
 * on the connection become parts of one SQLite transaction, opened with the first of them and
 * committed after five of them, after 150 ms, once the connection has been idle for 50 ms (the
 * run waits for its directory), or when the holder lets go. Statements between them run inside
 * it too. Meanwhile the API's thread reads what was committed before (WAL), and a write of its own
 * waits for the group: 150 ms and the page then being written at most, where it waited for one
 * page's transaction before. A transaction that fails takes back the whole group, not itself alone:
 * a savepoint each would keep the others, but costs most of what the group saves (SQLite copies
 * every page a savepoint changes). So a holder learns what landed only from `afterCommit`, and
 * from `failure` what did not. With a second holder, the group commits and nothing is grouped
 * until one of them lets go: no run's writes ride on another's.
 */
import type { DatabaseSync } from 'node:sqlite';

/** Transactions a group takes in before it commits, how long it stays open, and how long it waits idle. */
const GROUP_TRANSACTIONS = 5;
const GROUP_OPEN_MS = 150;
const GROUP_IDLE_MS = 50;

/** One holder's hold on the group. */
export interface CommitHold {
  /** Runs `callback` once what was written until now is committed: at once when nothing waits. */
  afterCommit(callback: () => void): void;
  /** What took back writes this holder was told nothing about yet; null while none were lost. */
  readonly failure: Error | null;
  /** Commits what waits and lets go. */
  release(): void;
}

export interface CommitGroup { hold(): CommitHold }

class Hold implements CommitHold {
  failure: Error | null = null;
  released = false;
  private readonly group: SqliteCommitGroup;
  constructor(group: SqliteCommitGroup) { this.group = group; }
  afterCommit(callback: () => void): void { this.group.afterCommit(callback); }
  release(): void {
    if (this.released) return;
    this.released = true;
    this.group.let(this);
  }
}

export class SqliteCommitGroup implements CommitGroup {
  private readonly db: DatabaseSync;
  private readonly holds = new Set<Hold>();
  /** The connection's transaction is the group's. */
  private open = false;
  /** A transaction of the query builder is open inside it. */
  private inner = false;
  private openedAt = 0;
  private taken = 0;
  private waiting: Array<() => void> = [];
  private idle: NodeJS.Timeout | null = null;

  constructor(db: DatabaseSync) { this.db = db; }

  hold(): CommitHold {
    const hold = new Hold(this);
    this.holds.add(hold);
    if (this.holds.size > 1) this.commitUnlessInside();
    return hold;
  }

  let(hold: Hold): void {
    this.holds.delete(hold);
    this.commitUnlessInside();
  }

  private get grouping(): boolean { return this.holds.size === 1; }

  afterCommit(callback: () => void): void {
    if (this.open) this.waiting.push(callback);
    else callback();
  }

  /** The query builder's `begin`. */
  begin(): void {
    if (this.open) { this.inner = true; return; }
    if (!this.grouping) { this.db.exec('BEGIN'); return; }
    // IMMEDIATE: the group writes, and reads between its parts must not see another writer's commit.
    this.db.exec('BEGIN IMMEDIATE');
    this.open = true;
    this.inner = true;
    this.openedAt = Date.now();
    this.taken = 0;
  }

  /** The query builder's `commit`. */
  commit(): void {
    if (!this.open) { this.db.exec('COMMIT'); return; }
    this.inner = false;
    this.taken++;
    if (!this.grouping || this.taken >= GROUP_TRANSACTIONS || Date.now() - this.openedAt >= GROUP_OPEN_MS) { this.commitGroup(true); return; }
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => { this.idle = null; this.commitUnlessInside(); }, GROUP_IDLE_MS);
    this.idle.unref();
  }

  /** The query builder's `rollback`: the whole group goes. */
  rollback(): void {
    if (!this.open) { if (this.db.isTransaction) this.db.exec('ROLLBACK'); return; }
    this.lose(new Error('a write failed, and the writes committed with it were taken back'));
  }

  /** A statement failed: if SQLite ended the transaction itself (a full disk, say), the group is gone. */
  failed(error: unknown): void {
    if (this.open && !this.db.isTransaction) this.lose(error instanceof Error ? error : new Error(String(error)));
  }

  /** Before the connection closes: what waits is committed. */
  close(): void {
    this.inner = false;
    this.commitUnlessInside();
  }

  private commitUnlessInside(): void {
    if (this.open && !this.inner) this.commitGroup(false);
  }

  private commitGroup(rethrow: boolean): void {
    if (this.idle) { clearTimeout(this.idle); this.idle = null; }
    try {
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      this.lose(error instanceof Error ? error : new Error(String(error)));
      if (rethrow) throw error;
      return;
    }
    this.open = false;
    const waiting = this.waiting.splice(0);
    for (const callback of waiting) callback();
  }

  private lose(error: Error): void {
    if (this.idle) { clearTimeout(this.idle); this.idle = null; }
    if (this.db.isTransaction) this.db.exec('ROLLBACK');
    this.open = false;
    this.inner = false;
    this.waiting = [];
    for (const hold of this.holds) hold.failure ??= error;
  }
}
