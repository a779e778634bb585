/**
 * The seed's endpoint and its siblings: POST /domains/{domainID}/ldap/downsync, POST
 * /domains/ldap/downsync (everything) and POST /system/orgs/{ID}/ldap/downsync. Each queues an
 * ldapSync task, waits up to `timeout` seconds, and answers with the outcomes or 202.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { isFinished, TaskState } from '../../../domain/task.ts';
import { caller, requireCaller } from './session.ts';
import { errorOfCode } from '../../../domain/errors.ts';
import { withoutMarks } from '../../../domain/outcome.ts';
import type { SyncScope } from '../../../services/sync.ts';
import { DomainParam, IdParam, planView } from './shapes.ts';
import { causeFor } from '../../../services/test-answers.ts';
import type { Caller } from '../../../auth/permissions.ts';

export const MAX_TIMEOUT_SECONDS = 300;

const DownsyncQuery = Type.Object({
  import: Type.Optional(Type.Boolean()),
  lang: Type.Optional(Type.String({ maxLength: 35, pattern: '^([A-Za-z]{2,8}([_-][A-Za-z0-9]{1,8})*)?$' })),
  timeout: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_TIMEOUT_SECONDS })),
  full: Type.Optional(Type.Boolean({ description: 'ldapsync: a full reconcile even when a delta is possible' })),
  dryRun: Type.Optional(Type.Boolean({ description: 'ldapsync: answer with the plan and the outcomes it would give; write nothing' })),
}, { additionalProperties: true });
type DownsyncQuery = { import?: boolean; lang?: string; timeout?: number; full?: boolean; dryRun?: boolean };

export function downsyncRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  const sync = ctx.services.sync;
  const inputOf = (query: DownsyncQuery) => ({ importNew: query.import === true, lang: query.lang ?? '', full: query.full === true });

  async function run(request: FastifyRequest, reply: FastifyReply, scope: SyncScope, query: DownsyncQuery) {
    const who = caller(request);
    // `timeout` counts from the request's arrival: the checks before this point are part of it.
    const { task, existing, done } = await sync.start(who, scope, inputOf(query), (query.timeout ?? 1) * 1000 - reply.elapsedTime);
    if (done?.state === TaskState.awaitingApproval) {
      return reply.status(202).send({ message: `${done.message} (background task #${task.id}; approve or reject it)`, taskID: task.id });
    }
    if (!done || !isFinished(done.state)) {
      const message = existing ? `Synchronization already running as background task #${task.id}` : `Created background task #${task.id}`;
      return reply.status(202).send({ message, taskID: task.id });
    }
    if (done.state === TaskState.error) {
      const code = (done.result as { code?: number } | null)?.code ?? 500;
      throw errorOfCode(code, causeFor(who, code === 500 ? `Synchronization failed: ${done.message}` : done.message));
    }
    return reply.status(200).send({ message: done.message, data: await ctx.services.tasks.outcomes(done) });
  }

  /** A dry run: the plan (what would change, and why) and the outcomes; unchanged users only counted. */
  async function preview(who: Caller, domainId: number, query: DownsyncQuery) {
    const report = await sync.preview(who, domainId, inputOf(query));
    return {
      message: report.message, mode: report.mode, counts: report.counts,
      data: report.outcomes.filter((o) => !o.quiet).map(withoutMarks),
      plan: report.plan.map(planView).filter((p) => p !== null),
    };
  }

  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));

    app.post('/domains/:domainID/ldap/downsync', { schema: { params: DomainParam, querystring: DownsyncQuery, summary: 'Update all LDAP imported users in this domain' } }, async (request, reply) => {
      const scope = await sync.scopeFor(caller(request), { domainId: request.params.domainID });
      if (request.query.dryRun) return preview(caller(request), scope.domainId!, request.query);
      return run(request, reply, scope, request.query);
    });

    app.post('/domains/ldap/downsync', { schema: { querystring: DownsyncQuery, summary: 'Update all LDAP imported users' } }, async (request, reply) =>
      run(request, reply, await sync.scopeFor(caller(request), {}), request.query));

    app.post('/system/orgs/:ID/ldap/downsync', { schema: { params: IdParam, querystring: DownsyncQuery, summary: 'Update all LDAP imported users of an organization' } }, async (request, reply) =>
      run(request, reply, await sync.scopeFor(caller(request), { orgId: request.params.ID }), request.query));
  };
}
