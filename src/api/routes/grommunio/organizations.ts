/** /system/orgs: organizations (SystemAdmin writes, SystemAdminRO reads, OrgAdmin reads its own). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { caller, requireCaller } from '../../grommunio/session.ts';
import { conflict, forbidden, notFound } from '../../grommunio/errors.ts';
import { IdParam, orgView } from './shapes.ts';

const OrgBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }), description: Type.Optional(Type.String({ maxLength: 1024 })) }, { additionalProperties: false });
const OrgPatch = Type.Partial(OrgBody, { additionalProperties: false });

export function organizationRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  const withCount = async (id: number) => (await ctx.store.domains.list({ orgId: id })).length;
  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));

    app.get('/system/orgs', async (request) => {
      const who = caller(request);
      const orgs = (await ctx.store.organizations.list()).filter((o) => who.canReadSystem || who.isOrgAdmin(o.id));
      return { data: await Promise.all(orgs.map(async (o) => orgView(o, await withCount(o.id)))) };
    });

    app.post('/system/orgs', { schema: { body: OrgBody } }, async (request, reply) => {
      const who = caller(request);
      if (!who.isSystemAdmin) throw forbidden();
      if ((await ctx.store.organizations.list()).some((o) => o.name === request.body.name)) throw conflict(`Organization '${request.body.name}' exists already`);
      const org = await ctx.store.organizations.create(request.body.name, request.body.description ?? '');
      await ctx.store.audit.record({ actor: who.username, action: 'org.create', targetType: 'org', targetId: String(org.id), before: null, after: org });
      return reply.status(201).send(orgView(org, 0));
    });

    app.get('/system/orgs/:ID', { schema: { params: IdParam } }, async (request) => {
      const who = caller(request);
      const org = await ctx.store.organizations.get(request.params.ID);
      if (!org || org.id === 0) { if (who.canReadSystem) throw notFound('Organization not found'); throw forbidden(); }
      if (!who.canReadSystem && !who.isOrgAdmin(org.id)) throw forbidden();
      return orgView(org, await withCount(org.id));
    });

    app.patch('/system/orgs/:ID', { schema: { params: IdParam, body: OrgPatch } }, async (request) => {
      const who = caller(request);
      if (!who.isSystemAdmin) throw forbidden();
      const before = await ctx.store.organizations.get(request.params.ID);
      const org = await ctx.store.organizations.update(request.params.ID, request.body);
      if (!org) throw notFound('Organization not found');
      await ctx.store.audit.record({ actor: who.username, action: 'org.update', targetType: 'org', targetId: String(org.id), before, after: org });
      return orgView(org, await withCount(org.id));
    });

    app.delete('/system/orgs/:ID', { schema: { params: IdParam } }, async (request) => {
      const who = caller(request);
      if (!who.isSystemAdmin) throw forbidden();
      const before = await ctx.store.organizations.get(request.params.ID);
      if (!before || before.id === 0) throw notFound('Organization not found');
      if (await withCount(before.id)) throw conflict('Organization still has domains; move or delete them first');
      await ctx.store.sources.delete(before.id);
      await ctx.store.organizations.delete(before.id);
      await ctx.store.audit.record({ actor: who.username, action: 'org.delete', targetType: 'org', targetId: String(before.id), before, after: null });
      return { message: 'Organization deleted' };
    });
  };
}
