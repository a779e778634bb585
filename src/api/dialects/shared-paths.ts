/**
 * POST /api/v1/login and /logout, which the dialects that share them answer on one path. The rule:
 * the first registered dialect that claims the request answers it, errors included, in its own
 * shape; the last of them (grommunio) claims whatever no other did.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.ts';
import type { Dialect, SharedPath } from './dialect.ts';

type Sharing = Dialect & { shared: NonNullable<Dialect['shared']> };

export function dialectFor(dialects: readonly Dialect[], path: SharedPath, request: FastifyRequest): Sharing {
  const sharing = dialects.filter((d): d is Sharing => d.shared !== undefined);
  return sharing.find((d) => d.shared.claims(path, request)) ?? sharing[sharing.length - 1]!;
}

export function sharedPathRoutes(app: FastifyInstance, ctx: ApiContext, dialects: readonly Dialect[]): void {
  // The paths are described by the default dialect, which answers when no other claims a request.
  const described = dialects.findLast((d) => d.shared)?.shared?.loginSchema;
  const errorHandlerOf = (path: SharedPath) => (...args: Parameters<Dialect['errorHandler']>) => dialectFor(dialects, path, args[1]).errorHandler(...args);
  app.post('/api/v1/login', {
    ...(described ? { schema: described } : {}),
    errorHandler: errorHandlerOf('login'),
  }, async (request, reply) => dialectFor(dialects, 'login', request).shared.login(ctx, request, reply));
  app.post('/api/v1/logout', { errorHandler: errorHandlerOf('logout') }, async (request, reply) => dialectFor(dialects, 'logout', request).shared.logout(ctx, request, reply));
}
