/**
 * Rocket.Chat's user views over the synced users: `users.info` and `users.list`, with the
 * avatar's ETag as Rocket.Chat gives it. Each caller sees the users of the domains they may read,
 * and themselves; anyone else is "User not found", exactly as a name nobody has.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import type { User } from '../../../domain/user.ts';
import { rocketCaller } from './session.ts';
import { meteorError } from './errors.ts';

export function rocketUserView(u: User): Record<string, unknown> {
  return {
    _id: String(u.id), username: u.username, name: u.displayName, type: 'user', active: u.status === 'active',
    emails: u.email ? [{ address: u.email, verified: true }] : [], roles: ['user', ...u.roles],
    ldap: u.externId !== null, ...(u.avatarHash ? { avatarETag: u.avatarHash } : {}),
    createdAt: u.createdAt, _updatedAt: u.updatedAt,
  };
}

const userNotFound = () => meteorError('error-invalid-user', 'User not found.', { method: 'users.info' });

export function rocketUserRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const infoQuery = Type.Object({ username: Type.Optional(Type.String({ maxLength: 320 })), userId: Type.Optional(Type.String({ maxLength: 20 })) });
    app.get('/users.info', { schema: { querystring: infoQuery } }, async (request) => {
      const who = await rocketCaller(ctx, request);
      const { username, userId } = request.query;
      const id = /^\d{1,10}$/.test(userId ?? '') && Number(userId) <= 2 ** 31 - 1 ? Number(userId) : undefined;
      const user = await ctx.services.users.seenBy(who, username ? { username } : id !== undefined ? { id } : null);
      if (!user) throw userNotFound();
      return { user: rocketUserView(user), success: true };
    });

    const listQuery = Type.Object({
      count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
      query: Type.Optional(Type.String({ maxLength: 200 })),
    });
    app.get('/users.list', { schema: { querystring: listQuery } }, async (request) => {
      const who = await rocketCaller(ctx, request);
      const count = request.query.count ?? 50;
      const offset = request.query.offset ?? 0;
      const { users, total } = await ctx.services.users.listReadable(who, { query: request.query.query, limit: count, offset });
      return { users: users.map(rocketUserView), count: users.length, offset, total, success: true };
    });
  };
}
