/** /domains/{domainID}/users, GET /system/users and GET /users: users as grommunio shows them, scoped to the caller. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { caller, domainFor, requireCaller } from './session.ts';
import { DomainParam, DomainUserParams, Paging, userView } from './shapes.ts';
import { userQueryFrom, UserListQuery } from './user-query.ts';

const UserPatch = Type.Object({
  ldapID: Type.Optional(Type.Null()),
  status: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
}, { additionalProperties: false });

export function userRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));

    const users = ctx.services.users;

    app.get('/users', { schema: { querystring: Type.Object({ ...Paging }, { additionalProperties: true }) } }, async (request) => {
      const found = await users.firstVisible(caller(request), request.query.limit ?? 50);
      return { data: found.map((u) => ({ username: u.username })) };
    });

    app.get('/domains/:domainID/users', { schema: { params: DomainParam, querystring: UserListQuery } }, async (request) => {
      const domain = await domainFor(ctx, caller(request), request.params.domainID, false);
      const query = userQueryFrom(request.query, domain.id);
      if (!query) return { data: [], count: 0 };
      const { users: found, total } = await users.list(query);
      return { data: found.map(userView), count: total };
    });

    // Every user of the domains the caller may see (admin-web's global users page and pickers).
    app.get('/system/users', { schema: { querystring: Type.Intersect([UserListQuery, Type.Object({ orgID: Type.Optional(Type.Integer({ minimum: 0 })), homeserver: Type.Optional(Type.Integer({ minimum: 0 })) })]) } }, async (request) => {
      const domains = (await ctx.services.domains.readable(caller(request))).filter((d) => request.query.orgID === undefined || d.orgId === request.query.orgID);
      // ldapsync has no mail servers, so no user lives on one.
      const query = request.query.homeserver === undefined ? userQueryFrom(request.query, domains.map((d) => d.id)) : null;
      if (!query) return { data: [], count: 0 };
      const { users: found, total } = await users.list(query);
      return { data: found.map(userView), count: total };
    });

    app.get('/domains/:domainID/users/:userID', { schema: { params: DomainUserParams } }, async (request) => {
      return userView((await users.get(caller(request), request.params.domainID, request.params.userID)).user);
    });

    app.patch('/domains/:domainID/users/:userID', { schema: { params: DomainUserParams, body: UserPatch } }, async (request) => {
      const { status } = request.body;
      const patch = { detach: 'ldapID' in request.body, ...(status !== undefined ? { active: status === 0 } : {}) };
      return userView(await users.update(caller(request), request.params.domainID, request.params.userID, patch, userView));
    });

    app.delete('/domains/:domainID/users/:userID', { schema: { params: DomainUserParams } }, async (request) => {
      await users.remove(caller(request), request.params.domainID, request.params.userID, userView);
      return { message: 'User deleted' };
    });
  };
}
