/**
 * Rocket.Chat's own end-to-end LDAP tests (apps/meteor/tests/end-to-end/api/LDAP.ts) assert these
 * answers with these exact strings; here they run against a real ldapsync over a real slapd:
 * permissions emptied through permissions.update, the avatar served without sign-in (Rocket.Chat's
 * default) or with the rc_uid/rc_token cookies, and the 401 body.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { startApi, type TestApi } from '../support/api.ts';
import { namedPeople, PHOTO } from '../fixtures/people.ts';

const ADMIN_PW = 'correct-horse-battery';
const UNAUTHORIZED = 'User does not have the permissions required for this action [error-unauthorized]';
const NOT_LOGGED_IN = { success: false, status: 'error', message: 'You must be logged in to do this.', error: 'You must be logged in to do this.' };
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

describe('Rocket.Chat\'s own LDAP test assertions', () => {
  let slapd: Slapd;
  let t: TestStore;
  let api: TestApi;
  let origin = '';
  let credentials: Record<string, string> = {};

  const rc = (method: string, path: string, json?: unknown, headers: Record<string, string> = credentials) => api.call(method, path, { headers, json });
  // Rocket.Chat's permissions.helper updatePermission(permission, roles).
  const updatePermission = (permission: string, roles: string[]) => rc('POST', '/permissions.update', { permissions: [{ _id: permission, roles }] });

  before(async () => {
    slapd = await startSlapd({ entries: namedPeople });
    t = await storeVariants()[0]!.open();
    await t.store.domains.create({ name: 'example.org' });
    await t.store.sources.set(0, sourceConfig(slapd));
    api = await startApi(t, { LDAPSYNC_SYNCNOW_WAIT_SECONDS: '10' });
    origin = api.url.replace(/\/api\/v1$/, '');
    const login = await rc('POST', '/login', { user: 'admin', password: ADMIN_PW }, {});
    credentials = { 'x-auth-token': login.body.data.authToken, 'x-user-id': login.body.data.userId };
  });
  after(async () => { await api?.close(); await slapd?.destroy(); await t?.cleanup(); });

  test('the 401 body is Rocket.Chat\'s, error included', async () => {
    const r = await rc('POST', '/ldap.syncNow', undefined, {});
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, NOT_LOGGED_IN);
  });

  test('[/ldap.testSearch] and [/ldap.testConnection]: 403 once test-admin-options is emptied, admins included', async () => {
    assert.equal((await rc('POST', '/ldap.testConnection')).body.message, 'LDAP_Connection_successful', 'the admin role holds it to begin with');
    assert.equal((await updatePermission('test-admin-options', [])).status, 200);
    const search = await rc('POST', '/ldap.testSearch', { username: 'test-search' });
    assert.equal(search.status, 403);
    assert.equal(search.body.success, false);
    assert.equal(search.body.error, UNAUTHORIZED);
    const connection = await rc('POST', '/ldap.testConnection');
    assert.equal(connection.status, 403);
    assert.equal(connection.body.success, false);
    assert.equal(connection.body.error, UNAUTHORIZED);
    const listed = (await rc('GET', '/permissions.listAll')).body.update;
    assert.deepEqual(listed.find((p: { _id: string }) => p._id === 'test-admin-options').roles, []);

    await updatePermission('test-admin-options', ['admin']);
    const restored = await rc('POST', '/ldap.testConnection');
    assert.equal(restored.status, 200);
    assert.equal(restored.body.success, true);
    assert.equal(restored.body.message, 'LDAP_Connection_successful');
  });

  test('[/ldap.syncNow] with sync-auth-services-users emptied: 400 error-not-authorized', async () => {
    const withSecondFactor = { ...credentials, 'x-2fa-method': 'password', 'x-2fa-code': sha256(ADMIN_PW) };
    await updatePermission('sync-auth-services-users', []);
    const refused = await rc('POST', '/ldap.syncNow', undefined, withSecondFactor);
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body, { success: false, error: 'error-not-authorized' });
    await updatePermission('sync-auth-services-users', ['admin']);
    const ok = await rc('POST', '/ldap.syncNow', undefined, withSecondFactor);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.message, 'Sync_in_progress');
  });

  test('access-permissions keeps the admin role, so permissions can always be given back', async () => {
    for (const roles of [[], ['user']]) {
      const r = await updatePermission('access-permissions', roles);
      assert.equal(r.status, 400);
      assert.equal(r.body.success, false);
      assert.match(r.body.error, /access-permissions always keeps the admin role/);
    }
    const listed = (await rc('GET', '/permissions.listAll')).body.update;
    assert.deepEqual(listed.find((p: { _id: string }) => p._id === 'access-permissions').roles, ['admin']);
    assert.equal((await updatePermission('access-permissions', ['admin', 'auditors'])).status, 200);
  });

  test('avatars: open without sign-in by default, as Rocket.Chat\'s test loads them; closed on request, then the cookies sign in', async () => {
    assert.equal((await t.store.users.byUsername('wang.fang@example.org'))?.avatarHash, sha256(PHOTO), 'synced with its photo');
    assert.deepEqual((await rc('GET', '/settings/Accounts_AvatarBlockUnauthenticatedAccess')).body, { _id: 'Accounts_AvatarBlockUnauthenticatedAccess', value: false, success: true });
    const open = await fetch(`${origin}/avatar/wang.fang@example.org`);
    assert.equal(open.status, 200);
    assert.equal(open.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual(Buffer.from(await open.arrayBuffer()), PHOTO);
    const nobody = await fetch(`${origin}/avatar/nobody@example.org`);
    assert.equal(nobody.status, 200, 'a name nobody has gets its initial, as in Rocket.Chat: no way to probe names');
    assert.equal(nobody.headers.get('content-type'), 'image/svg+xml');

    assert.equal((await rc('POST', '/settings/Accounts_AvatarBlockUnauthenticatedAccess', { value: 'yes' })).status, 400);
    assert.equal((await rc('POST', '/settings/Accounts_AvatarBlockUnauthenticatedAccess', { value: true })).status, 200);
    const closed = await fetch(`${origin}/avatar/wang.fang@example.org`);
    assert.equal(closed.status, 401);
    assert.deepEqual(await closed.json(), NOT_LOGGED_IN);
    const cookie = `rc_uid=${credentials['x-user-id']}; rc_token=${encodeURIComponent(credentials['x-auth-token']!)}`;
    const byCookie = await fetch(`${origin}/avatar/wang.fang@example.org`, { headers: { cookie } });
    assert.equal(byCookie.status, 200, 'Rocket.Chat\'s web client sends its session as the rc_uid and rc_token cookies');
    assert.deepEqual(Buffer.from(await byCookie.arrayBuffer()), PHOTO);
    assert.equal((await fetch(`${origin}/avatar/wang.fang@example.org`, { headers: { cookie: `rc_uid=${credentials['x-user-id']}; rc_token=forged` } })).status, 401);
    await rc('POST', '/settings/Accounts_AvatarBlockUnauthenticatedAccess', { value: false });
  });
});
