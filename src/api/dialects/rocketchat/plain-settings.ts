/**
 * Rocket.Chat settings that are not about the directory source, kept in the store's settings
 * table with Rocket.Chat's own defaults.
 */
import type { Store } from '../../../store/store.ts';

interface PlainSetting { fallback: unknown; check(value: unknown): string | null }

const boolean = (fallback: boolean): PlainSetting => ({ fallback, check: (v) => (typeof v === 'boolean' ? null : 'the value must be true or false') });

/**
 * Accounts_AvatarBlockUnauthenticatedAccess, false as in Rocket.Chat: anyone who knows a username
 * may load that person's picture (or initial) without signing in, which is how Rocket.Chat's
 * clients and e-mails show avatars. Set it to true to keep pictures for signed-in callers who may
 * see the user; every username then answers alike to everybody else.
 */
export const PLAIN_SETTINGS: Record<string, PlainSetting> = {
  Accounts_AvatarBlockUnauthenticatedAccess: boolean(false),
};

export async function readPlainSetting(store: Store, id: string): Promise<unknown> {
  return (await store.settings.get(`rocketchat:${id}`)) ?? PLAIN_SETTINGS[id]!.fallback;
}

/** Saves the value, or returns what is accepted instead. */
export async function writePlainSetting(store: Store, id: string, value: unknown): Promise<string | null> {
  const problem = PLAIN_SETTINGS[id]!.check(value);
  if (problem) return problem;
  await store.settings.set(`rocketchat:${id}`, value);
  return null;
}
