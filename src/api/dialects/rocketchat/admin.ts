/** Rocket.Chat's settings (the LDAP ones), permissions and role assignment. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import type { Caller } from '../../../auth/permissions.ts';
import { parseSource, publicSourceView, SourceConfigError } from '../../../directory/source.ts';
import { rocketCaller } from './session.ts';
import { failure, missingPermission } from './errors.ts';
import { SETTINGS } from './settings.ts';
import { dropPasswordIfMoved } from '../../../directory/stored-password.ts';
import { checkSourceWrite } from '../../../services/source-policy.ts';
import { PLAIN_SETTINGS, readPlainSetting, writePlainSetting } from './plain-settings.ts';
import { ADMIN_ROLE } from '../../../store/repositories/accounts.ts';

/**
 * The named permissions this service knows. Each is held by the roles its list names, as in
 * Rocket.Chat; SystemAdmins are in the `admin` role, so an empty list takes it from them too.
 * A permission added here needs a migration that gives it to the `admin` role (see 012).
 */
export const NAMED_PERMISSIONS = ['sync-auth-services-users', 'test-admin-options', 'view-privileged-setting', 'edit-privileged-setting', 'access-permissions', 'assign-roles'];

/**
 * The one permission that may not leave the `admin` role: without it nobody could ever give a
 * permission back through this API.
 */
const KEEPS_ADMIN = 'access-permissions';

export const can = (who: Caller, permission: string): boolean => who.named.has(permission);

export function rocketAdminRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/settings/:_id', { schema: { params: Type.Object({ _id: Type.String({ maxLength: 100 }) }) } }, async (request) => {
      const who = await rocketCaller(ctx, request);
      if (!can(who, 'view-privileged-setting')) throw missingPermission();
      if (Object.hasOwn(PLAIN_SETTINGS, request.params._id)) return { _id: request.params._id, value: await readPlainSetting(ctx.store, request.params._id), success: true };
      const view = Object.hasOwn(SETTINGS, request.params._id) ? SETTINGS[request.params._id] : undefined;
      if (!view) throw failure(`Setting ${request.params._id} is not one ldapsync keeps`);
      return { _id: request.params._id, value: view.read((await ctx.store.sources.get(0)) ?? {}), success: true };
    });

    app.post('/settings/:_id', { schema: { params: Type.Object({ _id: Type.String({ maxLength: 100 }) }), body: Type.Object({ value: Type.Unknown() }) } }, async (request) => {
      const who = await rocketCaller(ctx, request);
      if (!can(who, 'edit-privileged-setting')) throw missingPermission();
      if (Object.hasOwn(PLAIN_SETTINGS, request.params._id)) {
        const problem = await writePlainSetting(ctx.store, request.params._id, request.body.value);
        if (problem) throw failure(`${request.params._id}: ${problem}`);
        await ctx.store.audit.record({ actor: who.username, action: 'setting.set', targetType: 'setting', targetId: request.params._id, before: null, after: { value: request.body.value } });
        return { success: true };
      }
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

    app.get('/permissions.listAll', async (request) => {
      const who = await rocketCaller(ctx, request);
      if (!can(who, 'access-permissions')) throw missingPermission();
      const held = await ctx.store.accounts.rolesHolding(NAMED_PERMISSIONS);
      return { update: NAMED_PERMISSIONS.map((p) => ({ _id: p, roles: held[p] ?? [] })), remove: [], success: true };
    });

    app.post('/permissions.update', { schema: { body: Type.Object({ permissions: Type.Array(Type.Object({ _id: Type.String(), roles: Type.Array(Type.String({ maxLength: 100 })) }), { maxItems: 100 }) }) } }, async (request) => {
      const who = await rocketCaller(ctx, request);
      if (!can(who, 'access-permissions')) throw missingPermission();
      for (const p of request.body.permissions) if (!NAMED_PERMISSIONS.includes(p._id)) throw failure(`Permission ${p._id} is unknown`);
      const lockout = request.body.permissions.find((p) => p._id === KEEPS_ADMIN && !p.roles.includes(ADMIN_ROLE));
      if (lockout) throw failure(`${KEEPS_ADMIN} always keeps the ${ADMIN_ROLE} role, so that permissions can be given back; add '${ADMIN_ROLE}' to its roles`);
      for (const p of request.body.permissions) await ctx.store.accounts.setPermissionRoles(p._id, [...new Set(p.roles)]);
      await ctx.store.audit.record({ actor: who.username, action: 'permissions.update', targetType: 'permissions', targetId: '', before: null, after: request.body.permissions });
      const held = await ctx.store.accounts.rolesHolding(NAMED_PERMISSIONS);
      return { permissions: NAMED_PERMISSIONS.map((p) => ({ _id: p, roles: held[p] ?? [] })), success: true };
    });

    app.post('/roles.addUserToRole', { schema: { body: Type.Object({ roleName: Type.String({ minLength: 1, maxLength: 100 }), username: Type.String({ minLength: 1, maxLength: 320 }) }) } }, async (request) => {
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
