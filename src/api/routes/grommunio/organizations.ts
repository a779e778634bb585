/** /system/orgs: organizations (SystemAdmin writes, SystemAdminRO reads, OrgAdmin reads its own). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { caller, requireCaller } from '../../grommunio/session.ts';
import { badRequest, conflict, forbidden, notFound } from '../../grommunio/errors.ts';
import { IdParam, orgView } from './shapes.ts';

// `domains`: the IDs of exactly the domains the organization has (admin-web's org dialogs send it).
const OrgBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 128 }),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 1024 }), Type.Null()])),
  domains: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 }), { maxItems: 10_000, uniqueItems: true })),
}, { additionalProperties: false });
const OrgPatch = Type.Partial(OrgBody, { additionalProperties: false });

export function organizationRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  const withCount = async (id: number) => (await ctx.store.domains.list({ orgId: id })).length;
  const view = async (o: Parameters<typeof orgView>[0]) => {
    const domains = await ctx.store.domains.list({ orgId: o.id });
    return { ...orgView(o, domains.length), domains: domains.map((d) => ({ ID: d.id, domainname: d.name, displayname: d.name })) };
  };

  /** Checks every listed domain exists; the request changes nothing if one does not. */
  const checkDomains = async (ids: number[] | undefined) => {
    if (!ids?.length) return;
    const found = new Set((await ctx.store.domains.list({ ids })).map((d) => d.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) throw badRequest(missing.map((id) => `domains: domain ${id} does not exist`));
  };

  /** The organization gets exactly these domains: listed ones move in, unlisted ones of it move to none (0). */
  const assignDomains = async (actor: string, orgId: number, ids: number[]) => {
    const wanted = new Set(ids);
    const moves = [
      ...(await ctx.store.domains.list({ ids })).filter((d) => d.orgId !== orgId).map((d) => ({ domain: d, to: orgId })),
      ...(await ctx.store.domains.list({ orgId })).filter((d) => !wanted.has(d.id)).map((d) => ({ domain: d, to: 0 })),
    ];
    for (const { domain, to } of moves) {
      const after = await ctx.store.domains.update(domain.id, { orgId: to });
      await ctx.store.audit.record({ actor, action: 'domain.update', targetType: 'domain', targetId: String(domain.id), before: domain, after });
    }
  };

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
      await checkDomains(request.body.domains);
      const org = await ctx.store.organizations.create(request.body.name, request.body.description ?? '');
      await ctx.store.audit.record({ actor: who.username, action: 'org.create', targetType: 'org', targetId: String(org.id), before: null, after: org });
      if (request.body.domains) await assignDomains(who.username, org.id, request.body.domains);
      return reply.status(201).send(await view(org));
    });

    app.get('/system/orgs/:ID', { schema: { params: IdParam } }, async (request) => {
      const who = caller(request);
      const org = await ctx.store.organizations.get(request.params.ID);
      if (!org || org.id === 0) { if (who.canReadSystem) throw notFound('Organization not found'); throw forbidden(); }
      if (!who.canReadSystem && !who.isOrgAdmin(org.id)) throw forbidden();
      return view(org);
    });

    app.patch('/system/orgs/:ID', { schema: { params: IdParam, body: OrgPatch } }, async (request) => {
      const who = caller(request);
      if (!who.isSystemAdmin) throw forbidden();
      const before = await ctx.store.organizations.get(request.params.ID);
      if (!before || before.id === 0) throw notFound('Organization not found');
      await checkDomains(request.body.domains);
      const { domains, description, ...rest } = request.body;
      const org = await ctx.store.organizations.update(request.params.ID, { ...rest, ...(description !== undefined ? { description: description ?? '' } : {}) });
      if (!org) throw notFound('Organization not found');
      await ctx.store.audit.record({ actor: who.username, action: 'org.update', targetType: 'org', targetId: String(org.id), before, after: org });
      if (domains) await assignDomains(who.username, org.id, domains);
      return view(org);
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
