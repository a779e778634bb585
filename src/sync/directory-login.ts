/**
 * Directory users signing in with their directory password, as Rocket.Chat's LDAP login does:
 * find exactly one entry by login, bind as it (no password is ever stored), sync the user's
 * profile right then, and keep an account for them with no admin rights.
 */
import type { Store } from '../store/store.ts';
import { parseSource } from '../directory/source.ts';
import { verifyDirectoryPassword } from '../directory/client.ts';
import { domainOf } from '../domain/user.ts';
import { createMapper } from './mapper.ts';
import { runSync, type SyncDeps } from './engine.ts';
import type { LdapAdmin } from './ldap-admin.ts';
import type { Account } from '../store/repositories/accounts.ts';

export type DirectoryLogin = { ok: true; account: Account } | { ok: false; reason: string };

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
  const domain = await store.domains.byName(domainOf(mapped.user.username));
  if (!domain || (await store.sources.effective(domain.orgId))?.orgId !== 0) return { ok: false, reason: 'no domain here for this address' };
  // The profile is synced at sign-in; the import creates the user if it is new.
  const existing = await store.accounts.credentials(mapped.user.username);
  // A local account with a stored password is never signed in from the directory (no take-over).
  if (existing?.passwordHash) return { ok: false, reason: 'a local account has this name' };
  await runSync(deps, { domainId: domain.id, importNew: true, lang: '', dryRun: false, only: [mapped.user.externId] });
  return { ok: true, account: await accountFor(store, mapped.user.username, mapped.user.displayName) };
}

async function accountFor(store: Store, username: string, displayName: string): Promise<Account> {
  const existing = await store.accounts.credentials(username);
  if (existing) {
    await store.accounts.updateProfile(existing.account.id, displayName, username);
    return (await store.accounts.get(existing.account.id))!;
  }
  return store.accounts.create({ username, passwordHash: null, displayName, email: username });
}
