/**
 * Runs one task to its end, in whichever process took it: state transitions, throttled
 * progress, the outcome or the failure, and cancellation asked for from any process.
 */
import type { Store } from '../store/store.ts';
import { TaskState } from '../domain/task.ts';
import { cutText } from '../domain/text.ts';
import { TaskFailure, type TaskHandler } from './queue.ts';
import { settle } from '../store/settle.ts';
import { INTERRUPTED_BY_SHUTDOWN, isShutdown } from '../domain/shutdown.ts';

const MESSAGE_LIMIT = 1000;
const PROGRESS_INTERVAL_MS = 1000;
const CANCEL_POLL_MS = 250;

/**
 * `from`: the states the task may be taken from (a retried cluster job takes over a task a
 * dead worker left running). Returns false when another runner has the task.
 */
export async function executeTask(store: Store, handlers: ReadonlyMap<string, TaskHandler>, taskId: number, controller: AbortController, from: TaskState[] = [TaskState.queued]): Promise<boolean> {
  if (!(await store.tasks.transition(taskId, from, TaskState.running))) return false;
  const task = (await store.tasks.get(taskId))!;
  const handler = handlers.get(task.command);
  if (!handler) { await store.tasks.update(taskId, { state: TaskState.error, message: `Unknown command ${task.command}` }); return true; }
  let lastWrite = 0;
  let pendingWrite: Promise<void> = Promise.resolve();
  const progress = (message: string, done: number, partial?: unknown) => {
    const now = Date.now();
    if (now - lastWrite < PROGRESS_INTERVAL_MS) return;
    lastWrite = now;
    pendingWrite = pendingWrite.then(() => store.tasks.update(taskId, { message: cutText(message, MESSAGE_LIMIT), progress: done, ...(partial !== undefined ? { result: partial } : {}) })).catch(() => undefined);
  };
  // A cancel may be asked for in another process: it reaches this one through the store.
  const cancelWatch = setInterval(() => {
    store.tasks.cancelRequested(taskId).then((yes) => { if (yes) controller.abort(new Error('cancelled')); }, () => undefined);
  }, CANCEL_POLL_MS);
  try {
    const outcome = await handler(task, { signal: controller.signal, progress });
    await pendingWrite;
    if (await requeueIfShutdown(store, taskId, controller.signal)) return true;
    const state = controller.signal.aborted ? TaskState.cancelled : outcome.state ?? TaskState.completed;
    await store.tasks.update(taskId, { state, message: cutText(outcome.message, MESSAGE_LIMIT), result: outcome.result, ...(outcome.progress !== undefined ? { progress: outcome.progress } : {}) });
  } catch (e) {
    await pendingWrite;
    if (await requeueIfShutdown(store, taskId, controller.signal)) return true;
    const failure = e instanceof TaskFailure ? e : new TaskFailure(500, `${(e as Error).name}: ${(e as Error).message}`);
    const state = controller.signal.aborted ? TaskState.cancelled : TaskState.error;
    // Ended whatever the store says now: retried until it takes the write.
    await settle(() => store.tasks.update(taskId, { state, message: cutText(failure.message, MESSAGE_LIMIT), result: { code: failure.code, ...(failure.result as object ?? {}) } }));
  } finally {
    clearInterval(cancelWatch);
  }
  return true;
}

/**
 * A task stopped by a shutdown goes back to the queue, marked interrupted: the next process to
 * start (embedded) or another worker (cluster) runs it again. Nobody asked for it to end.
 */
async function requeueIfShutdown(store: Store, taskId: number, signal: AbortSignal): Promise<boolean> {
  if (!signal.aborted || !isShutdown(signal.reason)) return false;
  await store.tasks.update(taskId, { state: TaskState.queued, message: INTERRUPTED_BY_SHUTDOWN }).catch(() => undefined);
  return true;
}

/** True when `executeTask` left the task queued again after a shutdown. */
export const wasRequeued = (signal: AbortSignal): boolean => signal.aborted && isShutdown(signal.reason);
