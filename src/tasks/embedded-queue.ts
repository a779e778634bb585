/**
 * The embedded queue: tasks live in the store, run in this process, a few at a time. One task
 * per command and scope at once; after a restart, running tasks are ended with a reason and
 * queued ones run. Where a task runs is the runner's: this thread by default, or the sync thread.
 */
import type { Store } from '../store/store.ts';
import { isFinished, TaskState, type Task } from '../domain/task.ts';
import type { QueueStatus, TaskHandler, TaskQueue, TaskSpec } from './queue.ts';
import { executeTask } from './run-task.ts';
import { ShutdownRequested } from '../domain/shutdown.ts';
import { EmbeddedScheduler, type OnSchedule } from './embedded-schedule.ts';

/** Runs one task to its end (as `executeTask` does); aborting `controller` cancels or interrupts it. */
export type TaskRunner = (taskId: number, controller: AbortController) => Promise<unknown>;

export const INTERRUPTED = 'Interrupted: the service stopped during the run; users already written are fully updated, the rest are as before';

export class EmbeddedQueue implements TaskQueue {
  private readonly store: Store;
  private readonly handlers: Map<string, TaskHandler>;
  private readonly workers: number;
  private readonly running = new Map<number, AbortController>();
  private readonly waiters = new Map<number, Set<() => void>>();
  private readonly pending: number[] = [];
  private submitting: Promise<unknown> = Promise.resolve();
  private started = false;
  private active = 0;
  private readonly scheduler: EmbeddedScheduler | null;
  private readonly runner: TaskRunner;

  /**
   * `onSchedule`: what a source's schedule does when it fires; without it, schedules are not run.
   * `runner`: where tasks run; without it, here, with `handlers`.
   */
  constructor(store: Store, handlers: Record<string, TaskHandler>, workers = 2, onSchedule?: OnSchedule, runner?: TaskRunner) {
    this.store = store;
    this.handlers = new Map(Object.entries(handlers));
    this.workers = workers;
    this.scheduler = onSchedule ? new EmbeddedScheduler(store, onSchedule) : null;
    this.runner = runner ?? ((taskId, controller) => executeTask(this.store, this.handlers, taskId, controller));
  }

  async start(): Promise<void> {
    for (const t of await this.store.tasks.inStates([TaskState.loaded, TaskState.running])) {
      await this.store.tasks.update(t.id, { state: TaskState.error, message: INTERRUPTED });
    }
    this.started = true;
    for (const t of await this.store.tasks.inStates([TaskState.queued])) this.enqueue(t.id);
    await this.scheduler?.start();
  }

  /** Running tasks stop after the page in hand and wait, queued, for the next start. */
  async stop(signal = 'shutdown'): Promise<number[]> {
    this.started = false;
    this.scheduler?.stop();
    const interrupted = [...this.running.keys()];
    for (const controller of this.running.values()) controller.abort(new ShutdownRequested(signal));
    while (this.active > 0) await new Promise((r) => setTimeout(r, 20));
    return interrupted;
  }

  submit(spec: TaskSpec): Promise<{ task: Task; existing: boolean }> {
    // Serialised so two requests cannot both find no running task and both start one.
    const next = this.submitting.then(async () => {
      const result = await this.store.tasks.createUnlessActive(spec);
      if (!result.existing) this.enqueue(result.task.id);
      return result;
    });
    this.submitting = next.catch(() => undefined);
    return next;
  }

  async wait(taskId: number, timeoutMs: number): Promise<Task | undefined> {
    const current = await this.store.tasks.get(taskId);
    if (!current || isFinished(current.state) || timeoutMs <= 0) return current;
    await new Promise<void>((resolve) => {
      const done = () => { clearTimeout(timer); this.waiters.get(taskId)?.delete(done); resolve(); };
      const timer = setTimeout(done, timeoutMs);
      if (!this.waiters.has(taskId)) this.waiters.set(taskId, new Set());
      this.waiters.get(taskId)!.add(done);
    });
    return this.store.tasks.get(taskId);
  }

  async cancel(taskId: number): Promise<boolean> {
    const controller = this.running.get(taskId);
    if (controller) { controller.abort(new Error('cancelled')); return true; }
    const cancelled = await this.store.tasks.transition(taskId, [TaskState.queued], TaskState.cancelled, 'Cancelled before it started');
    if (cancelled) this.notify(taskId);
    return cancelled;
  }

  async syncSchedules(): Promise<void> {
    await this.scheduler?.refresh();
  }

  async status(): Promise<QueueStatus> {
    return { running: this.started, queued: this.pending.length, workers: this.workers };
  }

  private enqueue(taskId: number): void {
    this.pending.push(taskId);
    setImmediate(() => this.pump());
  }

  private pump(): void {
    while (this.started && this.active < this.workers && this.pending.length) {
      const id = this.pending.shift()!;
      this.active++;
      this.execute(id).finally(() => { this.active--; this.notify(id); this.pump(); });
    }
  }

  private notify(taskId: number): void {
    for (const done of this.waiters.get(taskId) ?? []) done();
    this.waiters.delete(taskId);
  }

  private async execute(taskId: number): Promise<void> {
    const controller = new AbortController();
    this.running.set(taskId, controller);
    try { await this.runner(taskId, controller); } finally { this.running.delete(taskId); }
  }

}
