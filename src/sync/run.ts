/**
 * The state of one run, shared by its phases: what was counted, seen and referred to, the mode
 * it runs in and how it ended. The phases change it; the sink receives what they decide.
 */
import type { RunLock } from './run-lock.ts';
import type { DirectorySource } from '../directory/source.ts';
import { emptyCounts, type OutcomeCode, type SyncCounts } from '../domain/outcome.ts';
import { noteSkip, type Skipped } from './wording.ts';
import type { PlanItem, SkipReason } from './planner.ts';
import type { Mode } from './run-mode.ts';
import type { SeenSet } from './seen-set.ts';
import type { GoneContext, RunSink } from './run-sink.ts';
import type { SyncDeps, SyncDomain, SyncOptions, SyncProgress } from './run-types.ts';

const countFor = (counts: SyncCounts, item: PlanItem): void => {
  switch (item.kind) {
    case 'create': counts.created++; break;
    case 'update':
      if (item.status?.to === 'deactivated') counts.deactivated++;
      else if (item.status?.to === 'active') counts.reactivated++;
      else if (item.moved) counts.moved++;
      else counts.updated++;
      break;
    case 'unchanged': counts.unchanged++; break;
    case 'conflict': counts.conflicts++; break;
    case 'invalid': counts.invalid++; break;
    case 'gone': counts.deactivated++; break;
    case 'missing': counts.failed++; break;
    case 'skip': counts.skipped++; break;
  }
};

export interface RunSetup {
  deps: SyncDeps;
  options: SyncOptions;
  domain: SyncDomain;
  source: DirectorySource;
  lock: RunLock | null;
  started: number;
  mode: Mode;
  sink: RunSink;
  seenUsers: SeenSet;
}

export class SyncRun implements GoneContext {
  readonly deps: SyncDeps;
  readonly options: SyncOptions;
  readonly domain: SyncDomain;
  readonly source: DirectorySource;
  readonly lock: RunLock | null;
  readonly started: number;
  readonly sink: RunSink;
  /** Users of this domain the directory still has (a full answer leaves the others gone). */
  readonly seenUsers: SeenSet;
  mode: Mode;
  readonly counts = emptyCounts();
  readonly skipped: Skipped = {};
  /** Referrals and continuation references the directory answered with. */
  readonly references = new Set<string>();
  seen = 0;
  /** Entries mapped (the rest were vouched for by their users' keys). */
  mapped = 0;
  held = 0;
  cancelled = false;
  error: { code: OutcomeCode; message: string } | null = null;
  mechanismReason: string | null = null;
  /** Entries change detection read (beside the users). */
  changesRead = 0;
  /** Where the next delta starts, once this run has read the directory. */
  nextCookie: string | null = null;
  /** New entries passed over because this run does not import. */
  notImported = 0;

  constructor(s: RunSetup) {
    this.deps = s.deps;
    this.options = s.options;
    this.domain = s.domain;
    this.source = s.source;
    this.lock = s.lock;
    this.started = s.started;
    this.mode = s.mode;
    this.sink = s.sink;
    this.seenUsers = s.seenUsers;
  }

  get store() { return this.deps.store; }
  get threshold() { return this.source.threshold; }
  get signal() { return this.options.signal; }
  get modeName(): string { return this.mode.kind === 'delta' ? `delta:${this.mode.mechanism.name}` : 'full'; }

  progress(phase: SyncProgress['phase']): void {
    this.options.onProgress?.({ phase, seen: this.seen, counts: { ...this.counts }, elapsedMs: Date.now() - this.started });
  }

  /** Hands a page of plan items to the sink, and counts them once the sink has written them. */
  async record(items: PlanItem[]): Promise<void> {
    // Counted now, added once written: a page that waits for its commit keeps none of its items for it.
    const page = emptyCounts();
    const skips: Array<{ reason: SkipReason; name: string }> = [];
    for (const item of items) {
      countFor(page, item);
      if (item.kind === 'skip') skips.push({ reason: item.reason, name: item.name });
    }
    // A delta run reports what it touched; entries re-read but unchanged are only counted.
    await this.sink.write(this.mode.kind === 'delta' ? items.filter((i) => i.kind !== 'unchanged') : items, () => {
      for (const key of Object.keys(page) as Array<keyof SyncCounts>) this.counts[key] += page[key];
      for (const { reason, name } of skips) { noteSkip(this.skipped, reason, name); if (reason === 'not-imported') this.notImported++; }
    });
  }
}
