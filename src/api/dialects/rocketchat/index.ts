/**
 * The Rocket.Chat REST dialect: its routes under /api/v1 beside the grommunio ones, /avatar at the
 * root, its own error handler; on the shared paths, sign-in with a JSON body and sign-out with tokens.
 */
import type { FastifyRequest } from 'fastify';
import type { ApiContext } from '../../context.ts';
import type { Dialect } from '../dialect.ts';
import { rocketErrorHandler } from './error-handler.ts';
import { rocketAuthRoutes, rocketLogin, rocketLogout } from './auth.ts';
import { rocketLdapRoutes } from './ldap.ts';
import { rocketAdminRoutes } from './admin.ts';
import { rocketUserRoutes } from './users.ts';
import { avatarRoutes } from './avatars.ts';
import { hasTokenHeaders } from './session.ts';

/** Rocket.Chat signs in with JSON {user|username, password} or {resume}; grommunio with the form fields user and pass. */
export function isRocketLogin(body: unknown): boolean {
  return typeof body === 'object' && body !== null && ('password' in body || 'resume' in body || 'username' in body);
}

export const rocketchat: Dialect = {
  name: 'rocketchat',
  plugin: (ctx: ApiContext) => async (app) => {
    app.setErrorHandler(rocketErrorHandler);
    await app.register(async (api) => {
      for (const routes of [rocketAuthRoutes, rocketLdapRoutes, rocketAdminRoutes, rocketUserRoutes]) await api.register(routes(ctx));
    }, { prefix: '/api/v1' });
    avatarRoutes(app, ctx);
  },
  errorHandler: rocketErrorHandler,
  shared: {
    claims: (path, request: FastifyRequest) => (path === 'login' ? isRocketLogin(request.body) : hasTokenHeaders(request)),
    login: (ctx, request, reply) => rocketLogin(ctx, request, reply, (request.body ?? {}) as Record<string, unknown>),
    logout: (ctx, request) => rocketLogout(ctx, request),
  },
};
