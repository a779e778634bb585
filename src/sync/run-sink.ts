/**
 * Where a run's decisions go. The phases decide alike for a real run and a dry run; the sink is
 * the one place they differ: the store sink writes pages, deactivations, deletions and the run
 * record; the dry-run sink writes nothing and keeps the plan and the outcomes it would have had.
 */
import type { Store } from '../store/store.ts';
import type { Outcome, RunStatus, SyncCounts, OutcomeCode } from '../domain/outcome.ts';
import type { PlanItem } from './planner.ts';
import { applyPrepared, outcomeOf, preparePage } from './applier.ts';
import { deleteAfterGrace, type GoneUser } from './deactivation.ts';
import { settleDeactivations } from './settle.ts';
import { wouldOutcome } from './wording.ts';
import { settle } from '../store/settle.ts';
import { IdBitmap } from '../domain/id-bitmap.ts';
import { externIdHex } from '../domain/user.ts';
import type { CommitHold } from '../store/commit-group.ts';

/** A stream of users gone from the directory, readable more than once (counted, then settled). */
export type GoneCandidates = () => AsyncIterable<GoneUser[]>;

/** What settling the gone needs of the run. */
export interface GoneContext {
  readonly counts: SyncCounts;
  readonly threshold: { percent: number; count: number };
  readonly signal: AbortSignal | undefined;
  record(items: PlanItem[]): Promise<void>;
  progress(phase: 'gone'): void;
}

export interface RunEnd { mode: string; status: RunStatus; counts: SyncCounts; entriesSeen: number; errorCode: OutcomeCode | null; message: string }

/** The change-detection state the next run starts from; `lastFullAt` null: the stored one stays. */
export interface NextState { domainId: number; mechanism: string; cookie: string; lastFullAt: string | null; startedAt: string }

export interface RunSink {
  readonly runId: number | null;
  /** Whether the run leaves a cookie for the next one (a dry run leaves the stored state alone). */
  readonly keepsState: boolean;
  /** Names already taken by this run, for the planner of the next page. */
  claims(): Set<string>;
  /** A page of plan items; `written` is called once they are in the store for good (at once for a dry run). */
  write(items: PlanItem[], written: () => void): Promise<void>;
  /** Entry keys of users found unchanged, stored so the next run need not map their entries. */
  keepKeys(keys: Array<{ id: number; key: string }>): Promise<void>;
  /**
   * Runs the reading of the directory: on SQLite, as the holder of the connection's commit group
   * if it has one, whose pages are committed and counted when `work` ends, however it ends.
   */
  grouping<T>(work: () => Promise<T>): Promise<T>;
  /** Waits until every page handed over is written; throws what a write failed with. */
  flush(): Promise<void>;
  /** Whether a page still being written touches any of these users (IDs in hex) or names. */
  writing(ids: Iterable<string>, names: Iterable<string>): boolean;
  /** Entries that became disabled are held back, to be settled with the absences. */
  hasDeferred(): boolean;
  settleGone(candidates: GoneCandidates | null, run: GoneContext): Promise<{ held: number; cancelled: boolean }>;
  /** Deletes users gone longer than the grace period; returns how many. */
  deleteAfterGrace(days: number): Promise<number>;
  pruneAvatars(): Promise<void>;
  finish(end: RunEnd, next: NextState | null): Promise<void>;
  readonly plan: PlanItem[];
  readonly outcomes: Outcome[];
}

/** Users created before the store's statistics are refreshed during a run. */
const STATISTICS_AFTER = 5000;

const goneItems = (chunk: GoneUser[]): PlanItem[] => chunk.map((u) => ({ kind: 'gone', userId: u.id, username: u.username }));

/** Writes nothing: keeps the plan, the would-be outcomes, and the names it would have claimed. */
export class DryRunSink implements RunSink {
  readonly runId = null;
  readonly keepsState = false;
  readonly plan: PlanItem[] = [];
  readonly outcomes: Outcome[] = [];
  // Nothing is written between pages, so the names earlier pages would create are kept here.
  private readonly claimed = new Set<string>();

  claims(): Set<string> { return this.claimed; }

  async write(items: PlanItem[], written: () => void): Promise<void> {
    for (const item of items) {
      if (item.kind === 'skip') continue;
      this.plan.push(item);
      this.outcomes.push(wouldOutcome(item, outcomeOf(item, 0)));
    }
    written();
  }

  async keepKeys(): Promise<void> {}
  grouping<T>(work: () => Promise<T>): Promise<T> { return work(); }
  async flush(): Promise<void> {}
  writing(): boolean { return false; }
  hasDeferred(): boolean { return false; }

  async settleGone(candidates: GoneCandidates | null, run: GoneContext): Promise<{ held: number; cancelled: boolean }> {
    if (candidates) for await (const chunk of candidates()) await run.record(goneItems(chunk));
    return { held: 0, cancelled: false };
  }

  async deleteAfterGrace(): Promise<number> { return 0; }
  async pruneAvatars(): Promise<void> {}
  async finish(): Promise<void> {}
}

/**
 * `deferDisabled`: deactivations by a disabled entry wait for the deletion phase; `confirmUnchanged`:
 * users found as they were, and users created, go into bitmaps, not an outcome row and a write each (a full run).
 */
export interface StoreSinkTarget { store: Store; domainId: number; lang: string; taskId: number | null; importNew: boolean; deferDisabled: boolean; confirmUnchanged: boolean }

/** Writes the run as it goes, each page in its own transactions, outcomes numbered in order. */
export class StoreSink implements RunSink {
  readonly keepsState = true;
  readonly plan: PlanItem[] = [];
  readonly outcomes: Outcome[] = [];
  private seq = 0;
  /** Deactivations because an entry became disabled: held back, to count with the absences. */
  private readonly disabledNow: PlanItem[] = [];
  private readonly heldNames = new Set<string>();
  /** Users found as they were, with nothing to say about them: counted, and kept as one bitmap. */
  private readonly confirmed = IdBitmap.fromFirst();
  /** Users created with nothing more to say: one bitmap, written with each batch of them. */
  private readonly creations = { bitmap: IdBitmap.fromFirst() };
  /** Users created by this run, and whether the store's statistics were refreshed for them. */
  private created = 0;
  private statisticsRefreshed = false;

  private readonly t: StoreSinkTarget;
  readonly runId: number;

  private constructor(t: StoreSinkTarget, runId: number) {
    this.t = t;
    this.runId = runId;
  }

  static async start(t: StoreSinkTarget): Promise<StoreSink> {
    const runId = await t.store.runs.start({ taskId: t.taskId, domainId: t.domainId, dryRun: false, importNew: t.importNew });
    return new StoreSink(t, runId);
  }

  /**
   * What this run wrote is in the store by the next page's lookups (see `writing`): the planner
   * sees it there. Not so the names of updates held back to the end (an entry that became
   * disabled): those are claimed here, so no later entry is given a name one of them takes.
   */
  claims(): Set<string> { return new Set(this.heldNames); }

  /**
   * On PostgreSQL a page is written while the next one is read, mapped and planned (the server
   * and this process work at once); at most one page is in flight. A page whose users or names
   * the one in flight touches waits for it (`writing`), so it plans on what is written.
   * SQLite writes on this thread: each page is written before the next is planned, and on a
   * connection that is a sync's own a few pages commit together while the run reads (`grouping`,
   * commit-group.ts): each page in one transaction, counted once its commit is done.
   */
  private pending: Promise<void> = Promise.resolve();
  private hold: CommitHold | null = null;
  private inFlight = false;
  private failure: { error: unknown } | null = null;
  private readonly touchedIds = new Set<string>();
  private readonly touchedNames = new Set<string>();

  /** Whether a page's write goes on while the next page is planned (see above). */
  private get overlaps(): boolean { return this.t.store.dialect === 'postgres'; }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.inFlight = true;
    this.pending = this.pending.then(async () => {
      if (this.failure) return;
      try { await work(); } catch (error) { this.failure = { error }; }
    }).finally(() => { this.inFlight = false; });
    return this.overlaps ? Promise.resolve() : this.ready();
  }

  /** Waits for the page in flight; throws what a write or a commit failed with. */
  private async ready(): Promise<void> {
    await this.pending;
    if (this.failure) throw this.failure.error;
    if (this.hold?.failure) throw this.hold.failure;
  }

  async flush(): Promise<void> {
    await this.ready();
  }

  async grouping<T>(work: () => Promise<T>): Promise<T> {
    const hold = this.overlaps ? null : this.t.store.commitGroup?.hold() ?? null;
    if (!hold) return work();
    this.hold = hold;
    let result: T;
    try {
      result = await hold.run(work);
    } finally {
      // What the group holds is committed, and its pages counted, before the run's message is made.
      this.hold = null;
      hold.release();
    }
    if (hold.failure) throw hold.failure;
    return result;
  }

  writing(ids: Iterable<string>, names: Iterable<string>): boolean {
    if (!this.inFlight) return false;
    for (const id of ids) if (this.touchedIds.has(id)) return true;
    for (const name of names) if (this.touchedNames.has(name)) return true;
    return false;
  }

  private touch(items: PlanItem[]): void {
    this.touchedIds.clear();
    this.touchedNames.clear();
    for (const i of items) {
      if (i.kind !== 'create' && i.kind !== 'update') continue;
      this.touchedIds.add(externIdHex(i.user.externId));
      this.touchedNames.add(i.user.username);
      if (i.kind === 'update') for (const c of i.changes) if (c.field === 'username') this.touchedNames.add(c.from);
    }
  }

  async write(items: PlanItem[], written: () => void): Promise<void> {
    const confirmed: number[] = [];
    const disabling: PlanItem[] = [];
    const reported = items.filter((i) => {
      if (this.t.confirmUnchanged && i.kind === 'unchanged' && !i.note) { confirmed.push(i.userId); return false; }
      if (this.t.deferDisabled && i.kind === 'update' && i.status?.to === 'deactivated') { disabling.push(i); return false; }
      return true;
    });
    // Drawn from the items now: the write in flight holds only what it writes (see preparePage).
    // Made before the page in flight is done: on PostgreSQL the server writes that one meanwhile,
    // where it would wait for this page (1.3 s per 100,000 users) if this were made after.
    const creations = this.t.confirmUnchanged ? { creations: this.creations } : {};
    const page = preparePage(this.t.store, { domainId: this.t.domainId, lang: this.t.lang, ...creations }, reported);
    await this.ready();
    for (const id of confirmed) this.confirmed.add(id);
    for (const i of disabling) if (i.kind === 'update') { this.disabledNow.push(i); this.heldNames.add(i.user.username); }
    // Without overlap no page is ever in flight for `writing` to find.
    if (this.overlaps) this.touch(reported);
    await this.enqueue(async () => {
      const hold = this.hold;
      this.seq = await applyPrepared(this.t.store, { runId: this.runId, firstSeq: this.seq, domainId: this.t.domainId, lang: this.t.lang, ...creations }, page, hold !== null);
      this.created += page.created;
      if (hold) hold.afterCommit(written);
      else written();
      // An import into an empty table: the lookups of the next pages plan by index once the
      // statistics know the table is not empty. Once is enough: the planner scales what they say
      // by the table's current size, and each refresh cost 130 ms at 80,000 users.
      if (!this.statisticsRefreshed && this.created >= STATISTICS_AFTER) await this.refreshStatistics();
    });
  }

  private async refreshStatistics(): Promise<void> {
    this.statisticsRefreshed = true;
    await this.t.store.users.refreshStatistics();
  }

  async keepKeys(keys: Array<{ id: number; key: string }>): Promise<void> {
    if (keys.length) await this.enqueue(() => this.t.store.users.setEntryKeys(keys));
  }

  hasDeferred(): boolean { return this.disabledNow.length > 0; }

  async settleGone(candidates: GoneCandidates | null, run: GoneContext): Promise<{ held: number; cancelled: boolean }> {
    await this.flush();
    const disabling = this.disabledNow.splice(0);
    const { store, domainId, lang } = this.t;
    const target = { store, runId: this.runId, domainId, lang, threshold: run.threshold, counts: run.counts, onProgress: () => run.progress('gone'), ...(run.signal ? { signal: run.signal } : {}) };
    const settled = await settleDeactivations(target, this.seq, candidates, disabling);
    this.seq = settled.seq;
    return { held: settled.held, cancelled: settled.cancelled };
  }

  async deleteAfterGrace(days: number): Promise<number> {
    await this.flush();
    const grace = await deleteAfterGrace(this.t.store, this.runId, this.seq, this.t.domainId, days);
    this.seq = grace.seq;
    return grace.deleted;
  }

  async pruneAvatars(): Promise<void> { await this.flush(); await this.t.store.avatars.pruneUnused(); }

  async finish(end: RunEnd, next: NextState | null): Promise<void> {
    const { store } = this.t;
    // A run that failed mid-read may leave a page in flight: the record is written after it, whatever it did.
    await this.pending;
    const { mode, ...record } = end;
    const { confirmed } = this;
    if (confirmed.size) await settle(() => store.transaction((tx) => tx.runs.confirm(this.runId, this.t.domainId, confirmed)));
    await settle(() => store.runs.setMode(this.runId, mode));
    await settle(() => store.runs.finish(this.runId, record));
    if (!next) return;
    const state = next.lastFullAt === null ? await store.syncState.get(next.domainId).catch(() => undefined) : undefined;
    await store.syncState.set({ domainId: next.domainId, mechanism: next.mechanism, cookie: next.cookie, lastFullAt: next.lastFullAt ?? state?.lastFullAt ?? next.startedAt });
  }
}
