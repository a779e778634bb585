/**
 * Directory users signing in with their directory password, as Rocket.Chat's LDAP login does:
 * find exactly one entry by login, bind as it (no password is ever stored), sync the user's
 * profile right then, and keep an account for them with no admin rights.
 *
 * The account belongs to the entry, not to the name: it is found by the entry's stable ID
 * (entryUUID, objectGUID, nsUniqueId). When an address moves to another person's entry, that
 * person gets an account of their own; the old account stays with the old entry.
 */
import type { Store } from '../store/store.ts';
import { parseSource } from '../directory/source.ts';
import { verifyDirectoryPassword } from '../directory/ldap-bind.ts';
import { domainOf, externIdHex } from '../domain/user.ts';
import { createMapper } from './mapper.ts';
import { runSync, type SyncDeps } from './engine.ts';
import type { LdapAdmin } from './ldap-admin.ts';
import type { Account } from '../domain/account.ts';

/** `deactivated`: the person is known but may not sign in (disabled entry, deactivated user or domain). */
export type DirectoryLogin = { ok: true; account: Account } | { ok: false; reason: string; deactivated?: boolean };

export async function directoryLogin(deps: SyncDeps & { ldap: LdapAdmin }, login: string, password: string): Promise<DirectoryLogin> {
  const { store } = deps;
  const config = await store.sources.get(0);
  if (!config || config.disabled === true) return { ok: false, reason: 'LDAP is off' };
  const source = parseSource(config);
  const entry = await deps.ldap.findByLogin(source, login);
  if (!entry) return { ok: false, reason: 'no single directory entry has this login' };
  if (!(await verifyDirectoryPassword(source, entry.dn, password))) return { ok: false, reason: 'wrong directory password' };
  const mapped = createMapper(source).map(entry);
  if (!mapped.ok) return { ok: false, reason: mapped.reason };
  const { user } = mapped;
  if (!user.enabled) return { ok: false, reason: `the directory account is disabled (${user.disabledReason ?? 'account state'})`, deactivated: true };
  const domain = await store.domains.byName(domainOf(user.username));
  if (!domain || (await store.sources.effective(domain.orgId))?.orgId !== 0) return { ok: false, reason: 'no domain here for this address' };
  if (!domain.active) return { ok: false, reason: `the domain ${domain.name} is deactivated`, deactivated: true };
  // A local account with a stored password is never signed in from the directory (no take-over).
  if ((await store.accounts.credentials(user.username))?.passwordHash) return { ok: false, reason: 'a local account has this name' };
  // The profile is synced at sign-in; the import creates the user if it is new.
  await runSync(deps, { domainId: domain.id, importNew: true, lang: '', dryRun: false, only: [user.externId] });
  const [synced] = (await store.users.byExternIds([user.externId])).filter((u) => u.domainId === domain.id);
  if (!synced) return { ok: false, reason: 'the user could not be synced' };
  if (synced.status !== 'active') return { ok: false, reason: 'the user is deactivated', deactivated: true };
  const account = await accountFor(store, externIdHex(user.externId), user.username, user.displayName);
  if (!account.active) return { ok: false, reason: 'the account is deactivated', deactivated: true };
  return { ok: true, account };
}

/**
 * A name another entry's account holds is moved aside; that account stays its entry's. So is an
 * account made before accounts were bound to entries: whose it was cannot be told any more, so
 * it is never handed over, roles and all, to whoever holds the name now.
 */
async function freeName(store: Store, username: string, externId: string): Promise<void> {
  const holder = await store.accounts.credentials(username);
  if (!holder || holder.account.externId === externId) return;
  await store.accounts.rename(holder.account.id, `${username}#${holder.account.id}`);
}

async function accountFor(store: Store, externId: string, username: string, displayName: string): Promise<Account> {
  await freeName(store, username, externId);
  const mine = await store.accounts.byExternId(externId);
  if (mine) {
    if (mine.username !== username) await store.accounts.rename(mine.id, username);
    await store.accounts.updateProfile(mine.id, displayName, username);
    return (await store.accounts.get(mine.id))!;
  }
  return store.accounts.create({ username, passwordHash: null, displayName, email: username, externId });
}
