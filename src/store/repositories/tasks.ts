import { sql, type Kysely, type Selectable } from 'kysely';
import type { Dialect } from '../database.ts';
import type { Database, TasksTable } from '../schema.ts';
import { TaskState, type Task } from '../../domain/task.ts';

const toTask = (r: Selectable<TasksTable>): Task => ({
  id: r.id, command: r.command, params: JSON.parse(r.params) as Record<string, unknown>, state: r.state as TaskState,
  progress: r.progress, message: r.message, result: r.result === null ? null : (JSON.parse(r.result) as unknown),
  domainId: r.domain_id, orgId: r.org_id, owner: r.owner, createdAt: r.created_at, updatedAt: r.updated_at,
});

export interface TaskScope { all: boolean; domainIds: number[] }

export class TaskRepository {
  private readonly db: Kysely<Database>;
  private readonly dialect: Dialect;
  constructor(db: Kysely<Database>, dialect: Dialect = 'sqlite') { this.db = db; this.dialect = dialect; }

  async create(t: Pick<Task, 'command' | 'params' | 'domainId' | 'orgId' | 'owner'>): Promise<Task> {
    const now = new Date().toISOString();
    const row = await this.db.insertInto('tasks').values({
      command: t.command, params: JSON.stringify(t.params), state: TaskState.queued, progress: 0, message: '',
      result: null, domain_id: t.domainId, org_id: t.orgId, owner: t.owner, created_at: now, updated_at: now,
    }).returningAll().executeTakeFirstOrThrow();
    return toTask(row);
  }

  async get(id: number): Promise<Task | undefined> {
    const row = await this.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toTask(row);
  }

  async update(id: number, patch: Partial<Pick<Task, 'state' | 'progress' | 'message' | 'result'>>): Promise<void> {
    await this.db.updateTable('tasks').set({
      ...(patch.state !== undefined ? { state: patch.state } : {}),
      ...(patch.progress !== undefined ? { progress: patch.progress } : {}),
      ...(patch.message !== undefined ? { message: patch.message } : {}),
      ...(patch.result !== undefined ? { result: JSON.stringify(patch.result) } : {}),
      updated_at: new Date().toISOString(),
    }).where('id', '=', id).execute();
  }

  /** Sets the state only if the task is still in one of `from` (a compare-and-set). */
  async transition(id: number, from: TaskState[], to: TaskState, message?: string): Promise<boolean> {
    const r = await this.db.updateTable('tasks')
      .set({ state: to, updated_at: new Date().toISOString(), ...(message !== undefined ? { message } : {}) })
      .where('id', '=', id).where('state', 'in', from).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** A task for this domain that is queued or running, if any. */
  async activeFor(command: string, domainId: number | null): Promise<Task | undefined> {
    let q = this.db.selectFrom('tasks').selectAll().where('command', '=', command).where('state', 'in', [TaskState.queued, TaskState.loaded, TaskState.running]);
    q = domainId === null ? q.where('domain_id', 'is', null) : q.where('domain_id', '=', domainId);
    const row = await q.orderBy('id').executeTakeFirst();
    return row && toTask(row);
  }

  async inStates(states: TaskState[]): Promise<Task[]> {
    return (await this.db.selectFrom('tasks').selectAll().where('state', 'in', states).orderBy('id').execute()).map(toTask);
  }

  async list(scope: TaskScope, limit: number, offset: number): Promise<Task[]> {
    let q = this.db.selectFrom('tasks').selectAll().orderBy('id', 'desc').limit(limit).offset(offset);
    if (!scope.all) q = scope.domainIds.length ? q.where('domain_id', 'in', scope.domainIds) : q.where('id', '<', 0);
    return (await q.execute()).map(toTask);
  }

  async countByState(): Promise<Record<number, number>> {
    const rows = await this.db.selectFrom('tasks').select(['state', (eb) => eb.fn.countAll().as('n')]).groupBy('state').execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  async requestCancel(id: number): Promise<void> {
    await this.db.updateTable('tasks').set({ cancel_requested: 1 }).where('id', '=', id).execute();
  }

  async cancelRequested(id: number): Promise<boolean> {
    const r = await this.db.selectFrom('tasks').select('cancel_requested').where('id', '=', id).executeTakeFirst();
    return r?.cancel_requested === 1;
  }

  /**
   * Creates the task unless one for the same command and scope is queued or running, atomically
   * across processes (PostgreSQL: an advisory lock per scope; SQLite: one writer at a time).
   */
  async createUnlessActive(t: Pick<Task, 'command' | 'params' | 'domainId' | 'orgId' | 'owner'>): Promise<{ task: Task; existing: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      const repo = new TaskRepository(trx);
      if (this.dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${7_311_000}, ${t.domainId ?? -1 - (t.orgId ?? 0)})`.execute(trx);
      const active = await repo.activeFor(t.command, t.domainId);
      if (active && active.orgId === t.orgId) return { task: active, existing: true };
      return { task: await repo.create(t), existing: false };
    });
  }

  async delete(id: number): Promise<boolean> {
    const r = await this.db.deleteFrom('tasks').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
