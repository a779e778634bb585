/** Rocket.Chat's settings (the LDAP ones), permissions and role assignment. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import type { Caller } from '../../../auth/permissions.ts';
import { parseSource, publicSourceView, SourceConfigError } from '../../../directory/source.ts';
import { rocketCaller } from '../../rocketchat/session.ts';
import { failure, missingPermission } from '../../rocketchat/errors.ts';
import { SETTINGS } from '../../rocketchat/settings.ts';
import { dropPasswordIfMoved } from '../../../directory/stored-password.ts';
import { checkSourceWrite } from '../../../services/source-policy.ts';
import { ROCKETCHAT } from './auth.ts';

/** The named permissions this service knows; SystemAdmins (Rocket.Chat's admin role) hold them all. */
export const NAMED_PERMISSIONS = ['sync-auth-services-users', 'test-admin-options', 'view-privileged-setting', 'edit-privileged-setting', 'access-permissions', 'assign-roles'];

export const can = (who: Caller, permission: string): boolean => who.isSystemAdmin || who.named.has(permission);

export function rocketAdminRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/settings/:_id', { config: ROCKETCHAT, schema: { params: Type.Object({ _id: Type.String({ maxLength: 100 }) }) } }, async (request) => {
      const who = await rocketCaller(ctx, request);
      if (!can(who, 'view-privileged-setting')) throw missingPermission();
      const view = Object.hasOwn(SETTINGS, request.params._id) ? SETTINGS[request.params._id] : undefined;
      if (!view) throw failure(`Setting ${request.params._id} is not one ldapsync keeps`);
      return { _id: request.params._id, value: view.read((await ctx.store.sources.get(0)) ?? {}), success: true };
    });

    app.post('/settings/:_id', { config: ROCKETCHAT, schema: { params: Type.Object({ _id: Type.String({ maxLength: 100 }) }), body: Type.Object({ value: Type.Unknown() }) } }, async (request) => {
      const who = await rocketCaller(ctx, request);
      if (!can(who, 'edit-privileged-setting')) throw missingPermission();
      const view = Object.hasOwn(SETTINGS, request.params._id) ? SETTINGS[request.params._id] : undefined;
      if (!view) throw failure(`Setting ${request.params._id} is not one ldapsync keeps`);
      const before = (await ctx.store.sources.get(0)) ?? {};
      const written = view.write(before, request.body.value);
      if (typeof written === 'string') throw failure(`${request.params._id}: ${written}`);
      const next = dropPasswordIfMoved(written, before);
      checkSourceWrite(who, next, before);
      try { parseSource(next); } catch (e) {
        // An incomplete configuration may be saved step by step while LDAP is off; never while on.
        if (!(e instanceof SourceConfigError) || next.disabled !== true) throw e instanceof SourceConfigError ? failure(e.message) : e;
      }
      await ctx.store.sources.set(0, next);
      await ctx.queue.syncSchedules();
      await ctx.store.audit.record({ actor: who.username, action: 'source.set', targetType: 'source', targetId: '0', before: publicSourceView(before), after: publicSourceView(next) });
      return { success: true };
    });

    app.get('/permissions.listAll', { config: ROCKETCHAT }, async (request) => {
      const who = await rocketCaller(ctx, request);
      if (!can(who, 'access-permissions')) throw missingPermission();
      const held = await ctx.store.accounts.rolesHolding(NAMED_PERMISSIONS);
      return { update: NAMED_PERMISSIONS.map((p) => ({ _id: p, roles: ['admin', ...(held[p] ?? [])] })), remove: [], success: true };
    });

    app.post('/permissions.update', { config: ROCKETCHAT, schema: { body: Type.Object({ permissions: Type.Array(Type.Object({ _id: Type.String(), roles: Type.Array(Type.String({ maxLength: 100 })) }), { maxItems: 100 }) }) } }, async (request) => {
      const who = await rocketCaller(ctx, request);
      if (!can(who, 'access-permissions')) throw missingPermission();
      for (const p of request.body.permissions) if (!NAMED_PERMISSIONS.includes(p._id)) throw failure(`Permission ${p._id} is unknown`);
      for (const p of request.body.permissions) {
        await ctx.store.accounts.setPermissionRoles(p._id, p.roles.filter((r) => r !== 'admin'));
      }
      await ctx.store.audit.record({ actor: who.username, action: 'permissions.update', targetType: 'permissions', targetId: '', before: null, after: request.body.permissions });
      const held = await ctx.store.accounts.rolesHolding(NAMED_PERMISSIONS);
      return { permissions: NAMED_PERMISSIONS.map((p) => ({ _id: p, roles: ['admin', ...(held[p] ?? [])] })), success: true };
    });

    app.post('/roles.addUserToRole', { config: ROCKETCHAT, schema: { body: Type.Object({ roleName: Type.String({ minLength: 1, maxLength: 100 }), username: Type.String({ minLength: 1, maxLength: 320 }) }) } }, async (request) => {
      const who = await rocketCaller(ctx, request);
      if (!can(who, 'assign-roles')) throw missingPermission();
      const role = (await ctx.store.accounts.roleByName(request.body.roleName)) ?? (await ctx.store.accounts.createRole(request.body.roleName, '', []));
      const target = await ctx.store.accounts.credentials(request.body.username);
      if (!target) throw failure('error-invalid-user');
      await ctx.store.accounts.assignRole(target.account.id, role.id);
      await ctx.store.audit.record({ actor: who.username, action: 'role.assign', targetType: 'account', targetId: String(target.account.id), before: null, after: { role: role.name } });
      return { role: { _id: String(role.id), name: role.name }, success: true };
    });
  };
}
