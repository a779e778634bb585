/**
 * One sync run for one domain. A full run streams the directory a page at a time; a delta run
 * re-reads only what changed since the cookie. Each page is planned against the store and applied
 * in one transaction. Deactivations come last, only from a complete answer, and wait for an admin
 * when they cross the source's threshold. An error, a timeout or a cut-off search deactivates nobody.
 */
import { INTERRUPTED_BY_SHUTDOWN, isShutdown } from '../domain/shutdown.ts';
import type { Store } from '../store/store.ts';
import type { DirectoryEntry, DirectoryPort } from '../directory/port.ts';
import { parseSource, SourceConfigError, type DirectorySource } from '../directory/source.ts';
import { DirectoryError } from '../directory/errors.ts';
import { emptyCounts, OutcomeCode, type Outcome, type SyncCounts, type SyncSummary } from '../domain/outcome.ts';
import { noteSkip, summaryLine, wouldOutcome, type Skipped } from './wording.ts';
import { externIdHex, type MappedUser } from '../domain/user.ts';
import { createMapper, type Mapper, type MapResult } from './mapper.ts';
import { planEntry, unchangedAtAGlance, type PageSnapshot, type PlanItem } from './planner.ts';
import type { StoredUser } from '../store/repositories/users.ts';
import { applyPage, outcomeOf, WRITE_BATCH, yieldToLoop } from './applier.ts';
import { SeenSet } from './seen-set.ts';
import { loadGroups, type GroupIndex } from './groups.ts';
import { FullRunRequired, TimestampMechanism, type ChangeSet } from './delta.ts';
import { chooseMechanism, forcedMechanism } from './delta-choice.ts';
import { chooseMode, stateKey } from './run-mode.ts';
import { referenceBase, under } from './references.ts';
import { deleteAfterGrace, type GoneUser } from './deactivation.ts';
import { settleDeactivations } from './settle.ts';
import { lockDomain, type RunLock } from './run-lock.ts';
import { settle } from '../store/settle.ts';
import { isStoreUnavailable } from '../store/errors.ts';

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
  /** Force a full reconcile even when a delta is possible. */
  full?: boolean;
  /** Told once the run has its domain and mode, before the directory is read (for the log). */
  onStart?: (start: SyncStart) => void;
}

export interface SyncStart { runId: number | null; domainId: number; domain: string; mode: string; modeReason: string | null }

export interface SyncProgress { phase: 'directory' | 'gone'; seen: number; counts: SyncCounts; elapsedMs: number }

export interface SyncDeps {
  store: Store;
  connect: (source: DirectorySource) => Promise<DirectoryPort>;
}

export interface SyncReport extends SyncSummary {
  /** `full`, or `delta:<mechanism>`; with the reason a full run was chosen. */
  mode: string;
  modeReason: string | null;
  /** The change detection this run used or set up (null: none), and why it was chosen when it was. */
  mechanism: string | null;
  mechanismReason: string | null;
  /** Entries the directory sent: the users read plus what change detection read. */
  entriesRead: number;
  /** Referrals and continuation references the directory answered with; not followed. */
  references: string[];
  /** Deactivations held for approval (0 unless status is awaiting-approval). */
  held: number;
  /** A dry run's plan, item by item; empty for a real run (its outcomes are in the store). */
  plan: PlanItem[];
  /** A dry run's outcomes; a real run's are read back with store.runs.outcomes(runId). */
  outcomes: Outcome[];
  /** Entries passed over, per reason, with the first few names. */
  skipped: Skipped;
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

async function* onePage(entries: Promise<DirectoryEntry[]>): AsyncGenerator<DirectoryEntry[]> {
  yield await entries;
}

/** Looks entries up by ID in batches small enough for one filter each. */
async function* byIds(directory: DirectoryPort, ids: Uint8Array[], batch: number): AsyncGenerator<DirectoryEntry[]> {
  for (let i = 0; i < ids.length; i += batch) yield await directory.usersById(ids.slice(i, i + batch));
}

/** Stable IDs in pages, as the directory's ID scan gives them. */
async function* inPages(ids: Uint8Array[], size = 1000): AsyncGenerator<Uint8Array[]> {
  for (let i = 0; i < ids.length; i += size) yield ids.slice(i, i + size);
}

export async function runSync(deps: SyncDeps, options: SyncOptions): Promise<SyncReport> {
  const { store } = deps;
  const started = Date.now();

  const { domain, source } = await sourceForDomain(store, options.domainId);
  // A dry run writes nothing and needs no lock; a real run holds its domain until it ends.
  const lock = options.dryRun ? null : await lockDomain(store, domain.id);
  if (lock && 'busy' in lock) throw new SyncError(OutcomeCode.conflict, `Another run of domain ${domain.name} is in progress (${lock.busy})`);
  try {
    return await runLocked(deps, options, domain, source, lock, started);
  } finally {
    if (lock) await settle(() => lock.release());
  }
}

async function runLocked(deps: SyncDeps, options: SyncOptions, domain: { id: number; name: string; orgId: number }, source: DirectorySource, lock: RunLock | null, started: number): Promise<SyncReport> {
  const { store } = deps;
  const counts = emptyCounts();
  const plan: PlanItem[] = [];
  const outcomes: Outcome[] = [];
  let seen = 0;
  let seq = 0;
  let held = 0;
  let error: { code: OutcomeCode; message: string } | null = null;
  let cancelled = false;
  let mode = await chooseMode(store, source, domain.id, options);
  let mechanismReason: string | null = null;
  let changesRead = 0;
  const references = new Set<string>();
  /** Deactivations because an entry became disabled: held back, to count with the absences. */
  const disabledNow: PlanItem[] = [];
  const deferDisabled = !options.dryRun && !options.only;
  const runId = options.dryRun ? null : await store.runs.start({ taskId: options.taskId ?? null, domainId: domain.id, dryRun: false, importNew: options.importNew });
  options.onStart?.({ runId, domainId: domain.id, domain: domain.name, mode: mode.kind === 'delta' ? `delta:${mode.mechanism.name}` : 'full', modeReason: mode.kind === 'full' ? mode.reason : null });
  const progress = (phase: SyncProgress['phase']) => options.onProgress?.({ phase, seen, counts: { ...counts }, elapsedMs: Date.now() - started });

  let notImported = 0;
  const skipped: Skipped = {};
  const record = async (items: PlanItem[]): Promise<void> => {
    for (const item of items) {
      countFor(counts, item);
      if (item.kind === 'skip') { noteSkip(skipped, item.reason, item.name); if (item.reason === 'not-imported') notImported++; }
    }
    if (options.dryRun) {
      for (const item of items) {
        if (item.kind === 'skip' || (mode.kind === 'delta' && item.kind === 'unchanged')) continue;
        plan.push(item);
        outcomes.push(wouldOutcome(item, outcomeOf(item, 0)));
      }
      return;
    }
    // A delta run reports what it touched; entries re-read but unchanged are only counted.
    let reported = mode.kind === 'delta' ? items.filter((i) => i.kind !== 'unchanged') : items;
    if (deferDisabled) {
      const isDisabling = (i: PlanItem) => i.kind === 'update' && i.status?.to === 'deactivated';
      disabledNow.push(...reported.filter(isDisabling));
      reported = reported.filter((i) => !isDisabling(i));
    }
    seq = await applyPage(store, { runId: runId!, firstSeq: seq, domainId: domain.id, lang: options.lang }, reported);
  };

  const seenUsers = new SeenSet(await store.users.maxId());
  const dryRunClaims = new Set<string>();
  /**
   * The stored users these entries link to. Most entries of a full run are unchanged: their sync
   * state alone says so, and only the others are read whole, for the field-by-field diff.
   */
  const linkedUsers = async (mapped: MapResult[], ids: Uint8Array[]): Promise<StoredUser[]> => {
    const next = new Map<string, MappedUser | null>();
    for (const m of mapped) {
      if (!m.ok) continue;
      const hex = externIdHex(m.user.externId);
      // Two entries with one ID are planned from the whole stored user, as before.
      next.set(hex, next.has(hex) ? null : m.user);
    }
    const states = await store.users.syncStatesByExternIds(ids);
    const atAGlance: StoredUser[] = [];
    const rest: Uint8Array[] = [];
    for (const s of states) {
      const user = s.externId ? next.get(externIdHex(s.externId)) : null;
      // The planner answers 'unchanged' for these before it reads any field they lack.
      if (user && s.domainId === domain.id && unchangedAtAGlance(s, user)) atAGlance.push({ ...s, displayName: '', aliasesJson: '[]', propertiesJson: '{}', groupsJson: '[]' });
      else if (s.externId) rest.push(s.externId);
    }
    return [...atAGlance, ...(await store.users.byExternIds(rest))];
  };
  const processPage = async (mapper: Mapper, entries: DirectoryEntry[]) => {
    // Mapping a page is the longest stretch of CPU in a run: done in slices, with the API's
    // requests let in between.
    const mapped: MapResult[] = [];
    for (let i = 0; i < entries.length; i += WRITE_BATCH) {
      await yieldToLoop();
      for (const entry of entries.slice(i, i + WRITE_BATCH)) mapped.push(mapper.map(entry));
    }
    await yieldToLoop();
    const ids = mapped.flatMap((m) => (m.ok ? [m.user.externId] : m.externId ? [m.externId] : []));
    const linked = await linkedUsers(mapped, ids);
    const byExternId = new Map(linked.filter((u) => u.externId).map((u) => [externIdHex(u.externId!), u]));
    // Names are looked up only where they can collide: new entries and renames.
    const names = mapped.flatMap((m) => (m.ok && byExternId.get(externIdHex(m.user.externId))?.username !== m.user.username ? [m.user.username] : []));
    const named = await store.users.byUsernames(names);
    const snapshot: PageSnapshot = {
      domain,
      importNew: options.importNew,
      byExternId,
      byUsername: new Map(named.map((u) => [u.username, u])),
      claimed: options.dryRun ? dryRunClaims : new Set(),
      adoptLocal: options.adoptLocal === true || source.mergeExistingUsers,
    };
    for (const u of linked) if (u.domainId === domain.id) seenUsers.add(u.id);
    const planned = mapped.map((m) => planEntry(m, snapshot));
    await yieldToLoop();
    await record(planned);
    seen += entries.length;
    await lock?.heartbeat();
    progress('directory');
  };

  /**
   * Deactivations, counted first, then applied or held: users gone (a stream of candidates, or
   * none) together with the entries that became disabled. Both kinds count toward the threshold:
   * a disabled filter that suddenly matches half the directory waits like a filter matching nobody.
   */
  const settleGone = async (candidates: (() => AsyncIterable<GoneUser[]>) | null) => {
    const disabling = disabledNow.splice(0);
    if (options.dryRun) {
      if (candidates) for await (const chunk of candidates()) await record(chunk.map((u) => ({ kind: 'gone', userId: u.id, username: u.username })));
      return;
    }
    const target = { store, runId: runId!, domainId: domain.id, lang: options.lang, threshold: source.threshold, counts, onProgress: () => progress('gone'), ...(options.signal ? { signal: options.signal } : {}) };
    const settled = await settleDeactivations(target, seq, candidates, disabling);
    seq = settled.seq;
    held += settled.held;
    if (settled.cancelled) cancelled = true;
  };

  /** Linked, active users of this domain that existed at the start and were not seen. */
  const unseen = () => (async function* () {
    for await (const chunk of store.users.linkedActiveInDomain(domain.id)) {
      yield chunk.filter((u) => seenUsers.covers(u.id) && !seenUsers.has(u.id) && !behindReference(u.dn)).map((u) => ({ id: u.id, username: u.username }));
    }
  })();
  /** A user whose entry lies behind a reference the directory did not resolve is not gone. */
  const behindReference = (dn: string | null): boolean => {
    const bases = [...references].map(referenceBase).filter((b): b is string => b !== null);
    return bases.length > 0 && under(dn, bases);
  };

  /** Linked, active users of this domain among these IDs that were not seen. */
  const unseenAmong = (ids: Uint8Array[]) => (async function* () {
    for (let i = 0; i < ids.length; i += 1000) {
      const users = await store.users.byExternIds(ids.slice(i, i + 1000));
      yield users.filter((u) => u.domainId === domain.id && seenUsers.covers(u.id) && !seenUsers.has(u.id) && u.status === 'active').map((u) => ({ id: u.id, username: u.username }));
    }
  })();

  let directory: DirectoryPort | null = null;
  let nextCookie: string | null = null;
  try {
    directory = await deps.connect(source);
    const disabled = source.users.disabledFilter ? await directory.idsMatching(source.users.disabledFilter) : new Set<string>();
    const groups: GroupIndex | null = source.groups.enabled ? await loadGroups(directory, source.groups) : null;
    const mapper = createMapper(source, disabled, groups);

    let changes: ChangeSet | null = null;
    if (mode.kind === 'delta') {
      try {
        changes = await mode.mechanism.changes(directory, mode.cookie);
      } catch (e) {
        if (!(e instanceof FullRunRequired)) throw e;
        // The server is asked again: what broke the stream may have changed what it offers.
        mode = { kind: 'full', reason: e.message, mechanism: mode.mechanism, probe: true, skippedNew: mode.skippedNew };
      }
    }
    if (mode.kind === 'full' && mode.probe) {
      // Throws MechanismUnavailable when the source forces one the server lacks: no fallback.
      const choice = await chooseMechanism(directory, source);
      mode = { ...mode, mechanism: choice.mechanism };
      mechanismReason = choice.why;
    }
    if (mode.kind === 'full' && mode.mechanism && !options.dryRun) {
      try {
        nextCookie = await mode.mechanism.position(directory);
        changesRead += mode.mechanism.positionRead ?? 0;
      } catch (e) {
        if ((e instanceof DirectoryError && e.failure !== 'search' && e.failure !== 'config') || forcedMechanism(source)) throw e;
        // The chosen mechanism failed after all: timestamps, which every server has, and say so.
        mechanismReason = `${mode.mechanism.name} failed (${(e as Error).message}); modifyTimestamp instead`;
        mode = { ...mode, mechanism: new TimestampMechanism(source) };
        nextCookie = await mode.mechanism!.position(directory);
      }
    }

    if (mode.kind === 'delta' && changes) {
      nextCookie = changes.cookie;
      changesRead = changes.read ?? 0;
      for (const r of changes.references ?? []) references.add(r);
      const ids = [...changes.changedIds];
      if (groups) {
        // Membership changes: re-read the users in touched groups, before and after the change.
        const touched = groups.groupNamesAmong(changes.changedIds);
        if (touched.size) {
          const before = await store.users.inGroups(domain.id, [...touched]);
          const after = await store.users.byDns(domain.id, groups.membersOf(touched));
          for (const u of [...before, ...after]) if (u.externId) ids.push(u.externId);
        }
      }
      for await (const page of byIds(directory, ids, 200)) {
        if (options.signal?.aborted) { cancelled = true; break; }
        await processPage(mapper, page);
      }
      if (!cancelled && source.deactivateGone) {
        if (changes.scanForDeletions) {
          // Deletions are found by what is still there: the IDs the mechanism named present, or a scan.
          const present = changes.presentIds ? inPages(changes.presentIds) : directory.ids();
          for await (const page of present) for (const u of await store.users.byExternIds(page)) if (u.domainId === domain.id) seenUsers.add(u.id);
          await settleGone(unseen);
        } else {
          // Changed entries the user filter no longer returns left the scope; deleted ones are gone.
          await settleGone(() => unseenAmong([...ids, ...changes.deletedIds]));
        }
      }
    } else {
      const pages = options.only ? onePage(directory.usersById(options.only)) : directory.users();
      for await (const entries of pages) {
        if (options.signal?.aborted) { cancelled = true; break; }
        await processPage(mapper, entries);
      }
      if (options.only) {
        const missing = (await store.users.byExternIds(options.only)).filter((u) => u.domainId === domain.id && !seenUsers.has(u.id));
        await record(missing.map((u) => ({ kind: 'missing', userId: u.id, username: u.username })));
      } else if (!cancelled && source.deactivateGone) {
        // Reached only after the directory answered every page: a complete enumeration.
        for (const r of directory.references()) references.add(r);
        await settleGone(unseen);
      }
    }
    for (const r of directory.references()) references.add(r);
    if (!cancelled && disabledNow.length) await settleGone(null);
    if (!cancelled && !options.dryRun && !options.only && source.deleteAfterDays !== null) {
      const grace = await deleteAfterGrace(store, runId!, seq, domain.id, source.deleteAfterDays);
      seq = grace.seq;
      counts.deleted += grace.deleted;
    }
    // Images no user shows any more (replaced photos, deleted users) go after a complete run.
    if (!cancelled && !options.dryRun && !options.only && mode.kind === 'full') await store.avatars.pruneUnused();
  } catch (e) {
    // A source set up wrong is the admin's to fix, not an outage: filed as such (400), not 503.
    if (e instanceof DirectoryError && e.failure === 'config') error = { code: OutcomeCode.invalid, message: `LDAP configuration error: ${e.message}` };
    else if (e instanceof DirectoryError) error = { code: OutcomeCode.unavailable, message: `Directory unavailable: ${e.message}` };
    else if (isStoreUnavailable(e)) error = { code: OutcomeCode.unavailable, message: `The database could not be written (${(e as Error).message}); users already written are whole, the rest are as before` };
    else error = { code: OutcomeCode.failed, message: `Synchronization failed: ${(e as Error).message}` };
  } finally {
    await directory?.close();
  }
  // Stopped by a shutdown rather than by a cancel: interrupted, to be run again, not ended.
  const interrupted = cancelled && isShutdown(options.signal?.reason);
  if (cancelled && !error) error = { code: OutcomeCode.unavailable, message: interrupted ? INTERRUPTED_BY_SHUTDOWN : 'Cancelled; users already written are fully updated, the rest are as before' };

  const status = error ? (interrupted ? 'interrupted' : cancelled ? 'cancelled' : 'failed') : held ? 'awaiting-approval' : 'completed';
  const modeName = mode.kind === 'delta' ? `delta:${mode.mechanism.name}` : 'full';
  const heldNote = held ? `; ${held} deactivations wait for approval (threshold: more than ${source.threshold.count} or ${source.threshold.percent} %)` : '';
  const referenceList = [...references];
  const referenceNote = referenceList.length ? `; ${referenceList.length} references not followed (entries behind them left as they are): ${referenceList.slice(0, 5).join(', ')}${referenceList.length > 5 ? ', ...' : ''}` : '';
  const message = summaryLine(counts, Date.now() - started, error?.message ?? null, options.dryRun) + heldNote + referenceNote;
  if (runId !== null) {
    await settle(() => store.runs.setMode(runId, modeName));
    await settle(() => store.runs.finish(runId, { status, counts, entriesSeen: seen, errorCode: error?.code ?? null, message }));
    if (!error && nextCookie !== null && mode.mechanism) {
      // New entries a run without import skipped must reach the next run with import: remembered
      // until a full run with import has seen them.
      const skippedNew = notImported > 0 || (mode.skippedNew && !(options.importNew && mode.kind === 'full'));
      const state = await store.syncState.get(domain.id).catch(() => undefined);
      await store.syncState.set({ domainId: domain.id, mechanism: stateKey(mode.mechanism, source, skippedNew), cookie: nextCookie, lastFullAt: mode.kind === 'full' ? new Date(started).toISOString() : state?.lastFullAt ?? new Date(started).toISOString() });
    }
  }
  return {
    runId, domainId: domain.id, dryRun: options.dryRun, status, counts, entriesSeen: seen, error,
    startedAt: new Date(started).toISOString(), finishedAt: new Date().toISOString(), message, plan, outcomes,
    mode: modeName, modeReason: mode.kind === 'full' ? mode.reason : null, held, skipped,
    mechanism: mode.mechanism?.name ?? null, mechanismReason, entriesRead: seen + changesRead, references: referenceList,
  };
}
