/**
 * POST /api/v1/login and /logout, which every dialect answers on the same path. The one rule:
 * the first registered dialect that claims the request answers it, errors included, in its own
 * shape; the last dialect (grommunio's) claims whatever no other did.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.ts';
import type { Dialect, SharedPath } from './dialect.ts';

export function dialectFor(dialects: readonly Dialect[], path: SharedPath, request: FastifyRequest): Dialect {
  return dialects.find((d) => d.shared.claims(path, request)) ?? dialects[dialects.length - 1]!;
}

export function sharedPathRoutes(app: FastifyInstance, ctx: ApiContext, dialects: readonly Dialect[]): void {
  // The paths are described by the default dialect, which answers when no other claims a request.
  const described = dialects[dialects.length - 1]!.shared.loginSchema;
  const errorHandlerOf = (path: SharedPath) => (...args: Parameters<Dialect['errorHandler']>) => dialectFor(dialects, path, args[1]).errorHandler(...args);
  app.post('/api/v1/login', {
    ...(described ? { schema: described } : {}),
    errorHandler: errorHandlerOf('login'),
  }, async (request, reply) => dialectFor(dialects, 'login', request).shared.login(ctx, request, reply));
  app.post('/api/v1/logout', { errorHandler: errorHandlerOf('logout') }, async (request, reply) => dialectFor(dialects, 'logout', request).shared.logout(ctx, request, reply));
}
