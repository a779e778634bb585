/** /domains/{domainID}/users, GET /system/users and GET /users: users as grommunio shows them, scoped to the caller. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { caller, domainFor, requireCaller } from '../../grommunio/session.ts';
import { badRequest, notFound } from '../../grommunio/errors.ts';
import { DomainParam, DomainUserParams, Paging, userView } from './shapes.ts';
import { userQueryFrom, UserListQuery } from './user-query.ts';
import { visibleDomains } from './domains.ts';

const UserPatch = Type.Object({
  ldapID: Type.Optional(Type.Null()),
  status: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
}, { additionalProperties: false });

export function userRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));

    const userIn = async (domainId: number, userId: number) => {
      const user = await ctx.store.users.get(userId);
      if (!user || user.domainId !== domainId) throw notFound('User not found');
      return user;
    };

    app.get('/users', { schema: { querystring: Type.Object({ ...Paging }, { additionalProperties: true }) } }, async (request) => {
      const limit = request.query.limit ?? 50;
      const data: Array<{ username: string }> = [];
      for (const d of await visibleDomains(ctx, caller(request))) {
        if (data.length >= limit) break;
        const { users } = await ctx.store.users.list({ domainId: d.id, limit: limit - data.length, offset: 0 });
        data.push(...users.map((u) => ({ username: u.username })));
      }
      return { data };
    });

    app.get('/domains/:domainID/users', { schema: { params: DomainParam, querystring: UserListQuery } }, async (request) => {
      const domain = await domainFor(ctx, caller(request), request.params.domainID, false);
      const query = userQueryFrom(request.query, domain.id);
      if (!query) return { data: [], count: 0 };
      const { users, total } = await ctx.store.users.list(query);
      return { data: users.map(userView), count: total };
    });

    // Every user of the domains the caller may see (admin-web's global users page and pickers).
    app.get('/system/users', { schema: { querystring: Type.Intersect([UserListQuery, Type.Object({ orgID: Type.Optional(Type.Integer({ minimum: 0 })), homeserver: Type.Optional(Type.Integer({ minimum: 0 })) })]) } }, async (request) => {
      const domains = (await visibleDomains(ctx, caller(request))).filter((d) => request.query.orgID === undefined || d.orgId === request.query.orgID);
      // ldapsync has no mail servers, so no user lives on one.
      const query = request.query.homeserver === undefined ? userQueryFrom(request.query, domains.map((d) => d.id)) : null;
      if (!query) return { data: [], count: 0 };
      const { users, total } = await ctx.store.users.list(query);
      return { data: users.map(userView), count: total };
    });

    app.get('/domains/:domainID/users/:userID', { schema: { params: DomainUserParams } }, async (request) => {
      const domain = await domainFor(ctx, caller(request), request.params.domainID, false);
      return userView(await userIn(domain.id, request.params.userID));
    });

    app.patch('/domains/:domainID/users/:userID', { schema: { params: DomainUserParams, body: UserPatch } }, async (request) => {
      const who = caller(request);
      const domain = await domainFor(ctx, who, request.params.domainID, true);
      const before = await userIn(domain.id, request.params.userID);
      if ('ldapID' in request.body) {
        if (!before.externId) throw badRequest(['ldapID: the user is not linked to a directory entry']);
        await ctx.store.users.detach(before.id);
      }
      if (request.body.status !== undefined) {
        // An admin's status change is the admin's: the sync never undoes it.
        await ctx.store.users.setStatus([before.id], request.body.status === 0 ? 'active' : 'deactivated', 'admin', request.body.status === 0 ? null : `deactivated by ${who.username}`);
      }
      const after = (await ctx.store.users.get(before.id))!;
      await ctx.store.audit.record({ actor: who.username, action: 'user.update', targetType: 'user', targetId: String(before.id), before: userView(before), after: userView(after) });
      return userView(after);
    });

    app.delete('/domains/:domainID/users/:userID', { schema: { params: DomainUserParams } }, async (request) => {
      const who = caller(request);
      const domain = await domainFor(ctx, who, request.params.domainID, true);
      const before = await userIn(domain.id, request.params.userID);
      await ctx.store.users.delete(before.id);
      await ctx.store.audit.record({ actor: who.username, action: 'user.delete', targetType: 'user', targetId: String(before.id), before: userView(before), after: null });
      return { message: 'User deleted' };
    });
  };
}
