/**
 * GET|PUT|DELETE /system/mconf/ldap and /system/orgs/{ID}/ldap. `bindPass` is write-only: it is
 * never returned, and a PUT without it keeps the stored one for the same server and bind DN only.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { parseSource, publicSourceView, SourceConfigError } from '../../../directory/source.ts';
import { DirectoryError } from '../../../directory/errors.ts';
import { caller, requireCaller } from '../../grommunio/session.ts';
import { badRequest, forbidden, notFound } from '../../grommunio/errors.ts';
import { IdParam } from './shapes.ts';
import { withStoredPassword } from '../../../directory/stored-password.ts';
import { checkSourceWrite } from '../../../services/source-policy.ts';
import { testFailureFor } from '../../../services/test-answers.ts';
import { grommunioSourceView, keepGroupSwitch } from './source-view.ts';

const PutQuery = Type.Object({ force: Type.Optional(Type.Boolean()) }, { additionalProperties: true });
const ConfigBody = Type.Object({}, { additionalProperties: true });

type Json = Record<string, unknown>;

export function ldapConfigRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  /** admin-web shows ldapAvailable as "LDAP connectivity check passed/failed": so it is one. */
  const reachable = async (config: Json) => {
    try { await ctx.ldap.test(config); return true; } catch { return false; }
  };
  const read = async (orgId: number) => {
    const config = await ctx.store.sources.get(orgId);
    return { ldapAvailable: !!config && config.disabled !== true && (await reachable(config)), data: config ? grommunioSourceView(config) : {} };
  };

  const write = async (request: FastifyRequest, orgId: number, body: Json, force: boolean) => {
    const who = caller(request);
    const stored = await ctx.store.sources.get(orgId);
    const config = withStoredPassword(keepGroupSwitch(body, stored), stored);
    checkSourceWrite(who, config, stored);
    try {
      parseSource(config);
    } catch (e) {
      if (e instanceof SourceConfigError) throw badRequest(e.errors, 'Invalid LDAP configuration');
      throw e;
    }
    if (!force) {
      try {
        await ctx.ldap.test(config);
      } catch (e) {
        if (e instanceof DirectoryError) {
          request.log.info({ orgId, cause: e.message }, 'LDAP connection test failed');
          throw badRequest([testFailureFor(who, e.message)], 'LDAP connection test failed; fix the configuration or save with force=true');
        }
        throw e;
      }
    }
    await ctx.store.sources.set(orgId, config);
    await ctx.queue.syncSchedules();
    await ctx.store.audit.record({ actor: who.username, action: 'source.set', targetType: 'source', targetId: String(orgId), before: stored && publicSourceView(stored), after: publicSourceView(config) });
    return { message: 'LDAP configuration updated' };
  };

  const remove = async (request: FastifyRequest, orgId: number) => {
    const who = caller(request);
    const stored = await ctx.store.sources.get(orgId);
    await ctx.store.sources.delete(orgId);
    await ctx.queue.syncSchedules();
    await ctx.store.audit.record({ actor: who.username, action: 'source.delete', targetType: 'source', targetId: String(orgId), before: stored && publicSourceView(stored), after: null });
    return { message: 'LDAP deactivated' };
  };

  const orgFor = async (request: FastifyRequest, id: number) => {
    const who = caller(request);
    const org = id > 0 ? await ctx.store.organizations.get(id) : undefined;
    if (!org) { if (who.canReadSystem) throw notFound('Organization not found'); throw forbidden(); }
    if (!who.isOrgAdmin(org.id)) throw forbidden();
    return org.id;
  };

  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));

    app.get('/system/mconf/ldap', async (request) => {
      if (!caller(request).canReadSystem) throw forbidden();
      return read(0);
    });
    app.put('/system/mconf/ldap', { schema: { querystring: PutQuery, body: ConfigBody } }, async (request) => {
      if (!caller(request).isSystemAdmin) throw forbidden();
      return write(request, 0, request.body as Json, request.query.force === true);
    });
    app.delete('/system/mconf/ldap', async (request) => {
      if (!caller(request).isSystemAdmin) throw forbidden();
      return remove(request, 0);
    });

    app.get('/system/orgs/:ID/ldap', { schema: { params: IdParam } }, async (request) => read(await orgFor(request, request.params.ID)));
    app.put('/system/orgs/:ID/ldap', { schema: { params: IdParam, querystring: PutQuery, body: ConfigBody } }, async (request) =>
      write(request, await orgFor(request, request.params.ID), request.body as Json, request.query.force === true));
    app.delete('/system/orgs/:ID/ldap', { schema: { params: IdParam } }, async (request) => remove(request, await orgFor(request, request.params.ID)));
  };
}
