/** /system/orgs: organizations (SystemAdmin writes, SystemAdminRO reads, OrgAdmin reads its own). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { caller, requireCaller } from './session.ts';
import type { OrganizationWithDomains } from '../../../services/organizations.ts';
import { IdParam, orgView } from './shapes.ts';

// `domains`: the IDs of exactly the domains the organization has (admin-web's org dialogs send it).
const OrgBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 128 }),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 1024 }), Type.Null()])),
  domains: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 }), { maxItems: 10_000, uniqueItems: true })),
}, { additionalProperties: false });
const OrgPatch = Type.Partial(OrgBody, { additionalProperties: false });

export function organizationRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  const orgs = ctx.services.organizations;
  const view = ({ org, domains }: OrganizationWithDomains) =>
    ({ ...orgView(org, domains.length), domains: domains.map((d) => ({ ID: d.id, domainname: d.name, displayname: d.name })) });

  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));

    app.get('/system/orgs', async (request) => ({ data: (await orgs.list(caller(request))).map(({ org, domainCount }) => orgView(org, domainCount)) }));

    app.post('/system/orgs', { schema: { body: OrgBody } }, async (request, reply) => reply.status(201).send(view(await orgs.create(caller(request), request.body))));

    app.get('/system/orgs/:ID', { schema: { params: IdParam } }, async (request) => view(await orgs.get(caller(request), request.params.ID)));

    app.patch('/system/orgs/:ID', { schema: { params: IdParam, body: OrgPatch } }, async (request) => view(await orgs.update(caller(request), request.params.ID, request.body)));

    app.delete('/system/orgs/:ID', { schema: { params: IdParam } }, async (request) => {
      await orgs.remove(caller(request), request.params.ID);
      return { message: 'Organization deleted' };
    });
  };
}
