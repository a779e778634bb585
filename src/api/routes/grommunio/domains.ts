/** /system/domains (administration) and /domains (the domains the caller may see). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import type { Caller } from '../../../auth/permissions.ts';
import { caller, domainFor, requireCaller } from '../../grommunio/session.ts';
import { badRequest, conflict, forbidden } from '../../grommunio/errors.ts';
import { DomainParam, domainView } from './shapes.ts';

const DOMAIN_NAME = '^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)*[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$';
const DomainBody = Type.Object({
  domainname: Type.String({ pattern: DOMAIN_NAME, maxLength: 253 }),
  orgID: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
  title: Type.Optional(Type.String({ maxLength: 128 })),
}, { additionalProperties: true });
const DomainPatch = Type.Object({
  orgID: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
  title: Type.Optional(Type.String({ maxLength: 128 })),
  domainStatus: Type.Optional(Type.Integer({ minimum: 0, maximum: 3 })),
}, { additionalProperties: true });

export async function visibleDomains(ctx: ApiContext, who: Caller) {
  return (await ctx.store.domains.list()).filter((d) => who.canReadDomain(d));
}

export function domainRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  const view = async (d: Parameters<typeof domainView>[0]) => domainView(d, await ctx.store.users.countByStatus(d.id));
  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));

    app.get('/domains', async (request) => ({ data: await Promise.all((await visibleDomains(ctx, caller(request))).map(view)) }));

    app.get('/system/domains', async (request) => {
      const who = caller(request);
      const domains = (await ctx.store.domains.list()).filter((d) => who.canReadSystem || who.isOrgAdmin(d.orgId));
      return { data: await Promise.all(domains.map(view)) };
    });

    app.post('/system/domains', { schema: { body: DomainBody } }, async (request, reply) => {
      const who = caller(request);
      const orgId = request.body.orgID ?? 0;
      // A domain name decides whose directory entries its admins may search, import and dump:
      // naming one is a SystemAdmin's act, never a tenant's.
      if (!who.isSystemAdmin) throw forbidden('only a system admin creates domains');
      if (orgId && !(await ctx.store.organizations.get(orgId))) throw badRequest([`organization ${orgId} does not exist`]);
      if (await ctx.store.domains.byName(request.body.domainname)) throw conflict(`Domain ${request.body.domainname.toLowerCase()} exists already`);
      const domain = await ctx.store.domains.create({ name: request.body.domainname, orgId, title: request.body.title ?? '' });
      await ctx.store.audit.record({ actor: who.username, action: 'domain.create', targetType: 'domain', targetId: String(domain.id), before: null, after: domain });
      return reply.status(201).send(await view(domain));
    });

    app.get('/system/domains/:domainID', { schema: { params: DomainParam } }, async (request) => {
      const domain = await domainFor(ctx, caller(request), request.params.domainID, false);
      return view((await ctx.store.domains.get(domain.id))!);
    });

    app.patch('/system/domains/:domainID', { schema: { params: DomainParam, body: DomainPatch } }, async (request) => {
      const who = caller(request);
      const before = await domainFor(ctx, who, request.params.domainID, true);
      const target = request.body.orgID;
      if (target !== undefined && target !== before.orgId && !(who.isSystemAdmin || (who.isOrgAdmin(target) && who.isOrgAdmin(before.orgId)))) throw forbidden('moving a domain needs admin rights on both organizations');
      if (target && !(await ctx.store.organizations.get(target))) throw badRequest([`organization ${target} does not exist`]);
      const domain = await ctx.store.domains.update(before.id, {
        ...(request.body.title !== undefined ? { title: request.body.title } : {}),
        ...(target !== undefined ? { orgId: target } : {}),
        ...(request.body.domainStatus !== undefined ? { active: request.body.domainStatus === 0 } : {}),
      });
      await ctx.store.audit.record({ actor: who.username, action: 'domain.update', targetType: 'domain', targetId: String(before.id), before, after: domain });
      return view(domain!);
    });

    app.delete('/system/domains/:domainID', { schema: { params: DomainParam } }, async (request) => {
      const who = caller(request);
      const domain = await domainFor(ctx, who, request.params.domainID, true);
      if (!(who.isSystemAdmin || who.isOrgAdmin(domain.orgId))) throw forbidden();
      await ctx.store.domains.delete(domain.id);
      await ctx.store.audit.record({ actor: who.username, action: 'domain.delete', targetType: 'domain', targetId: String(domain.id), before: domain, after: null });
      return { message: 'Domain deleted' };
    });
  };
}
