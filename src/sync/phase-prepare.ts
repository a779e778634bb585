/**
 * The first phase of a run: the domain's source, the domain's lock, full or delta, and which
 * change detection; once connected, the disabled accounts, the groups, the mapper and (for a
 * delta) the changes since the cookie. Nothing is read of the users yet.
 */
import type { Store } from '../store/store.ts';
import type { DirectoryPort } from '../directory/port.ts';
import { parseSource, SourceConfigError, type DirectorySource } from '../directory/source.ts';
import { DirectoryError } from '../directory/errors.ts';
import { presetFor } from '../directory/presets.ts';
import { OutcomeCode } from '../domain/outcome.ts';
import { createMapper } from './mapper.ts';
import { entryKeys, type PageMapper } from './entry-key.ts';
import { SeenSet } from './seen-set.ts';
import { loadGroups, type GroupIndex } from './groups.ts';
import { FullRunRequired, TimestampMechanism, type ChangeSet, type DeltaMechanism } from './delta.ts';
import { chooseMechanism, forcedMechanism } from './delta-choice.ts';
import { chooseMode } from './run-mode.ts';
import { lockDomain, type RunLock } from './run-lock.ts';
import { DryRunSink, StoreSink, type RunSink } from './run-sink.ts';
import { SyncRun } from './run.ts';
import { SyncError, type SyncDeps, type SyncDomain, type SyncOptions } from './run-types.ts';

/** Resolves the source a domain syncs from, or says why it cannot sync. */
export async function sourceForDomain(store: Store, domainId: number): Promise<{ domain: SyncDomain; source: DirectorySource }> {
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

/** A dry run writes nothing and needs no lock; a real run holds its domain until it ends. */
export async function lockFor(store: Store, domain: SyncDomain, options: SyncOptions): Promise<RunLock | null> {
  const lock = options.dryRun ? null : await lockDomain(store, domain.id);
  if (lock && 'busy' in lock) throw new SyncError(OutcomeCode.conflict, `Another run of domain ${domain.name} is in progress (${lock.busy})`);
  return lock;
}

/** Chooses the mode, opens the run record (a real run) and says so. */
export async function startRun(deps: SyncDeps, options: SyncOptions, domain: SyncDomain, source: DirectorySource, lock: RunLock | null, started: number): Promise<SyncRun> {
  const { store } = deps;
  // Users written without their ID's key (by hand, or by an older instance) are found again; a
  // dry run too, since a key is how a user is found, not something a run decides.
  await store.users.fillMissingExternKeys();
  const mode = await chooseMode(store, source, domain.id, options);
  const sink: RunSink = options.dryRun
    ? new DryRunSink()
    : await StoreSink.start({ store, domainId: domain.id, lang: options.lang, taskId: options.taskId ?? null, importNew: options.importNew, deferDisabled: !options.only, confirmUnchanged: !options.only });
  options.onStart?.({ runId: sink.runId, domainId: domain.id, domain: domain.name, mode: mode.kind === 'delta' ? `delta:${mode.mechanism.name}` : 'full', modeReason: mode.kind === 'full' ? mode.reason : null });
  const seenUsers = new SeenSet(await store.users.maxId());
  return new SyncRun({ deps, options, domain, source, lock, started, mode, sink, seenUsers });
}

export interface Reading { mapper: PageMapper; groups: GroupIndex | null; changes: ChangeSet | null }

/** What the directory says before its users are read; settles the mode and the mechanism. */
export async function prepareReading(run: SyncRun, directory: DirectoryPort): Promise<Reading> {
  const { source } = run;
  const disabled = source.users.disabledFilter ? await directory.idsMatching(source.users.disabledFilter) : new Set<string>();
  const groups: GroupIndex | null = source.groups.enabled ? await loadGroups(directory, source.groups) : null;
  const mapper: PageMapper = { ...createMapper(source, disabled, groups), ...entryKeys(source, run.domain.name, disabled, groups) };

  let changes: ChangeSet | null = null;
  const mode = run.mode;
  if (mode.kind === 'delta') {
    try {
      changes = await mode.mechanism.changes(directory, mode.cookie);
    } catch (e) {
      if (!(e instanceof FullRunRequired)) throw e;
      // The server is asked again: what broke the stream may have changed what it offers.
      run.mode = { kind: 'full', reason: e.message, mechanism: mode.mechanism, probe: true, skippedNew: mode.skippedNew };
    }
  }
  if (run.mode.kind === 'full' && run.mode.probe) {
    // Throws MechanismUnavailable when the source forces one the server lacks: no fallback.
    const choice = await chooseMechanism(directory, source);
    run.mode = { ...run.mode, mechanism: choice.mechanism };
    run.mechanismReason = choice.why;
  }
  if (run.mode.kind === 'full' && run.mode.mechanism && run.sink.keepsState) {
    try {
      run.nextCookie = await run.mode.mechanism.position(directory);
      run.changesRead += run.mode.mechanism.positionRead ?? 0;
    } catch (e) {
      if ((e instanceof DirectoryError && e.failure !== 'search' && e.failure !== 'config') || forcedMechanism(source)) throw e;
      // The chosen mechanism failed after all: timestamps, which every server has, and say so.
      run.mechanismReason = `${run.mode.mechanism.name} failed (${(e as Error).message}); ${presetFor(source.vendor).delta.timestampAttribute} instead`;
      const timestamps: DeltaMechanism = new TimestampMechanism(source);
      run.mode = { ...run.mode, mechanism: timestamps };
      run.nextCookie = await timestamps.position(directory);
    }
  }
  return { mapper, groups, changes };
}
