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

export const SYNC_COMMAND = 'ldapSync';

/**
 * An `ldapSync` task's params. domainID: one domain; orgID: an organization's domains;
 * sourceOrgID: every domain that syncs from that source; none: every domain. A type, not an
 * interface, so that it is a plain JSON object where the store keeps it.
 */
export type SyncTaskParams = { domainID?: number; orgID?: number; sourceOrgID?: number; import: boolean; lang: string; full?: boolean };

/** What a task carries, by its command: each command names the type of its params. */
export type TaskParams = { command: typeof SYNC_COMMAND; params: SyncTaskParams };

/** Stored params that are not what their command takes (a hand-edited row, or an older version's). */
export class TaskParamsError extends Error {}

const optionalId = (stored: Record<string, unknown>, key: string): number | undefined => {
  const v = stored[key];
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || (v as number) < 0) throw new TaskParamsError(`task params: ${key} must be a whole number, not ${JSON.stringify(v)}`);
  return v as number;
};

/** The sync params a stored task holds, checked; an absent `import` is false and an absent `lang` empty. */
export function readSyncTaskParams(stored: Record<string, unknown>): SyncTaskParams {
  const { import: importNew = false, lang = '', full } = stored;
  if (typeof importNew !== 'boolean') throw new TaskParamsError('task params: import must be true or false');
  if (typeof lang !== 'string') throw new TaskParamsError('task params: lang must be a string');
  if (full !== undefined && typeof full !== 'boolean') throw new TaskParamsError('task params: full must be true or false');
  const scope = { domainID: optionalId(stored, 'domainID'), orgID: optionalId(stored, 'orgID'), sourceOrgID: optionalId(stored, 'sourceOrgID') };
  return {
    ...Object.fromEntries(Object.entries(scope).filter(([, v]) => v !== undefined)),
    import: importNew, lang, ...(full !== undefined ? { full } : {}),
  };
}
