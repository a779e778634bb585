/** The grommunio admin API dialect, mounted under /api/v1. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiContext } from '../../context.ts';
import { loginRoutes } from './login.ts';
import { organizationRoutes } from './organizations.ts';
import { domainRoutes } from './domains.ts';
import { userRoutes } from './users.ts';
import { ldapConfigRoutes } from './ldap-config.ts';
import { downsyncRoutes } from './downsync.ts';
import { ldapToolRoutes } from './ldap-tools.ts';
import { taskRoutes } from './tasks.ts';
import { sourceRoutes } from './sources.ts';
import { defaultsRoutes } from './defaults.ts';
import { systemInfoRoutes } from './system-info.ts';
import { groupRoutes } from './groups.ts';
import { authmgrRoutes } from './authmgr.ts';

export function grommunioRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    for (const routes of [loginRoutes, organizationRoutes, domainRoutes, userRoutes, ldapConfigRoutes, downsyncRoutes, ldapToolRoutes, taskRoutes, sourceRoutes, defaultsRoutes, systemInfoRoutes, groupRoutes, authmgrRoutes]) {
      await app.register(routes(ctx));
    }
  };
}
