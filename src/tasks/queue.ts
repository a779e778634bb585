/** The task queue port: the API and the engine use this, never an adapter directly. */
import type { Task, TaskParams, TaskState } from '../domain/task.ts';

/** A task to queue: its command with that command's params, and whose it is. */
export type TaskSpec = TaskParams & {
  domainId: number | null;
  orgId: number | null;
  owner: string;
};

export interface TaskContext {
  signal: AbortSignal;
  /** Reports progress (and a partial result, e.g. counts so far); written at most once a second. */
  progress(message: string, done: number, partial?: unknown): void;
}

/** `progress`: the final count of entries read; progress written during the run is up to a second old. */
export interface TaskOutcome { message: string; result: unknown; state?: TaskState; progress?: number }

/** A task that ends in error carries the HTTP-like code the API answers with. */
export class TaskFailure extends Error {
  readonly code: number;
  readonly result: unknown;
  constructor(code: number, message: string, result: unknown = null) {
    super(message);
    this.code = code;
    this.result = result;
  }
}

export type TaskHandler = (task: Task, ctx: TaskContext) => Promise<TaskOutcome>;

export interface QueueStatus { running: boolean; queued: number; workers: number }

export interface TaskQueue {
  /** Queues a task, or returns the one already queued or running for the same command and scope. */
  submit(spec: TaskSpec): Promise<{ task: Task; existing: boolean }>;
  /** Resolves with the task once finished, or as it is when `timeoutMs` has passed. */
  wait(taskId: number, timeoutMs: number): Promise<Task | undefined>;
  /** Asks a running task to stop at its next batch; marks a queued one cancelled. */
  cancel(taskId: number): Promise<boolean>;
  status(): Promise<QueueStatus>;
  /** Brings the scheduled syncs in line with the saved sources (after a source changed). */
  syncSchedules(): Promise<void>;
  start(): Promise<void>;
  /** Stops taking tasks; running ones stop after their page and are queued again. Returns their IDs. */
  stop(signal?: string): Promise<number[]>;
}
