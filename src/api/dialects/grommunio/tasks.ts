/** /tasq: task status, list, detail, delete and cancel; a task is visible only with its domain. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { isFinished, TaskState } from '../../../domain/task.ts';
import { SYNC_COMMAND } from '../../../tasks/sync-task.ts';
import { caller, requireCaller } from './session.ts';
import { IdParam, Paging, taskView } from './shapes.ts';
import { causeFor } from '../../../services/test-answers.ts';

const Level = Type.Object({ level: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })) }, { additionalProperties: true });
const ListQuery = Type.Object({ ...Paging, level: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })) }, { additionalProperties: true });

export function taskRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  const tasks = ctx.services.tasks;
  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));

    app.get('/tasq/status', async () => tasks.queueStatus());

    app.get('/tasq/tasks', { schema: { querystring: ListQuery } }, async (request) => {
      const who = caller(request);
      const found = await tasks.list(who, request.query.limit ?? 50, request.query.offset ?? 0);
      return { data: found.map((t) => taskView({ ...t, message: causeFor(who, t.message) }, request.query.level ?? 1)) };
    });

    app.get('/tasq/tasks/:ID', { schema: { params: IdParam, querystring: Level } }, async (request) => {
      const task = await tasks.visible(caller(request), request.params.ID, false);
      const level = request.query.level ?? 2;
      const result = level >= 2 && task.command === SYNC_COMMAND ? await tasks.outcomes(task) : undefined;
      const view = taskView({ ...task, message: causeFor(caller(request), task.message) }, level, result);
      if (level >= 2 && task.state === TaskState.awaitingApproval) {
        (view.params as Record<string, unknown>).pendingDeactivations = await tasks.held(task);
      }
      return view;
    });

    app.delete('/tasq/tasks/:ID', { schema: { params: IdParam } }, async (request) => {
      const task = await tasks.remove(caller(request), request.params.ID);
      return { message: `Deleted task #${task.id}` };
    });

    for (const [action, approve] of [['approve', true], ['reject', false]] as const) {
      app.post(`/tasq/tasks/:ID/${action}`, { schema: { params: IdParam, summary: `${approve ? 'Apply' : 'Discard'} the deactivations a run held for approval (ldapsync)` } }, async (request) => {
        const { task, deactivated, discarded } = await tasks.decide(caller(request), request.params.ID, approve);
        return { message: task.message, state: task.state, deactivated, discarded };
      });
    }

    app.post('/tasq/tasks/:ID/cancel', { schema: { params: IdParam } }, async (request) => {
      const after = await tasks.cancel(caller(request), request.params.ID);
      return { message: isFinished(after.state) ? `Task #${after.id} cancelled` : `Task #${after.id} stops after its current batch`, state: after.state };
    });
  };
}
