/**
 * The parts of grommunio's admin API that are about a mail system ldapsync does not run: the
 * dashboard (the real host's load, no services), spam statistics, mail servers, admin roles, the
 * DNS check, the licence and /about. Each answers honestly and cheaply so admin-web's pages load;
 * the README lists every such answer.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiContext } from '../../context.ts';
import { caller, domainFor, requireCaller } from './session.ts';
import { badRequest, forbidden } from './errors.ts';
import { hostStats } from './host-stats.ts';
import { DomainParam } from './shapes.ts';

/** The grommunio admin API version whose shapes ldapsync answers in (its OpenAPI file). */
const API_VERSION = '1.20.0';
const BACKEND = 'ldapsync 0.1.0';

export function systemInfoRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));
    const systemReader = (request: Parameters<typeof caller>[0]) => { if (!caller(request).canReadSystem) throw forbidden(); };

    app.get('/about', async () => ({ API: API_VERSION, backend: BACKEND, schema: null }));

    app.get('/system/dashboard', async (request) => { systemReader(request); return hostStats(ctx.config.dataDir); });

    // No systemd services of grommunio's run here; ldapsync is the one service.
    app.get('/system/dashboard/services', async (request) => { systemReader(request); return { services: [] }; });

    // No spam filter here: nothing scanned, nothing learned.
    app.get('/system/antispam/stat', async (request) => {
      systemReader(request);
      return { scanned: 0, learned: 0, spam_count: 0, ham_count: 0, bytes_allocated: 0 };
    });

    // No mail servers: users and domains live on none.
    app.get('/system/servers', async (request) => { systemReader(request); return { data: [], count: 0 }; });

    // grommunio's admin roles are not kept here: admins and their permissions are managed with the CLI.
    app.get('/system/roles', async (request) => { systemReader(request); return { data: [], count: 0 }; });
    app.get('/system/roles/permissions', async (request) => { systemReader(request); return { data: [] }; });

    app.get('/system/license', async (request) => {
      systemReader(request);
      let currentUsers = 0;
      for (const d of await ctx.services.domains.readable(caller(request))) currentUsers += (await ctx.services.users.countByStatus(d.id)).active ?? 0;
      return { product: 'Community', maxUsers: 0, notBefore: null, notAfter: null, currentUsers, certificate: null, note: 'ldapsync needs no licence; it holds no grommunio licence either' };
    });

    // No DNS is checked: admin-web shows an answer mentioning "disabled" as a warning, not an error.
    app.get('/domains/:domainID/dnsCheck', { schema: { params: DomainParam } }, async (request) => {
      await domainFor(ctx, caller(request), request.params.domainID, false);
      throw badRequest(['ldapsync manages directory users, not mail DNS'], 'DNS check disabled: ldapsync does not check mail DNS records');
    });
  };
}
