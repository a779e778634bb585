/**
 * Commits taken together on a SQLite connection that is a sync's own (the sync thread's, and the
 * bench's sync processes, which stand for it). Each commit rewrites every index page its users
 * touched, and a directory's unordered IDs and names touch most of them, so a few pages of new
 * users in one commit write far less than a commit each (100,000 new users: 3.3 to 3.8 s against
 * 3.6 to 4.4 s, five runs of each, alternately, where ldapsearch took 1.1 s for the same entries).
 *
 * A run holds the group while it reads (`CommitHold.run`): the query builder's transactions it
 * makes become parts of one SQLite transaction, opened with the first and committed after five,
 * once the first is 150 ms old (checked as each ends), after 50 ms idle (the run waits for its
 * directory), or when the run lets go. Meanwhile the API's thread reads what was committed
 * before (WAL); a write of its own waits for the group as it waited for one page's transaction.
 *
 * Only the holder's own statements join the group: anything else on the connection (another
 * task's bookkeeping, another run) commits the group first and runs by itself, and while two
 * hold, nothing is grouped. A transaction of the holder that fails takes back the whole group,
 * not itself alone: a savepoint each would keep the others, but costs most of what the group
 * saves (SQLite copies every page a savepoint changes). So the holder learns what landed only
 * from `afterCommit`, learns from `failure` what did not, and can write nothing more until it
 * lets go.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabaseSync } from 'node:sqlite';

/** When a group commits: after this many transactions, this old, or this long idle. */
export interface CommitTiming { transactions: number; openMs: number; idleMs: number }
const DEFAULT_TIMING: CommitTiming = { transactions: 5, openMs: 150, idleMs: 50 };

/** One holder's hold on the group. */
export interface CommitHold {
  /** Runs `work` as the holder: its transactions are the ones grouped. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Runs `callback` once what the holder wrote until now is committed; never if it is taken back. */
  afterCommit(callback: () => void): void;
  /** What took back writes of the holder's; null while none were lost. */
  readonly failure: Error | null;
  /** Commits what waits and lets go. */
  release(): void;
}

export interface CommitGroup { hold(): CommitHold }

const holder = new AsyncLocalStorage<Hold>();

class Hold implements CommitHold {
  failure: Error | null = null;
  private readonly group: SqliteCommitGroup;
  private released = false;
  constructor(group: SqliteCommitGroup) { this.group = group; }
  run<T>(work: () => Promise<T>): Promise<T> { return holder.run(this, work); }
  afterCommit(callback: () => void): void { if (!this.failure) this.group.afterCommit(this, callback); }
  release(): void {
    if (this.released) return;
    this.released = true;
    this.group.letGo(this);
  }
}

export class SqliteCommitGroup implements CommitGroup {
  private readonly db: DatabaseSync;
  private readonly timing: CommitTiming;
  private readonly holds = new Set<Hold>();
  /** The holder whose transactions the open group holds; null while none is open. */
  private owner: Hold | null = null;
  /** A transaction of the query builder is open inside the group. */
  private inner = false;
  private openedAt = 0;
  private taken = 0;
  private waiting: Array<() => void> = [];
  private idle: NodeJS.Timeout | null = null;

  constructor(db: DatabaseSync, timing: CommitTiming = DEFAULT_TIMING) { this.db = db; this.timing = timing; }

  hold(): CommitHold {
    const hold = new Hold(this);
    this.holds.add(hold);
    if (this.holds.size > 1) this.commitUnlessInside();
    return hold;
  }

  letGo(hold: Hold): void {
    this.holds.delete(hold);
    if (this.owner === hold) this.commitUnlessInside();
  }

  afterCommit(hold: Hold, callback: () => void): void {
    if (this.owner === hold) this.waiting.push(callback);
    else callback();
  }

  /** Before any statement: one that is not the holder's commits the group first, to run alone. */
  beforeStatement(): void {
    if (this.owner && !this.inner && holder.getStore() !== this.owner) this.commitGroup(false);
  }

  /** The query builder's `begin`. */
  begin(): void {
    this.beforeStatement();
    if (this.owner) { this.inner = true; return; }
    const hold = holder.getStore();
    if (hold?.failure && this.holds.has(hold)) throw hold.failure;
    if (!hold || this.holds.size !== 1 || !this.holds.has(hold)) { this.db.exec('BEGIN'); return; }
    // IMMEDIATE: the group writes, and reads between its parts must not see another writer's commit.
    this.db.exec('BEGIN IMMEDIATE');
    this.owner = hold;
    this.inner = true;
    this.openedAt = Date.now();
    this.taken = 0;
  }

  /** The query builder's `commit`. */
  commit(): void {
    if (!this.owner) { this.db.exec('COMMIT'); return; }
    this.inner = false;
    this.taken++;
    const { transactions, openMs, idleMs } = this.timing;
    if (this.holds.size !== 1 || this.taken >= transactions || Date.now() - this.openedAt >= openMs) { this.commitGroup(true); return; }
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => { this.idle = null; this.commitUnlessInside(); }, idleMs);
    this.idle.unref();
  }

  /** The query builder's `rollback`: inside the group, the whole group goes. */
  rollback(): void {
    if (!this.owner) { if (this.db.isTransaction) this.db.exec('ROLLBACK'); return; }
    this.lose(new Error('a write failed, and the writes committed with it were taken back'));
  }

  /** A statement failed: if SQLite ended the transaction itself (a full disk, say), the group is gone. */
  failed(error: unknown): void {
    if (this.owner && !this.db.isTransaction) this.lose(error instanceof Error ? error : new Error(String(error)));
  }

  /** Before the connection closes: what waits is committed, a transaction half done is not. */
  close(): void {
    if (this.owner && this.inner) this.lose(new Error('the store closed during a write; the writes committed with it were taken back'));
    else this.commitUnlessInside();
  }

  private commitUnlessInside(): void {
    if (this.owner && !this.inner) this.commitGroup(false);
  }

  private commitGroup(rethrow: boolean): void {
    if (this.idle) { clearTimeout(this.idle); this.idle = null; }
    try {
      this.db.exec('COMMIT');
    } catch (error) {
      this.lose(error instanceof Error ? error : new Error(String(error)));
      if (rethrow) throw error;
      return;
    }
    this.owner = null;
    const waiting = this.waiting.splice(0);
    for (const callback of waiting) callback();
  }

  private lose(error: Error): void {
    if (this.idle) { clearTimeout(this.idle); this.idle = null; }
    if (this.db.isTransaction) this.db.exec('ROLLBACK');
    this.owner!.failure ??= error;
    this.owner = null;
    this.inner = false;
    this.waiting = [];
  }
}
