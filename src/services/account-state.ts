/**
 * Whether an account may still act, checked on every token it presents, not only at sign-in: an
 * account made from the directory is usable only while its synced user and that user's domain
 * are active, so deactivating either ends the person's tokens at once.
 */
import type { Store } from '../store/store.ts';
import type { Account } from '../domain/account.ts';

export async function accountUsable(store: Store, account: Account): Promise<boolean> {
  if (!account.active) return false;
  if (!account.externId) return true;
  const [user] = await store.users.byExternIds([new Uint8Array(Buffer.from(account.externId, 'hex'))]);
  if (!user || user.status !== 'active') return false;
  return (await store.domains.get(user.domainId))?.active === true;
}
