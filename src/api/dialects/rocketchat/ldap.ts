/**
 * POST /ldap.syncNow, /ldap.testConnection and /ldap.testSearch, checking in Rocket.Chat's order:
 * sign-in, then the second factor, then the permission, then LDAP_Enable.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { isFinished, TaskState } from '../../../domain/task.ts';
import { rocketCaller } from './session.ts';
import { requireSecondFactor } from './two-factor.ts';
import { failure } from './errors.ts';
import { can } from './admin.ts';


export function rocketLdapRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  const tools = ctx.services.ldapTools;
  return async (app) => {
    app.post('/ldap.syncNow', async (request) => {
      const who = await rocketCaller(ctx, request);
      await requireSecondFactor(ctx, request, who.accountId);
      if (!can(who, 'sync-auth-services-users')) throw failure('error-not-authorized');
      if (!(await tools.enabledDefault())) throw failure('LDAP_disabled');
      // Wait a while, so a script that checks right after sees the result; a failed run is not hidden behind a 200.
      const { task, done } = await ctx.services.sync.startDefaultSource(who, ctx.config.syncNowWaitSeconds * 1000);
      if (done && isFinished(done.state) && done.state !== TaskState.completed) throw failure('LDAP_Sync_failed', { error: done.message, taskId: task.id });
      return { message: 'Sync_in_progress', success: true, taskId: task.id };
    });

    app.post('/ldap.testConnection', async (request) => {
      const who = await rocketCaller(ctx, request);
      const result = await tools.testDefault(who);
      if (result === 'disabled') throw failure('LDAP_disabled');
      if (result === 'failed') throw failure('Connection_failed');
      return { message: 'LDAP_Connection_successful', success: true };
    });

    app.post('/ldap.testSearch', { schema: { body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }) } }, async (request) => {
      const who = await rocketCaller(ctx, request);
      const found = await tools.countOnDefault(who, request.body.username);
      if (found === 'disabled') throw failure('LDAP_disabled');
      if (found !== 1) throw failure('LDAP_search_failed');
      return { message: 'LDAP_User_Found', success: true };
    });
  };
}
