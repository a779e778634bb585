/**
 * One sync run for one domain, as phases: prepare (source, lock, mode, change detection), read
 * (every user, single entries, or a delta), settle the gone, finish. A full run streams the
 * directory a page at a time; each page is planned against the store and handed to the sink (the
 * store, or a dry run's plan). Deactivations come last, only from a complete answer, and wait for
 * an admin when they cross the source's threshold. An error, a timeout or a cut-off search
 * deactivates nobody.
 */
import { settle } from '../store/settle.ts';
import type { DirectoryPort } from '../directory/port.ts';
import { lockFor, prepareReading, sourceForDomain, startRun } from './phase-prepare.ts';
import { readDelta, readFull } from './phase-read.ts';
import { settleGone } from './phase-gone.ts';
import { finishRun, runError } from './phase-finish.ts';
import type { SyncRun } from './run.ts';
import type { SyncDeps, SyncOptions, SyncReport } from './run-types.ts';

export { SyncError, type SyncDeps, type SyncOptions, type SyncProgress, type SyncReport, type SyncStart } from './run-types.ts';
export { sourceForDomain } from './phase-prepare.ts';

export async function runSync(deps: SyncDeps, options: SyncOptions): Promise<SyncReport> {
  const started = Date.now();
  const { domain, source } = await sourceForDomain(deps.store, options.domainId);
  const lock = await lockFor(deps.store, domain, options);
  try {
    const run = await startRun(deps, options, domain, source, lock, started);
    await readAndSettle(run);
    return await finishRun(run);
  } finally {
    if (lock) await settle(() => lock.release());
  }
}

/** Everything that talks to the directory; what goes wrong here ends the run, filed as its error. */
async function readAndSettle(run: SyncRun): Promise<void> {
  const { options, source, sink } = run;
  let directory: DirectoryPort | null = null;
  try {
    directory = await run.deps.connect(source);
    const { mapper, groups, changes } = await prepareReading(run, directory);
    const gone = await sink.grouping(() => (run.mode.kind === 'delta' && changes
      ? readDelta(run, directory!, mapper, groups, changes)
      : readFull(run, directory!, mapper)));
    if (gone) await settleGone(run, gone);
    for (const r of directory.references()) run.references.add(r);
    if (!run.cancelled && sink.hasDeferred()) await settleGone(run, null);
    if (!run.cancelled && !options.only && source.deleteAfterDays !== null) run.counts.deleted += await sink.deleteAfterGrace(source.deleteAfterDays);
    // Images no user shows any more (replaced photos, deleted users) go after a complete run.
    if (!run.cancelled && !options.only && run.mode.kind === 'full') await sink.pruneAvatars();
    await sink.flush();
  } catch (e) {
    run.error = runError(e);
    // A page still being written when the error came (PostgreSQL) is counted once it is; a write
    // that failed throws again here, and what it took back stays uncounted.
    await sink.flush().catch(() => undefined);
  } finally {
    await directory?.close();
  }
}
