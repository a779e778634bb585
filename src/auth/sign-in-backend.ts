/**
 * Whether people may sign in with their directory password: grommunio's authmgr setting, in
 * the values ldapsync can honour (`externid`, the default; `always_mysql`: directory sign-in off).
 */
import type { Store } from '../store/store.ts';

export type SignInBackend = 'externid' | 'always_mysql';

const KEY = 'grommunio:authBackendSelection';

export async function signInBackend(store: Store): Promise<SignInBackend> {
  return (await store.settings.get(KEY)) === 'always_mysql' ? 'always_mysql' : 'externid';
}

export async function setSignInBackend(store: Store, value: SignInBackend): Promise<void> {
  await store.settings.set(KEY, value);
}
