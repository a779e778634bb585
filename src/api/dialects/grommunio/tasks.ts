/** /tasq: task status, list, detail, delete and cancel; a task is visible only with its domain. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import type { Task } from '../../../domain/task.ts';
import { isFinished, TaskState } from '../../../domain/task.ts';
import { heldByTask, SYNC_COMMAND, taskOutcomes } from '../../../tasks/sync-task.ts';
import { decideTask, NothingToDecide } from '../../../tasks/approval.ts';
import { caller, requireCaller } from './session.ts';
import { badRequest, forbidden, notFound } from './errors.ts';
import { IdParam, Paging, taskView } from './shapes.ts';
import { causeFor } from '../../../services/test-answers.ts';

const Level = Type.Object({ level: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })) }, { additionalProperties: true });
const ListQuery = Type.Object({ ...Paging, level: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })) }, { additionalProperties: true });

export function taskRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  const canSee = async (request: FastifyRequest, task: Task, write: boolean): Promise<boolean> => {
    const who = caller(request);
    if (task.domainId !== null) {
      const domain = await ctx.store.domains.get(task.domainId);
      return domain ? (write ? who.canWriteDomain(domain) : who.canReadDomain(domain)) : who.canReadSystem;
    }
    if (task.orgId !== null) return who.isOrgAdmin(task.orgId);
    return write ? who.isSystemAdmin : who.canReadSystem;
  };

  const visibleTask = async (request: FastifyRequest, id: number, write: boolean): Promise<Task> => {
    const task = await ctx.store.tasks.get(id);
    if (!task || !(await canSee(request, task, write))) {
      if (task && caller(request).canReadSystem) throw forbidden();
      throw notFound('Task not found');
    }
    return task;
  };

  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));

    app.get('/tasq/status', async () => ctx.queue.status());

    app.get('/tasq/tasks', { schema: { querystring: ListQuery } }, async (request) => {
      const who = caller(request);
      const scope = who.canReadSystem
        ? { all: true, domainIds: [] }
        : { all: false, domainIds: (await ctx.store.domains.list()).filter((d) => who.canReadDomain(d)).map((d) => d.id) };
      const tasks = await ctx.store.tasks.list(scope, request.query.limit ?? 50, request.query.offset ?? 0);
      return { data: tasks.map((t) => taskView({ ...t, message: causeFor(who, t.message) }, request.query.level ?? 1)) };
    });

    app.get('/tasq/tasks/:ID', { schema: { params: IdParam, querystring: Level } }, async (request) => {
      const task = await visibleTask(request, request.params.ID, false);
      const level = request.query.level ?? 2;
      const result = level >= 2 && task.command === SYNC_COMMAND ? await taskOutcomes(ctx.store, task) : undefined;
      const view = taskView({ ...task, message: causeFor(caller(request), task.message) }, level, result);
      if (level >= 2 && task.state === TaskState.awaitingApproval) {
        (view.params as Record<string, unknown>).pendingDeactivations = await heldByTask(ctx.store, task);
      }
      return view;
    });

    app.delete('/tasq/tasks/:ID', { schema: { params: IdParam } }, async (request) => {
      const task = await visibleTask(request, request.params.ID, true);
      if (!isFinished(task.state)) throw badRequest(['the task is still running; cancel it first'], 'Task is running');
      await ctx.store.tasks.delete(task.id);
      return { message: `Deleted task #${task.id}` };
    });

    for (const [action, approve] of [['approve', true], ['reject', false]] as const) {
      app.post(`/tasq/tasks/:ID/${action}`, { schema: { params: IdParam, summary: `${approve ? 'Apply' : 'Discard'} the deactivations a run held for approval (ldapsync)` } }, async (request) => {
        const task = await visibleTask(request, request.params.ID, true);
        try {
          const d = await decideTask(ctx.store, task.id, approve, caller(request).username);
          const after = (await ctx.store.tasks.get(task.id))!;
          return { message: after.message, state: after.state, deactivated: d.deactivated, discarded: d.discarded };
        } catch (e) {
          if (e instanceof NothingToDecide) throw badRequest([e.message], 'Task is not waiting for approval');
          throw e;
        }
      });
    }

    app.post('/tasq/tasks/:ID/cancel', { schema: { params: IdParam } }, async (request) => {
      const task = await visibleTask(request, request.params.ID, true);
      if (isFinished(task.state)) throw badRequest([`the task has already ended (state ${task.state})`], 'Task is not running');
      await ctx.queue.cancel(task.id);
      await ctx.queue.wait(task.id, 5000);
      const after = (await ctx.store.tasks.get(task.id))!;
      return { message: isFinished(after.state) ? `Task #${task.id} cancelled` : `Task #${task.id} stops after its current batch`, state: after.state };
    });
  };
}
