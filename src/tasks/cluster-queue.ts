/**
 * The cluster queue: tasks live in PostgreSQL as in the embedded mode, and pg-boss hands them to
 * worker processes on any number of hosts. API processes only enqueue. A worker that dies stops
 * sending heartbeats; pg-boss then gives its job to another worker, which takes the task over.
 */
import { PgBoss } from 'pg-boss';
import type { Store } from '../store/store.ts';
import { isFinished, TaskState, type Task } from '../domain/task.ts';
import type { QueueStatus, TaskHandler, TaskQueue, TaskSpec } from './queue.ts';
import { executeTask, wasRequeued } from './run-task.ts';
import { ShutdownRequested } from '../domain/shutdown.ts';
import { activeSchedules } from './schedule.ts';

export const TASK_JOB = 'ldapsync-task';
export const SCHEDULE_JOB = 'ldapsync-schedule';
const POLL_MS = 100;

export interface ClusterOptions {
  databaseUrl: string;
  /** Run tasks in this process (worker or all roles). */
  worker: boolean;
  concurrency: number;
  /** PostgreSQL schema for pg-boss's own tables. */
  bossSchema?: string;
  /** How often dead workers are looked for and schedules checked; lower in tests. */
  superviseSeconds?: number;
  /** Queues the syncs of one source's domains when its schedule fires. */
  onSchedule?: (orgId: number, occurrence: string) => Promise<void>;
}

export class ClusterQueue implements TaskQueue {
  private readonly store: Store;
  private readonly handlers: Map<string, TaskHandler>;
  private readonly options: ClusterOptions;
  private readonly boss: PgBoss;
  private readonly running = new Map<number, AbortController>();
  private started = false;

  constructor(store: Store, handlers: Record<string, TaskHandler>, options: ClusterOptions) {
    this.store = store;
    this.handlers = new Map(Object.entries(handlers));
    this.options = options;
    this.boss = new PgBoss({
      connectionString: options.databaseUrl, schema: options.bossSchema ?? 'pgboss', application_name: 'ldapsync',
      superviseIntervalSeconds: options.superviseSeconds ?? 30, monitorIntervalSeconds: options.superviseSeconds ?? 30,
      cronWorkerIntervalSeconds: Math.min(options.superviseSeconds ?? 30, 30), cronMonitorIntervalSeconds: Math.min(options.superviseSeconds ?? 30, 30),
    });
    // Connection trouble is retried by pg-boss; it must not crash the process.
    this.boss.on('error', () => undefined);
  }

  async start(): Promise<void> {
    await this.boss.start();
    await this.ensureQueue(TASK_JOB, { retryLimit: 3, retryDelay: 5, expireInSeconds: 24 * 3600, heartbeatSeconds: 10 });
    await this.ensureQueue(SCHEDULE_JOB, { retryLimit: 2, expireInSeconds: 300 });
    if (this.options.worker && this.options.onSchedule) {
      const onSchedule = this.options.onSchedule;
      await this.boss.work<{ orgId: number }>(SCHEDULE_JOB, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
        if (job) await onSchedule(job.data.orgId, job.id);
      });
    }
    await this.syncSchedules();
    if (this.options.worker) {
      await this.boss.work<{ taskId: number }>(TASK_JOB, { batchSize: 1, localConcurrency: this.options.concurrency, pollingIntervalSeconds: 0.5 }, async ([job]) => {
        if (job) await this.run(job.data.taskId);
      });
    }
    this.started = true;
  }

  /** Running tasks stop after the page in hand and are queued again for another worker. */
  async stop(signal = 'shutdown'): Promise<number[]> {
    this.started = false;
    const interrupted = [...this.running.keys()];
    for (const controller of this.running.values()) controller.abort(new ShutdownRequested(signal));
    while (this.running.size > 0) await new Promise((r) => setTimeout(r, 20));
    await this.boss.stop({ graceful: true, timeout: 30_000 });
    return interrupted;
  }

  private async ensureQueue(name: string, options: Parameters<PgBoss['createQueue']>[1]): Promise<void> {
    if (await this.boss.getQueue(name)) return;
    await this.boss.createQueue(name, options).catch(async (e: unknown) => {
      if (!(await this.boss.getQueue(name))) throw e; // created by another process meanwhile
    });
  }

  /** One pg-boss schedule per source that has one, keyed by organization: it fires once per occurrence, cluster-wide. */
  async syncSchedules(): Promise<void> {
    const wanted = new Map([...(await activeSchedules(this.store))].map(([orgId, cron]) => [String(orgId), cron]));
    for (const existing of await this.boss.getSchedules(SCHEDULE_JOB)) {
      if (wanted.get(existing.key) !== existing.cron) await this.boss.unschedule(SCHEDULE_JOB, existing.key);
    }
    for (const [key, cron] of wanted) await this.boss.schedule(SCHEDULE_JOB, cron, { orgId: Number(key) }, { key, tz: 'UTC' });
  }

  private async run(taskId: number): Promise<void> {
    const controller = new AbortController();
    this.running.set(taskId, controller);
    try {
      // A retried job may find its task left "running" by a worker that died: take it over.
      if ((await this.store.tasks.get(taskId))?.state === TaskState.running) {
        await this.store.runs.failRunning(taskId, 'The worker running it stopped; another worker took the task over');
      }
      await executeTask(this.store, this.handlers, taskId, controller, [TaskState.queued, TaskState.running]);
      // Interrupted by this worker's shutdown: a new job, which any other worker takes at once.
      if (wasRequeued(controller.signal)) await this.boss.send(TASK_JOB, { taskId });
    } finally {
      this.running.delete(taskId);
    }
  }

  async submit(spec: TaskSpec): Promise<{ task: Task; existing: boolean }> {
    const result = await this.store.tasks.createUnlessActive(spec);
    if (!result.existing) await this.boss.send(TASK_JOB, { taskId: result.task.id });
    return result;
  }

  async wait(taskId: number, timeoutMs: number): Promise<Task | undefined> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const task = await this.store.tasks.get(taskId);
      if (!task || isFinished(task.state) || task.state === TaskState.awaitingApproval || Date.now() >= until) return task;
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, until - Date.now()))));
    }
  }

  async cancel(taskId: number): Promise<boolean> {
    if (await this.store.tasks.transition(taskId, [TaskState.queued], TaskState.cancelled, 'Cancelled before it started')) return true;
    this.running.get(taskId)?.abort(new Error('cancelled'));
    await this.store.tasks.requestCancel(taskId);
    return true;
  }

  async status(): Promise<QueueStatus> {
    return { running: this.started, queued: (await this.store.tasks.inStates([TaskState.queued])).length, workers: this.options.worker ? this.options.concurrency : 0 };
  }
}
