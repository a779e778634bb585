/**
 * What a sync run tells the log: its start (domain, who or what started it, full or delta and
 * why), its end (counts, duration, deactivations held) and a failure with its cause. One line
 * each, with the figures as fields for whoever parses the log.
 */
import type { Log } from '../logger.ts';
import type { SyncReport, SyncStart as RunStart } from './engine.ts';

/** `schedule` for scheduled runs, `cli` for the command line, else the admin who asked. */
export const triggerOf = (owner: string): string => (owner === 'schedule' || owner === 'cli' ? owner : `admin ${owner}`);

export function logRunStart(log: Log, taskId: number | null, trigger: string, start: RunStart): void {
  log.info({ event: 'sync.start', taskId, ...start, trigger },
    `sync of ${start.domain} started (run ${start.runId ?? '-'}, task ${taskId ?? '-'}, by ${trigger}): ${start.mode}${start.modeReason ? ` because ${start.modeReason}` : ''}`);
}

export function logRunEnd(log: Log, taskId: number | null, domain: string, report: SyncReport): void {
  const ms = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  const fields = { event: 'sync.end', taskId, runId: report.runId, domainId: report.domainId, domain, status: report.status, mode: report.mode, counts: report.counts, entriesSeen: report.entriesSeen, entriesMapped: report.entriesMapped, held: report.held, ms };
  const line = `sync of ${domain} ${report.status} in ${(ms / 1000).toFixed(1)} s (run ${report.runId ?? '-'}): ${report.message}`;
  if (report.status === 'failed') log.error({ ...fields, errorCode: report.error?.code, cause: report.error?.message }, line);
  else if (report.status === 'interrupted' || report.status === 'cancelled' || report.held) log.warn(fields, line);
  else log.info(fields, line);
}

/** A run that could not even start (unknown domain, no source, another run holds the domain). */
export function logRunRefused(log: Log, taskId: number | null, domainId: number, trigger: string, code: number, cause: string): void {
  log[code === 409 ? 'warn' : 'error']({ event: 'sync.refused', taskId, domainId, trigger, code, cause }, `sync of domain ${domainId} did not start (task ${taskId ?? '-'}, by ${trigger}): ${cause}`);
}
