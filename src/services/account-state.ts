/**
 * Whether an account may still act, checked on every token it presents, not only at sign-in: an
 * account made from the directory is usable only while its synced user and that user's domain
 * are active, so deactivating either ends the person's tokens at once.
 *
 * Accounts are made from the default source's directory (org 0; see sync/directory-login.ts), so
 * only users of domains that source serves speak for them: a tenant's own source may return any
 * ID bytes (its server is the tenant's), and its user with the same ID must neither keep a
 * deactivated person's account usable nor lock it out. Two such users of the default source's
 * domains must both be active.
 */
import type { Store } from '../store/store.ts';
import type { Account } from '../domain/account.ts';

export async function accountUsable(store: Store, account: Account): Promise<boolean> {
  if (!account.active) return false;
  if (!account.externId) return true;
  const users = await store.users.byExternIds([new Uint8Array(Buffer.from(account.externId, 'hex'))]);
  let found = false;
  for (const user of users) {
    const domain = await store.domains.get(user.domainId);
    if (!domain || (await store.sources.effective(domain.orgId))?.orgId !== 0) continue;
    if (user.status !== 'active' || !domain.active) return false;
    found = true;
  }
  return found;
}
