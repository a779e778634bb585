/**
 * POST /ldap.syncNow, /ldap.testConnection and /ldap.testSearch, checking in Rocket.Chat's order:
 * sign-in, then the second factor, then the permission, then LDAP_Enable.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { isFinished, TaskState } from '../../../domain/task.ts';
import { parseSource, type DirectorySource } from '../../../directory/source.ts';
import { SYNC_COMMAND, type SyncTaskParams } from '../../../tasks/sync-task.ts';
import { rocketCaller } from './session.ts';
import { requireSecondFactor } from './two-factor.ts';
import { failure, missingPermission } from './errors.ts';
import { can } from './admin.ts';


export function rocketLdapRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  /** LDAP_Enable: the default source exists and is not disabled. */
  async function enabledSource(): Promise<DirectorySource> {
    const config = await ctx.store.sources.get(0);
    if (!config || config.disabled === true) throw failure('LDAP_disabled');
    return parseSource(config);
  }

  return async (app) => {
    app.post('/ldap.syncNow', async (request) => {
      const who = await rocketCaller(ctx, request);
      await requireSecondFactor(ctx, request, who.accountId);
      if (!can(who, 'sync-auth-services-users')) throw failure('error-not-authorized');
      await enabledSource();
      const params: SyncTaskParams = { sourceOrgID: 0, import: true, lang: '' };
      const { task } = await ctx.queue.submit({ command: SYNC_COMMAND, params: params as unknown as Record<string, unknown>, domainId: null, orgId: 0, owner: who.username });
      // Wait a while, so a script that checks right after sees the result; a failed run is not hidden behind a 200.
      const done = await ctx.queue.wait(task.id, ctx.config.syncNowWaitSeconds * 1000);
      if (done && isFinished(done.state) && done.state !== TaskState.completed) throw failure('LDAP_Sync_failed', { error: done.message, taskId: task.id });
      return { message: 'Sync_in_progress', success: true, taskId: task.id };
    });

    app.post('/ldap.testConnection', async (request) => {
      const who = await rocketCaller(ctx, request);
      if (!can(who, 'test-admin-options')) throw missingPermission();
      await enabledSource();
      try { await ctx.ldap.test(await ctx.store.sources.get(0)); } catch { throw failure('Connection_failed'); }
      return { message: 'LDAP_Connection_successful', success: true };
    });

    app.post('/ldap.testSearch', { schema: { body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }) } }, async (request) => {
      const who = await rocketCaller(ctx, request);
      if (!can(who, 'test-admin-options')) throw missingPermission();
      const source = await enabledSource();
      let found: number;
      try { found = await ctx.ldap.countByLogin(source, request.body.username); } catch { throw failure('LDAP_search_failed'); }
      if (found !== 1) throw failure('LDAP_search_failed');
      return { message: 'LDAP_User_Found', success: true };
    });
  };
}
