/** Creating admin accounts: the first SystemAdmin from the environment or the CLI. */
import type { Store } from '../store/store.ts';
import { hashPassword } from './passwords.ts';
import { sha256Hex } from './two-factor.ts';
import type { StoredGrant } from '../domain/account.ts';

export const MIN_PASSWORD_LENGTH = 10;

/** A role per distinct permission set, created on first use. */
async function roleFor(store: Store, name: string, grants: StoredGrant[]) {
  return (await store.accounts.roleByName(name)) ?? store.accounts.createRole(name, '', grants);
}

/** `actor`: who the audit entry names (`system` for the account made from the environment). */
export async function createAdmin(store: Store, username: string, password: string, grants: StoredGrant[] = [{ permission: 'SystemAdmin', param: '' }], actor = 'system'): Promise<number> {
  if (password.length < MIN_PASSWORD_LENGTH) throw new Error(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (await store.accounts.credentials(username)) throw new Error(`account ${username} exists already`);
  const account = await store.accounts.create({ username, passwordHash: await hashPassword(password), displayName: username });
  await store.accounts.setDigestHash(account.id, await hashPassword(sha256Hex(password)));
  const roleName = grants.map((g) => (g.param ? `${g.permission}(${g.param})` : g.permission)).join('+');
  const role = await roleFor(store, roleName, grants);
  await store.accounts.assignRole(account.id, role.id);
  await store.audit.record({ actor, action: 'account.create', targetType: 'account', targetId: String(account.id), before: null, after: { username, role: roleName } });
  return account.id;
}

/**
 * Sets a local account's password. Every session and token the account had ends with it, so a
 * password changed because it leaked locks out whoever had signed in with it.
 */
export async function changePassword(store: Store, username: string, password: string, actor: string): Promise<void> {
  if (password.length < MIN_PASSWORD_LENGTH) throw new Error(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  const found = await store.accounts.credentials(username);
  if (!found?.passwordHash) throw new Error(`no local account ${username} (directory users change their password in the directory)`);
  await store.accounts.setPassword(found.account.id, await hashPassword(password));
  await store.accounts.setDigestHash(found.account.id, await hashPassword(sha256Hex(password)));
  await store.audit.record({ actor, action: 'account.password', targetType: 'account', targetId: String(found.account.id), before: null, after: { sessions: 'ended' } });
}

/** Creates the first SystemAdmin from configuration if no account exists yet. */
export async function bootstrapAdmin(store: Store, username: string | null, password: string | null): Promise<boolean> {
  if (!username || !password || (await store.accounts.count()) > 0) return false;
  try {
    await createAdmin(store, username, password);
  } catch (e) {
    // Several API processes starting together: another one created it first.
    if (await store.accounts.credentials(username)) return false;
    throw e;
  }
  return true;
}
