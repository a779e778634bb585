/**
 * Rocket.Chat settings that are not about the directory source, kept in the store's settings
 * table with Rocket.Chat's own defaults; `settingNamed` says what any setting ID stands for.
 */
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
