/**
 * Tasks: a task is visible with its domain (or organization, or to system readers when it has
 * neither); one the caller may not see answers 404, or 403 to a system reader. Deciding a held run,
 * cancelling and deleting go through here.
 */
import type { Caller } from '../auth/permissions.ts';
import { isFinished, type Task } from '../domain/task.ts';
import { invalidInput, notFound, notPermitted } from '../domain/errors.ts';
import { decideRun, decideTask, NothingToDecide, type Decision } from '../tasks/approval.ts';
import type { TaskQueue } from '../tasks/queue.ts';
import type { ServiceDeps } from './deps.ts';
import type { Outcome } from '../domain/outcome.ts';
import { heldByTask, taskOutcomes } from '../tasks/sync-task.ts';

export class TaskService {
  private readonly deps: ServiceDeps;
  private readonly queue: Pick<TaskQueue, 'cancel' | 'wait' | 'status'>;
  constructor(deps: ServiceDeps, queue: Pick<TaskQueue, 'cancel' | 'wait' | 'status'>) { this.deps = deps; this.queue = queue; }

  private get store() { return this.deps.store; }

  private async canSee(who: Caller, task: Task, write: boolean): Promise<boolean> {
    if (task.domainId !== null) {
      const domain = await this.store.domains.get(task.domainId);
      return domain ? (write ? who.canWriteDomain(domain) : who.canReadDomain(domain)) : who.canReadSystem;
    }
    if (task.orgId !== null) return who.isOrgAdmin(task.orgId);
    return write ? who.isSystemAdmin : who.canReadSystem;
  }

  /** A sync task's outcomes, from the runs it made (the caller saw the task already). */
  outcomes(task: Task): Promise<Outcome[]> {
    return taskOutcomes(this.store, task);
  }

  /** The deactivations a held sync task waits on approval for. */
  held(task: Task): Promise<Array<{ ID: number; username: string }>> {
    return heldByTask(this.store, task);
  }

  /** Whether the queue runs, and what it holds (grommunio's /tasq/status). */
  queueStatus(): ReturnType<TaskQueue['status']> {
    return this.queue.status();
  }

  /** Tasks by state, for readiness checks and metrics. */
  countByState(): Promise<unknown> {
    return this.store.tasks.countByState();
  }

  async visible(who: Caller, id: number, write: boolean): Promise<Task> {
    const task = await this.store.tasks.get(id);
    if (!task || !(await this.canSee(who, task, write))) {
      if (task && who.canReadSystem) throw notPermitted();
      throw notFound('Task not found');
    }
    return task;
  }

  async list(who: Caller, limit: number, offset: number): Promise<Task[]> {
    const scope = who.canReadSystem
      ? { all: true, domainIds: [] }
      : { all: false, domainIds: (await this.store.domains.list()).filter((d) => who.canReadDomain(d)).map((d) => d.id) };
    return this.store.tasks.list(scope, limit, offset);
  }

  async remove(who: Caller, id: number): Promise<Task> {
    const task = await this.visible(who, id, true);
    if (!isFinished(task.state)) throw invalidInput(['the task is still running; cancel it first'], 'Task is running');
    await this.store.tasks.delete(task.id);
    return task;
  }

  /** Applies or discards the deactivations a run held; the task as it is afterwards. */
  async decide(who: Caller, id: number, approve: boolean): Promise<{ task: Task; deactivated: number; discarded: number }> {
    const task = await this.visible(who, id, true);
    try {
      const d = await decideTask(this.store, task.id, approve, who.username);
      return { task: (await this.store.tasks.get(task.id))!, deactivated: d.deactivated, discarded: d.discarded };
    } catch (e) {
      if (e instanceof NothingToDecide) throw invalidInput([e.message], 'Task is not waiting for approval');
      throw e;
    }
  }

  /** Applies or discards what one run held, for a caller who may change its domain. */
  async decideRun(who: Caller, runId: number, approve: boolean): Promise<Decision> {
    const run = await this.store.runs.get(runId);
    const domain = run && (await this.store.domains.get(run.domainId));
    // A run the caller may not change is refused alike whether it exists or not.
    if (!who.isSystemAdmin && !(domain && who.canWriteDomain(domain))) throw notPermitted();
    try {
      return await decideRun(this.store, runId, approve, who.username);
    } catch (e) {
      if (e instanceof NothingToDecide) throw invalidInput([e.message], 'Run is not waiting for approval');
      throw e;
    }
  }

  /** Asks the task to stop and waits a little for it; the task as it is then. */
  async cancel(who: Caller, id: number): Promise<Task> {
    const task = await this.visible(who, id, true);
    if (isFinished(task.state)) throw invalidInput([`the task has already ended (state ${task.state})`], 'Task is not running');
    await this.queue.cancel(task.id);
    await this.queue.wait(task.id, 5000);
    return (await this.store.tasks.get(task.id))!;
  }
}
