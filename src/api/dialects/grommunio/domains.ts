/** /system/domains (administration) and /domains (the domains the caller may see). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { caller, requireCaller } from './session.ts';
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

export function domainRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  const domains = ctx.services.domains;
  const view = async (d: Parameters<typeof domainView>[0]) => domainView(d, await ctx.services.users.countByStatus(d.id));
  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));

    app.get('/domains', async (request) => ({ data: await Promise.all((await domains.readable(caller(request))).map(view)) }));

    app.get('/system/domains', async (request) => ({ data: await Promise.all((await domains.administered(caller(request))).map(view)) }));

    app.post('/system/domains', { schema: { body: DomainBody } }, async (request, reply) => {
      const domain = await domains.create(caller(request), { name: request.body.domainname, orgId: request.body.orgID, title: request.body.title });
      return reply.status(201).send(await view(domain));
    });

    app.get('/system/domains/:domainID', { schema: { params: DomainParam } }, async (request) => view(await domains.visible(caller(request), request.params.domainID, false)));

    app.patch('/system/domains/:domainID', { schema: { params: DomainParam, body: DomainPatch } }, async (request) => {
      const { orgID, title, domainStatus } = request.body;
      return view(await domains.update(caller(request), request.params.domainID, { orgId: orgID, title, ...(domainStatus !== undefined ? { active: domainStatus === 0 } : {}) }));
    });

    app.delete('/system/domains/:domainID', { schema: { params: DomainParam } }, async (request) => {
      await domains.remove(caller(request), request.params.domainID);
      return { message: 'Domain deleted' };
    });
  };
}
