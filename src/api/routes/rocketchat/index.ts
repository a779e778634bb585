/** The Rocket.Chat REST dialect, mounted under /api/v1 beside the grommunio one. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiContext } from '../../context.ts';
import { rocketAuthRoutes } from './auth.ts';
import { rocketLdapRoutes } from './ldap.ts';
import { rocketAdminRoutes } from './admin.ts';
import { rocketUserRoutes } from './users.ts';

export function rocketchatRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(rocketAuthRoutes(ctx));
    await app.register(rocketLdapRoutes(ctx));
    await app.register(rocketAdminRoutes(ctx));
    await app.register(rocketUserRoutes(ctx));
  };
}
