/** What a sync run reports, per object and in total. */

export const OutcomeCode = {
  synced: 200,
  created: 201,
  invalid: 400,
  gone: 404,
  conflict: 409,
  failed: 500,
  unavailable: 503,
} as const;
export type OutcomeCode = (typeof OutcomeCode)[keyof typeof OutcomeCode];

/** What the outcome of a user the sync found as it was says. */
export const SYNCED_MESSAGE = 'Synchronization successful';
export const CREATED_MESSAGE = 'User created';

/** One line per object, in grommunio's `syncStatus` shape. */
export interface Outcome {
  ID: number;
  username: string;
  code: OutcomeCode;
  message: string;
  /**
   * Only on a dry run's outcome of an unchanged user with nothing to say: counted, listed nowhere.
   * Never stored; a door strips it before showing the outcome (see `withoutMarks`).
   */
  quiet?: true;
}

/** The outcome as a door shows it: without the in-process marks. */
export const withoutMarks = ({ quiet: _quiet, ...shown }: Outcome): Outcome => shown;

export interface SyncCounts {
  created: number;
  updated: number;
  moved: number;
  unchanged: number;
  reactivated: number;
  deactivated: number;
  deleted: number;
  failed: number;
  conflicts: number;
  invalid: number;
  skipped: number;
}

export const emptyCounts = (): SyncCounts => ({
  created: 0, updated: 0, moved: 0, unchanged: 0, reactivated: 0, deactivated: 0,
  deleted: 0, failed: 0, conflicts: 0, invalid: 0, skipped: 0,
});

/** `awaiting-approval`: the run held its deactivations because they crossed the source's threshold. */
export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted' | 'awaiting-approval' | 'rejected';

export interface SyncSummary {
  runId: number | null;
  domainId: number;
  dryRun: boolean;
  status: RunStatus;
  counts: SyncCounts;
  /** Entries seen in the directory within the source's filter. */
  entriesSeen: number;
  /** Why a run failed or was cut short; null when it completed. */
  error: { code: OutcomeCode; message: string } | null;
  startedAt: string;
  finishedAt: string;
  message: string;
}

/** grommunio-style one-line message, e.g. "14/16 synced: 3 created, 11 unchanged, 2 errors (4.2s)". */
export function summaryMessage(counts: SyncCounts, elapsedMs: number, error: string | null): string {
  const changed = counts.updated + counts.moved;
  const errors = counts.failed + counts.conflicts + counts.invalid;
  const ok = counts.created + changed + counts.unchanged + counts.reactivated;
  const details = [[counts.created, 'created'], [changed, 'updated'], [counts.unchanged, 'unchanged'], [counts.reactivated, 'reactivated'], [counts.deactivated, 'deactivated'], [counts.deleted, 'deleted']] as const;
  const parts = details.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  const text = `${ok}/${ok + errors} synced${parts.length ? `: ${parts.join(', ')}` : ''} (${(elapsedMs / 1000).toFixed(1)}s)`;
  return error ? `${text}; failed: ${error}` : text;
}

export const isFailure = (o: Pick<Outcome, 'code'>): boolean => o.code >= 400;
