/**
 * One sync run for one domain: stream the directory a page at a time, plan each page against the
 * store, apply it in one transaction, and only after a complete enumeration deactivate the users
 * whose entries are gone. An error, a timeout or a cut-off search deactivates nobody.
 */
import type { Store } from '../store/store.ts';
import type { DirectoryEntry, DirectoryPort } from '../directory/port.ts';
import { parseSource, SourceConfigError, type DirectorySource } from '../directory/source.ts';
import { DirectoryError } from '../directory/errors.ts';
import { emptyCounts, OutcomeCode, summaryMessage, type Outcome, type SyncCounts, type SyncSummary } from '../domain/outcome.ts';
import { externIdHex } from '../domain/user.ts';
import { createMapper } from './mapper.ts';
import { planEntry, type PageSnapshot, type PlanItem } from './planner.ts';
import { applyPage, outcomeOf } from './applier.ts';
import { SeenSet } from './seen-set.ts';

async function* onePage(entries: Promise<DirectoryEntry[]>): AsyncGenerator<DirectoryEntry[]> {
  yield await entries;
}

export class SyncError extends Error {
  readonly code: OutcomeCode;
  constructor(code: OutcomeCode, message: string) {
    super(message);
    this.name = 'SyncError';
    this.code = code;
  }
}

export interface SyncOptions {
  domainId: number;
  importNew: boolean;
  lang: string;
  dryRun: boolean;
  taskId?: number | null;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  /** Sync only the entries with these stable IDs (one search); no deletion phase. */
  only?: Uint8Array[];
  /** Link a local user of the same name (importUser with force). */
  adoptLocal?: boolean;
}

export interface SyncProgress { phase: 'directory' | 'gone'; seen: number; counts: SyncCounts; elapsedMs: number }

export interface SyncDeps {
  store: Store;
  connect: (source: DirectorySource) => Promise<DirectoryPort>;
}

export interface SyncReport extends SyncSummary {
  /** A dry run's plan, item by item; empty for a real run (its outcomes are in the store). */
  plan: PlanItem[];
  /** A dry run's outcomes; a real run's are read back with store.runs.outcomes(runId). */
  outcomes: Outcome[];
}

/** Resolves the source a domain syncs from, or says why it cannot sync. */
export async function sourceForDomain(store: Store, domainId: number): Promise<{ domain: { id: number; name: string; orgId: number }; source: DirectorySource }> {
  const domain = await store.domains.get(domainId);
  if (!domain) throw new SyncError(OutcomeCode.gone, `Domain ${domainId} not found`);
  const saved = await store.sources.effective(domain.orgId);
  if (!saved) throw new SyncError(OutcomeCode.unavailable, 'LDAP is not configured for this domain');
  let source: DirectorySource;
  try {
    source = parseSource(saved.config);
  } catch (e) {
    if (e instanceof SourceConfigError) throw new SyncError(OutcomeCode.failed, e.message);
    throw e;
  }
  if (source.disabled) throw new SyncError(OutcomeCode.unavailable, 'LDAP service is disabled');
  return { domain, source };
}

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

export async function runSync(deps: SyncDeps, options: SyncOptions): Promise<SyncReport> {
  const { store } = deps;
  const started = Date.now();
  const counts = emptyCounts();
  const plan: PlanItem[] = [];
  const outcomes: Outcome[] = [];
  let seen = 0;
  let seq = 0;
  let error: { code: OutcomeCode; message: string } | null = null;
  let cancelled = false;

  const { domain, source } = await sourceForDomain(store, options.domainId);
  const runId = options.dryRun ? null : await store.runs.start({ taskId: options.taskId ?? null, domainId: domain.id, dryRun: false, importNew: options.importNew });
  const progress = (phase: SyncProgress['phase']) => options.onProgress?.({ phase, seen, counts: { ...counts }, elapsedMs: Date.now() - started });

  const record = async (items: PlanItem[]): Promise<void> => {
    for (const item of items) countFor(counts, item);
    if (options.dryRun) {
      for (const item of items) {
        if (item.kind === 'skip') continue;
        plan.push(item);
        outcomes.push(outcomeOf(item, 0));
      }
      return;
    }
    seq = await applyPage(store, { runId: runId!, firstSeq: seq, domainId: domain.id, lang: options.lang }, items);
  };

  const seenUsers = new SeenSet(await store.users.maxId());
  const dryRunClaims = new Set<string>();
  let directory: DirectoryPort | null = null;
  try {
    directory = await deps.connect(source);
    const disabled = source.users.disabledFilter ? await directory.idsMatching(source.users.disabledFilter) : new Set<string>();
    const mapper = createMapper(source, disabled);
    const pages: AsyncIterable<DirectoryEntry[]> = options.only ? onePage(directory.usersById(options.only)) : directory.users();
    for await (const entries of pages) {
      if (options.signal?.aborted) { cancelled = true; break; }
      const mapped = entries.map((e) => mapper.map(e));
      const ids = mapped.flatMap((m) => (m.ok ? [m.user.externId] : m.externId ? [m.externId] : []));
      const names = mapped.flatMap((m) => (m.ok ? [m.user.username] : []));
      const [linked, named] = await Promise.all([store.users.byExternIds(ids), store.users.byUsernames(names)]);
      const snapshot: PageSnapshot = {
        domain,
        importNew: options.importNew,
        byExternId: new Map(linked.filter((u) => u.externId).map((u) => [externIdHex(u.externId!), u])),
        byUsername: new Map(named.map((u) => [u.username, u])),
        claimed: options.dryRun ? dryRunClaims : new Set(),
        adoptLocal: options.adoptLocal === true,
      };
      for (const u of linked) if (u.domainId === domain.id) seenUsers.add(u.id);
      await record(mapped.map((m) => planEntry(m, snapshot)));
      seen += entries.length;
      progress('directory');
    }
    if (options.only) {
      const missing = (await store.users.byExternIds(options.only)).filter((u) => u.domainId === domain.id && !seenUsers.has(u.id));
      await record(missing.map((u) => ({ kind: 'missing', userId: u.id, username: u.username })));
    } else if (!cancelled && source.deactivateGone) {
      // Reached only after the directory answered every page: a complete enumeration.
      for await (const chunk of store.users.linkedInDomain(domain.id)) {
        if (options.signal?.aborted) { cancelled = true; break; }
        const gone = chunk.filter((u) => seenUsers.covers(u.id) && !seenUsers.has(u.id) && u.status === 'active');
        await record(gone.map((u) => ({ kind: 'gone', userId: u.id, username: u.username })));
        progress('gone');
      }
    }
  } catch (e) {
    if (e instanceof DirectoryError) error = { code: OutcomeCode.unavailable, message: `Directory unavailable: ${e.message}` };
    else error = { code: OutcomeCode.failed, message: `Synchronization failed: ${(e as Error).message}` };
  } finally {
    await directory?.close();
  }
  if (cancelled && !error) error = { code: OutcomeCode.unavailable, message: 'Cancelled; users already written are fully updated, the rest are as before' };

  const status = error ? (cancelled ? 'cancelled' : 'failed') : 'completed';
  const message = summaryMessage(counts, Date.now() - started, error?.message ?? null);
  if (runId !== null) {
    await store.runs.finish(runId, { status, counts, entriesSeen: seen, errorCode: error?.code ?? null, message }).catch(() => undefined);
  }
  return {
    runId, domainId: domain.id, dryRun: options.dryRun, status, counts, entriesSeen: seen, error,
    startedAt: new Date(started).toISOString(), finishedAt: new Date().toISOString(), message, plan, outcomes,
  };
}
