/**
 * GET|PUT|DELETE /system/mconf/ldap and /system/orgs/{ID}/ldap. `bindPass` is write-only: it is
 * never returned, and a PUT without it keeps the stored one for the same server and bind DN only.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { caller, requireCaller } from './session.ts';
import { forbidden } from './errors.ts';
import { IdParam } from './shapes.ts';
import { grommunioSourceView, keepGroupSwitch } from './source-view.ts';

const PutQuery = Type.Object({ force: Type.Optional(Type.Boolean()) }, { additionalProperties: true });
const ConfigBody = Type.Object({}, { additionalProperties: true });

type Json = Record<string, unknown>;

export function ldapConfigRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  const sources = ctx.services.sources;
  /** admin-web shows ldapAvailable as "LDAP connectivity check passed/failed": so it is one. */
  const reachable = async (config: Json) => {
    return (await sources.unreachableBecause(config)) === null;
  };
  const read = async (orgId: number) => {
    const config = await sources.get(orgId);
    return { ldapAvailable: !!config && config.disabled !== true && (await reachable(config)), data: config ? grommunioSourceView(config) : {} };
  };

  const write = async (request: FastifyRequest, orgId: number, body: Json, force: boolean) => {
    const next = keepGroupSwitch(body, await sources.get(orgId));
    await sources.save(caller(request), orgId, next, { force, logFailure: (id, cause) => request.log.info({ orgId: id, cause }, 'LDAP connection test failed') });
    return { message: 'LDAP configuration updated' };
  };

  const remove = async (request: FastifyRequest, orgId: number) => {
    await sources.remove(caller(request), orgId);
    return { message: 'LDAP deactivated' };
  };

  const orgFor = async (request: FastifyRequest, id: number) => (await ctx.services.organizations.visible(caller(request), id, 'admin')).id;

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
