/** The grommunio admin API dialect, mounted under /api/v1, with its own error handler. */
import type { ApiContext } from '../../context.ts';
import type { Dialect } from '../dialect.ts';
import { grommunioErrorHandler } from './error-handler.ts';
import { grommunioLogin, grommunioLogout, LOGIN_SCHEMA, profileRoutes } from './login.ts';
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
import { vendorRoutes } from './vendors.ts';

const ROUTES = [profileRoutes, organizationRoutes, domainRoutes, userRoutes, ldapConfigRoutes, downsyncRoutes, ldapToolRoutes, taskRoutes, sourceRoutes, defaultsRoutes, systemInfoRoutes, groupRoutes, authmgrRoutes, vendorRoutes];

export const grommunio: Dialect = {
  name: 'grommunio',
  plugin: (ctx: ApiContext) => async (app) => {
    app.setErrorHandler(grommunioErrorHandler);
    await app.register(async (api) => { for (const routes of ROUTES) await api.register(routes(ctx)); }, { prefix: '/api/v1' });
  },
  errorHandler: grommunioErrorHandler,
  // The default dialect: a shared path's request that no other dialect claims is grommunio's.
  shared: { claims: () => true, login: grommunioLogin, logout: grommunioLogout, loginSchema: LOGIN_SCHEMA },
};
