/**
 * The `ldapSync` task: one domain, one organization's domains, or every domain. Each domain runs
 * under a lock, so however a run was asked for, one domain never syncs twice at once.
 */
import type { Store } from '../store/store.ts';
import { readSyncTaskParams, SYNC_COMMAND, TaskParamsError, TaskState, type SyncTaskParams, type Task } from '../domain/task.ts';
import { emptyCounts, summaryMessage, type Outcome, type SyncCounts } from '../domain/outcome.ts';
import { runSync, SyncError, type SyncDeps, type SyncReport } from '../sync/engine.ts';
import { isShutdown } from '../domain/shutdown.ts';
import { silentLog, type Log } from '../logger.ts';
import { logRunEnd, logRunRefused, logRunStart, triggerOf } from '../sync/run-log.ts';
import { TaskFailure, type TaskContext, type TaskHandler, type TaskOutcome } from './queue.ts';

export { SYNC_COMMAND, type SyncTaskParams };

/** What a sync task keeps as its result: the runs whose outcomes make up `params.result`. */
export interface SyncTaskResult { runIds: number[]; counts: SyncCounts; code?: number; startedAt?: string; finishedAt?: string }

class DomainLocks {
  private readonly tails = new Map<number, Promise<void>>();

  async hold<T>(domainId: number, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(domainId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => { release = r; });
    const tail = before.then(() => mine);
    this.tails.set(domainId, tail);
    await before;
    try { return await work(); } finally {
      release();
      if (this.tails.get(domainId) === tail) this.tails.delete(domainId);
    }
  }
}

/**
 * The task's own scope (what its visibility and approval are decided by) and the params' must
 * agree: a row whose params name more than its scope would run domains its viewers may not see.
 */
function scopeMismatch(task: Task, params: SyncTaskParams): string | null {
  if (task.domainId !== null && params.domainID !== task.domainId) return `task ${task.id} is scoped to domain ${task.domainId} but its params are not`;
  if (task.orgId !== null && params.orgID !== task.orgId && params.sourceOrgID !== task.orgId) return `task ${task.id} is scoped to organization ${task.orgId} but its params are not`;
  return null;
}

async function domainsFor(store: Store, params: SyncTaskParams): Promise<number[]> {
  if (params.domainID !== undefined) return [params.domainID];
  if (params.orgID !== undefined) return (await store.domains.list({ orgId: params.orgID })).map((d) => d.id);
  if (params.sourceOrgID !== undefined) {
    const out = [];
    for (const d of await store.domains.list()) if ((await store.sources.effective(d.orgId))?.orgId === params.sourceOrgID) out.push(d.id);
    return out;
  }
  return (await store.domains.list()).map((d) => d.id);
}

const add = (total: SyncCounts, counts: SyncCounts): void => {
  for (const key of Object.keys(total) as Array<keyof SyncCounts>) total[key] += counts[key];
};

/** `log`: where each run's start, end and failure are told (the server's log). */
export function syncTaskHandler(deps: SyncDeps, observe: (report: SyncReport) => void = () => undefined, log: Log = silentLog): TaskHandler {
  const locks = new DomainLocks();
  return async (task: Task, ctx: TaskContext): Promise<TaskOutcome> => {
    let params: SyncTaskParams;
    try { params = readSyncTaskParams(task.params); } catch (e) {
      throw e instanceof TaskParamsError ? new TaskFailure(400, e.message) : e;
    }
    const mismatch = scopeMismatch(task, params);
    if (mismatch) throw new TaskFailure(400, mismatch);
    const started = Date.now();
    const total = emptyCounts();
    const runIds: number[] = [];
    let seenBefore = 0;
    let held = 0;
    const trigger = triggerOf(task.owner);
    for (const domainId of await domainsFor(deps.store, params)) {
      if (ctx.signal.aborted) break;
      let domainName = `domain ${domainId}`;
      try {
        const report = await locks.hold(domainId, () => runSync(deps, {
          domainId, importNew: params.import, lang: params.lang, dryRun: false, full: params.full === true, taskId: task.id, signal: ctx.signal,
          onStart: (start) => { domainName = start.domain; logRunStart(log, task.id, trigger, start); },
          onProgress: (p) => {
            const running = emptyCounts();
            add(running, total);
            add(running, p.counts);
            ctx.progress(summaryMessage(running, p.elapsedMs, null), seenBefore + p.seen, { runIds, counts: running, startedAt: new Date(started).toISOString() });
          },
        }));
        observe(report);
        logRunEnd(log, task.id, domainName, report);
        if (report.runId !== null) runIds.push(report.runId);
        add(total, report.counts);
        seenBefore += report.entriesSeen;
        held += report.held;
        if (report.error && report.status !== 'cancelled' && report.status !== 'interrupted') {
          throw new TaskFailure(report.error.code, report.error.message, { runIds, counts: total });
        }
      } catch (e) {
        if (e instanceof SyncError) {
          logRunRefused(log, task.id, domainId, trigger, e.code, e.message);
          throw new TaskFailure(e.code, e.message, { runIds, counts: total });
        }
        if (!(e instanceof TaskFailure)) log.error({ event: 'sync.error', taskId: task.id, domainId, err: e }, `sync of ${domainName} failed: ${(e as Error).message}`);
        throw e;
      }
    }
    const result: SyncTaskResult = { runIds, counts: total, startedAt: new Date(started).toISOString(), finishedAt: new Date().toISOString() };
    const message = summaryMessage(total, Date.now() - started, ctx.signal.aborted ? (isShutdown(ctx.signal.reason) ? 'interrupted' : 'cancelled') : null);
    // The last progress write may be a second old: the end says how many entries were read.
    if (held) return { message: `Waiting for approval: ${held} users would be deactivated; ${message}`, result, state: TaskState.awaitingApproval, progress: seenBefore };
    return { message, result, progress: seenBefore };
  };
}

/** The outcomes a sync task produced so far (grommunio's `params.result`), read from its runs. */
export async function taskOutcomes(store: Store, task: Task): Promise<Outcome[]> {
  const runIds = await store.runs.idsForTask(task.id);
  const out: Outcome[] = [];
  for (const runId of runIds) out.push(...(await store.runs.allOutcomes(runId)));
  return out;
}

/** The deactivations a task's runs hold for approval: the plan an admin decides on. */
export async function heldByTask(store: Store, task: Task): Promise<Array<{ ID: number; username: string }>> {
  const out: Array<{ ID: number; username: string }> = [];
  for (const runId of await store.runs.idsForTask(task.id)) {
    for (const u of await store.runs.heldDeactivations(runId)) out.push({ ID: u.id, username: u.username });
  }
  return out;
}
