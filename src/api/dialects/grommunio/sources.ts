/**
 * ldapsync's own additions for operators and the console: each directory source's state
 * (reachable, last run, users by status), and a connection test that saves nothing.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { caller, requireCaller } from './session.ts';
import { forbidden } from './errors.ts';
import { causeFor, testFailureFor } from '../../../services/test-answers.ts';
import { dateTime, IdParam } from './shapes.ts';
import type { FastifyRequest } from 'fastify';
import { nextOccurrence } from '../../../tasks/recurrence.ts';
import { activeSchedule } from '../../../tasks/schedule.ts';

/** When the source's schedule fires next ('YYYY-MM-DD HH:MM:SS' UTC), or null: only when asked. */
function nextRunOf(config: Record<string, unknown>): string | null {
  const schedule = activeSchedule(config);
  try { return schedule ? dateTime(nextOccurrence(schedule)?.toISOString() ?? null) : null; } catch { return null; }
}

const REACH_CACHE_MS = 30_000;

export function sourceRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  const reach = new Map<number, { at: number; reachable: boolean; error: string | null }>();

  async function reachable(orgId: number, config: Record<string, unknown>) {
    const cached = reach.get(orgId);
    if (cached && Date.now() - cached.at < REACH_CACHE_MS) return cached;
    const error = await ctx.services.sources.unreachableBecause(config);
    const result = { at: Date.now(), reachable: error === null, error };
    reach.set(orgId, result);
    return result;
  }

  const test = (request: FastifyRequest, orgId: number, body: Record<string, unknown>) =>
    ctx.services.sources.test(caller(request), orgId, body, (id, cause) => request.log.info({ orgId: id, cause }, 'LDAP connection test failed'));

  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));

    app.get('/ldapsync/sources', { schema: { summary: 'Directory sources the caller may see, with their state (ldapsync)' } }, async (request) => {
      const who = caller(request);
      const readable = await ctx.services.domains.readable(who);
      const data = [];
      for (const { orgId, config, served, lastRun: last, users } of await ctx.services.sources.overview(who, readable)) {
        const connection = (config.connection ?? {}) as Record<string, unknown>;
        const state = config.disabled === true ? { reachable: false, error: 'disabled' } : await reachable(orgId, config);
        data.push({
          orgID: orgId, server: String(connection.server ?? ''), baseDn: String(config.baseDn ?? ''), disabled: config.disabled === true,
          reachable: state.reachable, error: state.error && !config.disabled ? testFailureFor(who, state.error) : state.error, domains: served.map((d) => ({ ID: d.id, domainname: d.name })),
          lastRun: last ? { ID: last.id, domainID: last.domainId, status: last.status, mode: last.mode, message: causeFor(who, last.message), finished: last.finishedAt } : null,
          nextRun: nextRunOf(config),
          users,
        });
      }
      return { data };
    });

    app.get('/ldapsync/audit', { schema: { querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })) }, { additionalProperties: true }), summary: 'Every change: who, what, before and after, when (SystemAdmin; ldapsync)' } }, async (request) => {
      return { data: await ctx.services.audit.list(caller(request), request.query.limit ?? 100, request.query.offset ?? 0) };
    });

    app.post('/system/mconf/ldap/test', { schema: { body: Type.Object({}, { additionalProperties: true }), summary: 'Test a configuration without saving it (ldapsync)' } }, async (request) => {
      if (!caller(request).isSystemAdmin) throw forbidden();
      return test(request, 0, request.body as Record<string, unknown>);
    });

    app.post('/system/orgs/:ID/ldap/test', { schema: { params: IdParam, body: Type.Object({}, { additionalProperties: true }) } }, async (request) => {
      const org = await ctx.services.organizations.visible(caller(request), request.params.ID, 'admin');
      return test(request, org.id, request.body as Record<string, unknown>);
    });
  };
}
