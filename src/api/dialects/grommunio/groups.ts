/**
 * GET /domains/{domainID}/mlists and /mlists/{ID}: the directory groups the sync recorded for the
 * domain's users, shown as grommunio's mailing lists (read-only; the directory owns them). A
 * group's ID is derived from its name, so it stays the same from one sync to the next.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createHash } from 'node:crypto';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { caller, requireCaller } from './session.ts';
import { notFound } from './errors.ts';
import { DomainParam } from './shapes.ts';

const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
  match: Type.Optional(Type.String({ maxLength: 256 })),
  sort: Type.Optional(Type.String({ pattern: '^[A-Za-z_]{1,32}(,(asc|desc))?$' })),
}, { additionalProperties: true });

/** A positive 31-bit ID from the group's name. */
const groupId = (name: string): number => createHash('sha256').update(name).digest().readUInt32BE(0) >>> 1 || 1;

/** grommunio's mlistRead; listType 1 is the type admin-web labels "Group". */
const mlistView = (g: { name: string; members: string[] }) => ({
  ID: groupId(g.name), listname: g.name, listType: 1, listPrivilege: 0, associations: g.members, specifieds: [], displayName: g.name, hidden: 0,
});

export function groupRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));

    app.get('/domains/:domainID/mlists', { schema: { params: DomainParam, querystring: ListQuery } }, async (request) => {
      const q = request.query;
      const match = q.match?.toLowerCase();
      let groups = (await ctx.services.users.groups(caller(request), request.params.domainID)).filter((g) => !match || g.name.toLowerCase().includes(match));
      if (q.sort?.endsWith(',desc')) groups = groups.reverse();
      const offset = q.offset ?? 0;
      return { data: groups.slice(offset, offset + (q.limit ?? 50)).map(mlistView), count: groups.length };
    });

    app.get('/domains/:domainID/mlists/:ID', { schema: { params: Type.Object({ domainID: DomainParam.properties.domainID, ID: Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 }) }) } }, async (request) => {
      const group = (await ctx.services.users.groups(caller(request), request.params.domainID)).find((g) => groupId(g.name) === request.params.ID);
      if (!group) throw notFound('Group not found');
      return mlistView(group);
    });
  };
}
