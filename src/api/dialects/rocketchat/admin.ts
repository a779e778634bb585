/**
 * Rocket.Chat's settings (the LDAP ones, and plain ones kept in the store's settings table with
 * Rocket.Chat's own defaults), permissions and role assignment.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { holds } from '../../../services/permissions.ts';
import { rocketCaller } from './session.ts';
import type { PlainSetting, PrivilegedSetting } from '../../../services/settings.ts';
import { SETTINGS } from './settings.ts';

const boolean = (id: string, fallback: boolean): PlainSetting => ({
  kind: 'plain', key: `rocketchat:${id}`, fallback, check: (v) => (typeof v === 'boolean' ? null : 'the value must be true or false'),
});

/**
 * Accounts_AvatarBlockUnauthenticatedAccess, false as in Rocket.Chat: anyone who knows a username
 * may load that person's picture (or initial) without signing in, which is how Rocket.Chat's
 * clients and e-mails show avatars. Set it to true to keep pictures for signed-in callers who may
 * see the user; every username then answers alike to everybody else.
 */
export const AVATAR_BLOCK = boolean('Accounts_AvatarBlockUnauthenticatedAccess', false);

export const PLAIN_SETTINGS: Record<string, PlainSetting> = {
  Accounts_AvatarBlockUnauthenticatedAccess: AVATAR_BLOCK,
};

/** The setting an ID names: a plain one, a field of the default source, or none ldapsync keeps. */
export function settingNamed(id: string): PrivilegedSetting | undefined {
  if (Object.hasOwn(PLAIN_SETTINGS, id)) return PLAIN_SETTINGS[id];
  if (Object.hasOwn(SETTINGS, id)) return { kind: 'source', ...SETTINGS[id]! };
  return undefined;
}

/** Whether the caller holds a named permission (the routes that answer its lack in their own words ask). */
export const can = holds;

export function rocketAdminRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/settings/:_id', { schema: { params: Type.Object({ _id: Type.String({ maxLength: 100 }) }) } }, async (request) => {
      const who = await rocketCaller(ctx, request);
      return { _id: request.params._id, value: await ctx.services.settings.read(who, request.params._id, settingNamed(request.params._id)), success: true };
    });

    app.post('/settings/:_id', { schema: { params: Type.Object({ _id: Type.String({ maxLength: 100 }) }), body: Type.Object({ value: Type.Unknown() }) } }, async (request) => {
      const who = await rocketCaller(ctx, request);
      await ctx.services.settings.write(who, request.params._id, settingNamed(request.params._id), request.body.value);
      return { success: true };
    });

    app.get('/permissions.listAll', async (request) => {
      const who = await rocketCaller(ctx, request);
      return { update: await ctx.services.permissions.list(who), remove: [], success: true };
    });

    app.post('/permissions.update', { schema: { body: Type.Object({ permissions: Type.Array(Type.Object({ _id: Type.String(), roles: Type.Array(Type.String({ maxLength: 100 })) }), { maxItems: 100 }) }) } }, async (request) => {
      const who = await rocketCaller(ctx, request);
      return { permissions: await ctx.services.permissions.update(who, request.body.permissions), success: true };
    });

    app.post('/roles.addUserToRole', { schema: { body: Type.Object({ roleName: Type.String({ minLength: 1, maxLength: 100 }), username: Type.String({ minLength: 1, maxLength: 320 }) }) } }, async (request) => {
      const who = await rocketCaller(ctx, request);
      const role = await ctx.services.permissions.assignRole(who, request.body.roleName, request.body.username);
      return { role: { _id: String(role.id), name: role.name }, success: true };
    });
  };
}
