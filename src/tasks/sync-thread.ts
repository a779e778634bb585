/**
 * The embedded mode's sync thread, seen from the main thread: one worker thread that runs every
 * queued task (a run's pages, mappings and garbage stay off the API's event loop), told to stop
 * a task when it is cancelled or the service stops, and replaced when it dies. A thread that dies
 * mid-run leaves nothing running: its runs and tasks end with the reason and its locks are freed.
 */
import { Worker } from 'node:worker_threads';
import type { Store, StoreReopen } from '../store/store.ts';
import type { SyncReport } from '../sync/engine.ts';
import { releaseThreadLocks } from '../sync/run-lock.ts';
import { settle } from '../store/settle.ts';
import { TaskState } from '../domain/task.ts';
import { isShutdown } from '../domain/shutdown.ts';
import type { Log } from '../logger.ts';
import type { TaskRunner } from './embedded-queue.ts';
import { SYNC_YOUNG_GENERATION_MB } from './sync-heap.ts';

export type LogLevel = 'info' | 'warn' | 'error' | 'debug';

export interface SyncThreadData { location: StoreReopen }

export type ToSyncThread =
  | { type: 'run'; taskId: number }
  | { type: 'abort'; taskId: number; shutdown: boolean; signal: string }
  | { type: 'close' };

export type FromSyncThread =
  | { type: 'ready' }
  | { type: 'log'; level: LogLevel; obj: object; msg: string }
  | { type: 'report'; report: SyncReport }
  | { type: 'done'; taskId: number; error?: string };

/** How long a closing thread may take to close its store before it is stopped. */
const CLOSE_MS = 10_000;
const ENTRY = new URL('./sync-worker.ts', import.meta.url);

interface InFlight { threadId: number; done: (error?: string) => void }

export class SyncThread {
  private readonly store: Store;
  private readonly location: StoreReopen;
  private readonly log: Log;
  private readonly observe: (report: SyncReport) => void;
  private worker: Worker | null = null;
  private starting: Promise<Worker> | null = null;
  private ending: Promise<void> = Promise.resolve();
  private closing = false;
  private readonly inFlight = new Map<number, InFlight>();

  /** `store`: the main thread's, for ending what a dead thread left; `observe`: each run's report (metrics). */
  constructor(store: Store, location: StoreReopen, log: Log, observe: (report: SyncReport) => void = () => undefined) {
    this.store = store;
    this.location = location;
    this.log = log;
    this.observe = observe;
  }

  /** Starts the thread now, so that the first task does not wait for its store to open. */
  async start(): Promise<void> {
    await this.spawn();
  }

  /** The embedded queue's runner: the task runs in the thread; an abort here is an abort there. */
  readonly run: TaskRunner = async (taskId, controller) => {
    let worker: Worker;
    try { worker = await this.spawn(); } catch (e) {
      await this.endTask(taskId, `the sync thread could not start: ${(e as Error).message}`);
      return;
    }
    const finished = new Promise<string | undefined>((resolve) => this.inFlight.set(taskId, { threadId: worker.threadId, done: resolve }));
    const abort = () => {
      const reason: unknown = controller.signal.reason;
      worker.postMessage({ type: 'abort', taskId, shutdown: isShutdown(reason), signal: isShutdown(reason) ? reason.signal : '' } satisfies ToSyncThread);
    };
    controller.signal.addEventListener('abort', abort, { once: true });
    this.holdOpen(worker);
    worker.postMessage({ type: 'run', taskId } satisfies ToSyncThread);
    if (controller.signal.aborted) abort();
    try {
      const error = await finished;
      if (error) throw new Error(error);
    } finally {
      controller.signal.removeEventListener('abort', abort);
      this.inFlight.delete(taskId);
      this.holdOpen(worker);
    }
  };

  private holdOpen(worker: Worker): void {
    if ([...this.inFlight.values()].some((f) => f.threadId === worker.threadId)) worker.ref();
    else worker.unref();
  }

  /** Ends the thread at once, as a crash would: its runs and tasks end with the reason. */
  async terminate(): Promise<void> {
    await this.worker?.terminate();
    await this.ending;
  }

  /** After the queue stopped: the thread closes its store and ends. */
  async close(): Promise<void> {
    this.closing = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((r) => worker.once('exit', () => r()));
    worker.postMessage({ type: 'close' } satisfies ToSyncThread);
    const timer = setTimeout(() => void worker.terminate(), CLOSE_MS);
    await exited;
    clearTimeout(timer);
    await this.ending;
  }

  private spawn(): Promise<Worker> {
    if (this.starting) return this.starting;
    const worker = new Worker(ENTRY, { workerData: { location: this.location } satisfies SyncThreadData, resourceLimits: { maxYoungGenerationSizeMb: SYNC_YOUNG_GENERATION_MB } });
    this.worker = worker;
    // Read now: an ended worker's threadId is -1.
    const { threadId } = worker;
    let why = '';
    this.starting = new Promise<Worker>((resolve, reject) => {
      worker.on('message', (message: FromSyncThread) => {
        // An idle thread must not keep a process alive that is otherwise done; a starting or busy one does.
        if (message.type === 'ready') { this.holdOpen(worker); resolve(worker); }
        else this.receive(message, worker.threadId);
      });
      worker.on('error', (e) => { why = `${e.name}: ${e.message}`; });
      worker.once('exit', (code) => {
        const reason = why || (this.closing ? 'closed' : `exit code ${code}`);
        reject(new Error(reason));
        this.ending = this.ended(worker, threadId, reason);
      });
    });
    this.starting.catch(() => undefined);
    return this.starting;
  }

  private receive(message: FromSyncThread, threadId: number): void {
    switch (message.type) {
      case 'log': this.log[message.level]({ ...message.obj, threadId }, message.msg); break;
      case 'report': this.observe(message.report); break;
      case 'done': this.inFlight.get(message.taskId)?.done(message.error); break;
      case 'ready': break;
    }
  }

  /** A thread ended: what it was running ends with the reason, its locks are freed, the next task starts a new one. */
  private async ended(worker: Worker, threadId: number, reason: string): Promise<void> {
    if (this.worker === worker) { this.worker = null; this.starting = null; }
    const orphans = [...this.inFlight].filter(([, f]) => f.threadId === threadId);
    if (!orphans.length) return;
    this.log.error({ event: 'sync.thread-ended', threadId, taskIds: orphans.map(([id]) => id), cause: reason }, `the sync thread stopped during a run (${reason}); tasks ${orphans.map(([id]) => id).join(', ')} end with that reason`);
    for (const [taskId] of orphans) await this.endTask(taskId, `the sync thread stopped during the run (${reason})`);
    await releaseThreadLocks(this.store, threadId).catch(() => undefined);
    for (const [, f] of orphans) f.done();
  }

  private async endTask(taskId: number, cause: string): Promise<void> {
    const message = `Synchronization failed: ${cause}; users already written are fully updated, the rest are as before`;
    await settle(() => this.store.runs.failRunning(taskId, message));
    const runIds = await this.store.runs.idsForTask(taskId).catch(() => []);
    await settle(() => this.store.tasks.update(taskId, { state: TaskState.error, message, result: { code: 500, runIds } }));
  }
}
