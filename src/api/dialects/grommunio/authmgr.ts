/**
 * GET|PUT /system/mconf/authmgr: grommunio's switch for how people sign in. ldapsync does what
 * grommunio calls `externid`: a person with a directory entry signs in with the directory
 * password, a local account with its own. `always_mysql` turns directory sign-in off;
 * `always_ldap` (local accounts through the directory too) is refused, as that would let a
 * directory entry take over a local account.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { caller, requireCaller } from './session.ts';

const Body = Type.Object({ authBackendSelection: Type.Union([Type.Literal('always_mysql'), Type.Literal('always_ldap'), Type.Literal('externid')]) }, { additionalProperties: true });

export function authmgrRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));

    // admin-web reads data.authBackendSelection; grommunio's OpenAPI file has it at the top level.
    app.get('/system/mconf/authmgr', async (request) => {
      const selection = await ctx.services.settings.readSignInBackend(caller(request));
      return { data: { authBackendSelection: selection }, authBackendSelection: selection };
    });

    app.put('/system/mconf/authmgr', { schema: { body: Body } }, async (request) => {
      await ctx.services.settings.setSignInBackend(caller(request), request.body.authBackendSelection);
      return { message: 'authmgr configuration updated' };
    });
  };
}
