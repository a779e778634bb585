/**
 * The sync thread's entry point. It opens its own store (the same SQLite file, in WAL, or its
 * own PostgreSQL pool) with the key ring read as the main thread reads it, and runs the tasks the
 * embedded queue hands it, start to end, progress and cancel watch included: the API's event
 * loop never waits for a page, a mapping or the collection of a run's garbage.
 */
import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { LogFn } from 'pino';
import { openStore } from '../open-store.ts';
import { settled } from '../store/settle.ts';
import { connect } from '../directory/client.ts';
import { ShutdownRequested } from '../domain/shutdown.ts';
import type { Log } from '../logger.ts';
import { executeTask } from './run-task.ts';
import { SYNC_COMMAND, syncTaskHandler } from './sync-task.ts';
import type { FromSyncThread, LogLevel, SyncThreadData, ToSyncThread } from './sync-thread.ts';

/** How long a closing thread waits for end-of-run writes the store is still refusing. */
const SETTLE_ON_CLOSE_MS = 5_000;

const port = parentPort!;
const post = (message: FromSyncThread): void => port.postMessage(message);

/** Fields that cannot cross to the main thread (a function, a socket) go as JSON would write them. */
function cloneable(obj: object): object {
  try { structuredClone(obj); return obj; } catch {
    return JSON.parse(JSON.stringify(obj, (_key, value: unknown) => (value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : value))) as object;
  }
}

/** A logger whose lines are written by the main thread's: one log, one format, whichever thread ran. */
function forwardingLog(): Log {
  const at = (level: LogLevel): LogFn => ((first: unknown, second?: unknown) => {
    if (typeof first === 'string') post({ type: 'log', level, obj: {}, msg: first });
    else post({ type: 'log', level, obj: cloneable((first ?? {}) as object), msg: typeof second === 'string' ? second : '' });
  }) as LogFn;
  return { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as Log;
}

/**
 * Below the API's thread in the scheduler's eyes (Linux, where a thread has its own priority):
 * when the CPUs are busy a request goes first and the run waits, not the other way round. An idle
 * machine gives the run every cycle all the same.
 */
function yieldCpuToApi(): void {
  try { setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), constants.priority.PRIORITY_BELOW_NORMAL); } catch { /* not Linux, or not allowed: same priority */ }
}

yieldCpuToApi();
const { location } = workerData as SyncThreadData;
// The thread's connection serves only its runs: their pages may commit together (commit-group.ts).
const store = await openStore({ ...location, groupCommits: true });
const handlers = new Map([[SYNC_COMMAND, syncTaskHandler({ store, connect: (source) => connect(source) }, (report) => post({ type: 'report', report }), forwardingLog())]]);
const running = new Map<number, AbortController>();

async function close(): Promise<void> {
  await Promise.race([settled(), new Promise((r) => setTimeout(r, SETTLE_ON_CLOSE_MS).unref())]);
  await store.close();
  port.close();
}

port.on('message', (message: ToSyncThread) => {
  switch (message.type) {
    case 'run': {
      const { taskId } = message;
      const controller = new AbortController();
      running.set(taskId, controller);
      executeTask(store, handlers, taskId, controller).then(
        () => post({ type: 'done', taskId }),
        (e: unknown) => post({ type: 'done', taskId, error: `${(e as Error).name}: ${(e as Error).message}` }),
      ).finally(() => running.delete(taskId));
      break;
    }
    case 'abort': {
      const reason = message.shutdown ? new ShutdownRequested(message.signal) : new Error('cancelled');
      running.get(message.taskId)?.abort(reason);
      break;
    }
    case 'close':
      void close();
      break;
  }
});
post({ type: 'ready' });
