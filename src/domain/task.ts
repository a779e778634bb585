/** Background tasks, numbered as grommunio's TasQ numbers its states. */

export const TaskState = {
  queued: 0,
  loaded: 1,
  running: 2,
  completed: 3,
  error: 4,
  cancelled: 5,
  /** ldapsync's own: a run whose deactivations crossed the threshold waits for an admin. */
  awaitingApproval: 6,
} as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

export const isFinished = (state: TaskState): boolean => state === TaskState.completed || state === TaskState.error || state === TaskState.cancelled;

export interface Task {
  id: number;
  command: string;
  params: Record<string, unknown>;
  state: TaskState;
  progress: number;
  message: string;
  result: unknown;
  domainId: number | null;
  orgId: number | null;
  owner: string;
  createdAt: string;
  updatedAt: string;
}
