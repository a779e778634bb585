/**
 * A sync run in the caller's own process (the command line) is a task like any other: it shows under Tasks in the
 * console and the API (owner `cli`), a run it holds for approval can be approved there, and a
 * cancel asked for there stops it at its next page. The run itself happens in this process.
 */
import type { Store } from '../store/store.ts';
import { TaskState } from '../domain/task.ts';
import { cutText } from '../domain/text.ts';
import { SyncError, type SyncReport } from '../sync/engine.ts';
import { SYNC_COMMAND, type SyncTaskParams, type SyncTaskResult } from './sync-task.ts';

const CANCEL_POLL_MS = 500;

export async function asInProcessTask(store: Store, domainId: number, params: SyncTaskParams, run: (taskId: number, signal: AbortSignal) => Promise<SyncReport>): Promise<SyncReport> {
  const { task, existing } = await store.tasks.createUnlessActive({ command: SYNC_COMMAND, params, domainId, orgId: null, owner: 'cli' });
  if (existing) throw new SyncError(409, `Another run of this domain is in progress (task ${task.id}); wait for it or cancel it`);
  await store.tasks.transition(task.id, [TaskState.queued], TaskState.running, 'Started from the command line');
  const controller = new AbortController();
  const watch = setInterval(() => {
    store.tasks.cancelRequested(task.id).then((yes) => { if (yes) controller.abort(new Error('cancelled')); }, () => undefined);
  }, CANCEL_POLL_MS);
  const startedAt = new Date().toISOString();
  try {
    const report = await run(task.id, controller.signal);
    const result: SyncTaskResult = { runIds: report.runId === null ? [] : [report.runId], counts: report.counts, startedAt, finishedAt: report.finishedAt, ...(report.error ? { code: report.error.code } : {}) };
    const state = report.held ? TaskState.awaitingApproval : report.status === 'cancelled' ? TaskState.cancelled : report.error ? TaskState.error : TaskState.completed;
    const message = report.held ? `Waiting for approval: ${report.held} users would be deactivated; ${report.message}` : report.message;
    await store.tasks.update(task.id, { state, message: cutText(message, 1000), result, progress: report.entriesSeen });
    return report;
  } catch (e) {
    const code = e instanceof SyncError ? e.code : 500;
    await store.tasks.update(task.id, { state: TaskState.error, message: cutText((e as Error).message, 1000), result: { runIds: [], code } }).catch(() => undefined);
    throw e;
  } finally {
    clearInterval(watch);
  }
}
