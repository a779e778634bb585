/**
 * The last phase: how the run ended (completed, held, failed, cancelled or interrupted by a
 * shutdown), its run record and the change-detection state the next run starts from, and the
 * report. A run that failed or was cut short leaves the stored state as it was.
 */
import { INTERRUPTED_BY_SHUTDOWN, isShutdown } from '../domain/shutdown.ts';
import { DirectoryError } from '../directory/errors.ts';
import { OutcomeCode } from '../domain/outcome.ts';
import { isStoreUnavailable } from '../store/errors.ts';
import { summaryLine } from './wording.ts';
import { stateKey } from './run-mode.ts';
import type { NextState } from './run-sink.ts';
import type { SyncRun } from './run.ts';
import type { SyncReport } from './run-types.ts';

/** What an error while reading or writing means for the run. */
export function runError(e: unknown): { code: OutcomeCode; message: string } {
  // A source set up wrong is the admin's to fix, not an outage: filed as such (400), not 503.
  if (e instanceof DirectoryError && e.failure === 'config') return { code: OutcomeCode.invalid, message: `LDAP configuration error: ${e.message}` };
  if (e instanceof DirectoryError) return { code: OutcomeCode.unavailable, message: `Directory unavailable: ${e.message}` };
  if (isStoreUnavailable(e)) return { code: OutcomeCode.unavailable, message: `The database could not be written (${(e as Error).message}); users already written are whole, the rest are as before` };
  return { code: OutcomeCode.failed, message: `Synchronization failed: ${(e as Error).message}` };
}

function nextState(run: SyncRun): NextState | null {
  const { mode, options, domain, source } = run;
  if (run.error || run.nextCookie === null || !mode.mechanism) return null;
  // New entries a run without import skipped must reach the next run with import: remembered
  // until a full run with import has seen them.
  const skippedNew = run.notImported > 0 || (mode.skippedNew && !(options.importNew && mode.kind === 'full'));
  const startedAt = new Date(run.started).toISOString();
  return { domainId: domain.id, mechanism: stateKey(mode.mechanism, source, skippedNew), cookie: run.nextCookie, lastFullAt: mode.kind === 'full' ? startedAt : null, startedAt };
}

export async function finishRun(run: SyncRun): Promise<SyncReport> {
  const { options, source, counts, mode } = run;
  // Stopped by a shutdown rather than by a cancel: interrupted, to be run again, not ended.
  const interrupted = run.cancelled && isShutdown(options.signal?.reason);
  if (run.cancelled && !run.error) run.error = { code: OutcomeCode.unavailable, message: interrupted ? INTERRUPTED_BY_SHUTDOWN : 'Cancelled; users already written are fully updated, the rest are as before' };
  const { error, held } = run;

  const status = error ? (interrupted ? 'interrupted' : run.cancelled ? 'cancelled' : 'failed') : held ? 'awaiting-approval' : 'completed';
  const heldNote = held ? `; ${held} deactivations wait for approval (threshold: more than ${source.threshold.count} or ${source.threshold.percent} %)` : '';
  const referenceList = [...run.references];
  const referenceNote = referenceList.length ? `; ${referenceList.length} references not followed (entries behind them left as they are): ${referenceList.slice(0, 5).join(', ')}${referenceList.length > 5 ? ', ...' : ''}` : '';
  const message = summaryLine(counts, Date.now() - run.started, error?.message ?? null, options.dryRun) + heldNote + referenceNote;
  await run.sink.finish({ mode: run.modeName, status, counts, entriesSeen: run.seen, errorCode: error?.code ?? null, message }, nextState(run));
  return {
    runId: run.sink.runId, domainId: run.domain.id, dryRun: options.dryRun, status, counts, entriesSeen: run.seen, error,
    startedAt: new Date(run.started).toISOString(), finishedAt: new Date().toISOString(), message, plan: run.sink.plan, outcomes: run.sink.outcomes,
    mode: run.modeName, modeReason: mode.kind === 'full' ? mode.reason : null, held, skipped: run.skipped,
    mechanism: mode.mechanism?.name ?? null, mechanismReason: run.mechanismReason, entriesRead: run.seen + run.changesRead, entriesMapped: run.mapped, references: referenceList,
  };
}
