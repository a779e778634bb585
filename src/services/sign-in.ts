/**
 * Password sign-in for both dialects: a local account (admins), else the directory (Rocket.Chat's
 * LDAP login). Only a real failure counts toward the throttle: a name with no local account is
 * not a failure while the directory may still know it, and a success clears the count.
 */
import type { Store } from '../store/store.ts';
import { Caller } from '../auth/permissions.ts';
import { verifyPassword } from '../auth/passwords.ts';
import { signInKeys, type LoginThrottle } from '../auth/throttle.ts';
import { directoryLogin } from '../sync/directory-login.ts';
import type { Connect, LdapAdmin } from '../sync/ldap-admin.ts';
import { DirectoryError } from '../directory/errors.ts';
import { SourceConfigError } from '../directory/source.ts';
import { SyncError } from '../sync/engine.ts';

export interface SignInDeps { store: Store; throttle: LoginThrottle; connect: Connect; ldap: LdapAdmin }

export type SignInResult =
  | { ok: true; who: Caller; via: 'local' | 'directory' }
  | { ok: false; kind: 'invalid' }
  | { ok: false; kind: 'locked'; retryAfterSeconds: number }
  /** The person is known but may not sign in: a disabled entry, a deactivated user, account or domain. */
  | { ok: false; kind: 'deactivated'; reason: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function callerOf(store: Store, accountId: number, username: string): Promise<Caller> {
  return new Caller(accountId, username, await store.accounts.grants(accountId));
}

export async function signIn(deps: SignInDeps, login: string, password: string, address: string, options: { directory: boolean }): Promise<SignInResult> {
  const keys = signInKeys(login, address);
  const locked = deps.throttle.lockedFor(keys);
  if (locked > 0) return { ok: false, kind: 'locked', retryAfterSeconds: Math.ceil(locked / 1000) };
  await sleep(deps.throttle.delayFor(keys));
  const result = await attempt(deps, login, password, options);
  if (result.ok) deps.throttle.succeeded(keys);
  else if (result.kind === 'invalid') deps.throttle.failed(keys);
  return result;
}

async function attempt(deps: SignInDeps, login: string, password: string, options: { directory: boolean }): Promise<SignInResult> {
  const found = await deps.store.accounts.credentials(login);
  const ok = await verifyPassword(password, found?.passwordHash ?? null);
  if (found?.passwordHash) {
    // A local account: its own password, admins only; the directory never stands in for it.
    if (!ok) return { ok: false, kind: 'invalid' };
    const who = await callerOf(deps.store, found.account.id, found.account.username);
    if (!who.isAdmin) return { ok: false, kind: 'invalid' };
    if (!found.account.active) return { ok: false, kind: 'deactivated', reason: 'the account is deactivated' };
    return { ok: true, who, via: 'local' };
  }
  if (!options.directory) return { ok: false, kind: 'invalid' };
  let outcome;
  try {
    outcome = await directoryLogin(deps, login, password);
  } catch (e) {
    // The directory's trouble is a failed sign-in; the store's is not (it answers 503).
    if (e instanceof DirectoryError || e instanceof SourceConfigError || e instanceof SyncError) return { ok: false, kind: 'invalid' };
    throw e;
  }
  if (!outcome.ok) return outcome.deactivated ? { ok: false, kind: 'deactivated', reason: outcome.reason } : { ok: false, kind: 'invalid' };
  return { ok: true, who: await callerOf(deps.store, outcome.account.id, outcome.account.username), via: 'directory' };
}
