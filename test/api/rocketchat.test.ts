/**
 * The Rocket.Chat dialect over real HTTP against a real slapd: token sign-in, 2FA (TOTP with
 * backup codes, and the password digest), permissions, and the seed's ldap.syncNow answers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { TotpCodes } from '../support/totp.ts';
import { startApi, type TestApi } from '../support/api.ts';
import { bulkPeople, namedPeople } from '../fixtures/people.ts';
import { createAdmin } from '../../src/auth/admins.ts';
import { TaskState } from '../../src/domain/task.ts';

const ADMIN_PW = 'correct-horse-battery';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('Rocket.Chat REST dialect', () => {
  let slapd: Slapd;
  let t: TestStore;
  let api: TestApi;
  let token: { 'x-auth-token': string; 'x-user-id': string };

  const rc = (method: string, path: string, headers: Record<string, string> = {}, json?: unknown) => api.call(method, path, { headers, json });
  const totp = new TotpCodes();

  before(async () => {
    slapd = await startSlapd({ entries: [...namedPeople, ...bulkPeople(15)] });
    t = await storeVariants()[0]!.open();
    await t.store.domains.create({ name: 'example.org' });
    await t.store.sources.set(0, sourceConfig(slapd));
    api = await startApi(t, { LDAPSYNC_SYNCNOW_WAIT_SECONDS: '10' });
    await createAdmin(t.store, 'dom1', 'domain-one-password', [{ permission: 'DomainAdmin', param: '1' }]);
  });
  after(async () => { await api?.close(); await slapd?.destroy(); await t?.cleanup(); });

  test('401 without sign-in, exactly as the seed shows', async () => {
    const r = await rc('POST', '/ldap.syncNow');
    assert.equal(r.status, 401);
    assert.equal(r.body.status, 'error');
    assert.equal(r.body.message, 'You must be logged in to do this.');
    assert.equal((await rc('POST', '/ldap.syncNow', { 'x-auth-token': 'forged', 'x-user-id': '1' })).status, 401);
  });

  test('sign-in with JSON gives a token; a wrong password gives 401 and no token', async () => {
    const wrong = await rc('POST', '/login', {}, { user: 'admin', password: 'nope' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.authToken, undefined);
    const r = await rc('POST', '/login', {}, { user: 'admin', password: ADMIN_PW });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'success');
    assert.equal(r.body.data.me.username, 'admin');
    token = { 'x-auth-token': r.body.data.authToken, 'x-user-id': r.body.data.userId };
    const me = await rc('GET', '/me', token);
    assert.deepEqual([me.status, me.body.success, me.body.username], [200, true, 'admin']);
    const resumed = await rc('POST', '/login', {}, { resume: token['x-auth-token'] });
    assert.equal(resumed.body.data.userId, token['x-user-id']);
    assert.ok(!JSON.stringify(await t.store.accounts.get(1)).includes(token['x-auth-token']));
  });

  test('without TOTP the password method is required: the code is the SHA-256 of the password', async () => {
    const missing = await rc('POST', '/ldap.syncNow', token);
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body, { success: false, error: 'TOTP Required [totp-required]', errorType: 'totp-required', details: { method: 'password', codeGenerated: false, availableMethods: ['password'] } });
    const ok = await rc('POST', '/ldap.syncNow', { ...token, 'x-2fa-method': 'password', 'x-2fa-code': sha256(ADMIN_PW) });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.message, 'Sync_in_progress');
    assert.equal(ok.body.success, true);
  });

  test('TOTP enrolment, then the seed\'s totp-required answer, totp-invalid, a valid code, a backup code', async () => {
    const enrol = await rc('POST', '/users.2fa.enableTotp', token);
    assert.match(enrol.body.url, /^otpauth:\/\/totp\/ldapsync:admin\?/);
    totp.secret = enrol.body.secret;
    const verified = await rc('POST', '/users.2fa.verifyTotp', token, { code: await totp.next() });
    assert.equal(verified.status, 200, verified.text);
    assert.equal(verified.body.codes.length, 10);

    const required = await rc('POST', '/ldap.syncNow', token);
    assert.equal(required.status, 400);
    assert.deepEqual(required.body, { success: false, error: 'TOTP Required [totp-required]', errorType: 'totp-required', details: { method: 'totp', codeGenerated: false, availableMethods: ['totp'] } });
    const invalid = await rc('POST', '/ldap.syncNow', { ...token, 'x-2fa-code': '000000' });
    assert.equal(invalid.body.errorType, 'totp-invalid');

    const ok = await rc('POST', '/ldap.syncNow', { ...token, 'x-2fa-code': await totp.next(), 'x-2fa-method': 'totp' });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual({ message: ok.body.message, success: ok.body.success }, { message: 'Sync_in_progress', success: true });
    const task = await t.store.tasks.get(ok.body.taskId);
    assert.equal(task?.state, TaskState.completed);
    assert.equal((await t.store.users.list({ domainId: 1, limit: 100, offset: 0 })).total, 19, 'the directory\'s users are there');

    const backup = verified.body.codes[0];
    assert.equal((await rc('POST', '/ldap.syncNow', { ...token, 'x-2fa-code': backup })).status, 200);
    assert.equal((await rc('POST', '/ldap.syncNow', { ...token, 'x-2fa-code': backup })).body.errorType, 'totp-invalid', 'a backup code works once');
  });

  test('a missing permission answers error-not-authorized, after the second factor', async () => {
    const login = await rc('POST', '/login', {}, { user: 'dom1', password: 'domain-one-password' });
    const dom = { 'x-auth-token': login.body.data.authToken, 'x-user-id': login.body.data.userId };
    assert.equal((await rc('POST', '/ldap.syncNow', dom)).body.errorType, 'totp-required');
    const r = await rc('POST', '/ldap.syncNow', { ...dom, 'x-2fa-method': 'password', 'x-2fa-code': sha256('domain-one-password') });
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, { success: false, error: 'error-not-authorized' });
    assert.equal((await rc('POST', '/ldap.testConnection', dom)).status, 403);
  });

  test('LDAP_disabled when LDAP is off; a failed sync is a 400 and a failed task, never a 200', async () => {
    const saved = (await t.store.sources.get(0))!;
    await t.store.sources.set(0, { ...saved, disabled: true });
    const off = await rc('POST', '/ldap.syncNow', { ...token, 'x-2fa-code': await totp.next() });
    assert.deepEqual([off.status, off.body], [400, { success: false, error: 'LDAP_disabled' }]);
    await t.store.sources.set(0, saved);
    await slapd.stop();
    try {
      const failed = await rc('POST', '/ldap.syncNow', { ...token, 'x-2fa-code': await totp.next() });
      assert.equal(failed.status, 400);
      assert.equal(failed.body.error, 'LDAP_Sync_failed');
      assert.match(failed.body.details.error, /Directory unavailable/);
      assert.equal((await t.store.tasks.get(failed.body.details.taskId))?.state, TaskState.error);
    } finally { await slapd.start(); }
  });

  test('ldap.testConnection and ldap.testSearch', async () => {
    assert.deepEqual((await rc('POST', '/ldap.testConnection', token)).body, { message: 'LDAP_Connection_successful', success: true });
    assert.deepEqual((await rc('POST', '/ldap.testSearch', token, { username: 'user001@example.org' })).body, { message: 'LDAP_User_Found', success: true });
    assert.deepEqual((await rc('POST', '/ldap.testSearch', token, { username: 'mueller' })).body, { message: 'LDAP_User_Found', success: true });
    assert.deepEqual((await rc('POST', '/ldap.testSearch', token, { username: 'nobody*' })).body, { success: false, error: 'LDAP_search_failed' });
    const bad = await rc('POST', '/ldap.testSearch', token, { username: 1 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.success, false);
  });

  test('an empty body labelled JSON is accepted, as Rocket.Chat\'s own client sends it', async () => {
    const r = await api.call('POST', '/ldap.testConnection', { headers: { ...token, 'content-type': 'application/json' } });
    assert.equal(r.status, 200);
  });

  test('one truth, two views: /settings and grommunio\'s /system/mconf/ldap edit the same source', async () => {
    const grommunio = await api.login('admin', ADMIN_PW, await totp.next());
    assert.deepEqual((await rc('POST', '/settings/LDAP_User_Search_Filter', token, { value: '(objectClass=inetOrgPerson)' })).body, { success: true });
    assert.equal((await api.call('GET', '/system/mconf/ldap', { session: grommunio })).body.data.users.filter, '(objectClass=inetOrgPerson)');
    const config = (await api.call('GET', '/system/mconf/ldap', { session: grommunio })).body.data;
    assert.equal((await api.call('PUT', '/system/mconf/ldap?force=true', { session: grommunio, json: { ...config, baseDn: 'ou=people,dc=example,dc=org' } })).status, 200);
    assert.deepEqual((await rc('GET', '/settings/LDAP_BaseDN', token)).body, { _id: 'LDAP_BaseDN', value: 'ou=people,dc=example,dc=org', success: true });
    assert.equal((await rc('GET', '/settings/LDAP_Authentication_Password', token)).body.value, '', 'the bind password is never shown');
    await rc('POST', '/settings/LDAP_Background_Sync_Interval', token, { value: 'Every 24 hours' });
    assert.equal((await api.call('GET', '/system/mconf/ldap', { session: grommunio })).body.data.schedule, 'FREQ=HOURLY;INTERVAL=24');
    await rc('POST', '/settings/LDAP_Background_Sync_Interval', token, { value: 'every_6_hours' });
    assert.equal((await api.call('GET', '/system/mconf/ldap', { session: grommunio })).body.data.schedule, '0 */6 * * *', 'Rocket.Chat\'s select value, as the cron it stands for');
    assert.equal((await rc('GET', '/settings/LDAP_Background_Sync_Interval', token)).body.value, 'every_6_hours');
    const badInterval = await rc('POST', '/settings/LDAP_Background_Sync_Interval', token, { value: 'every now and then' });
    assert.equal(badInterval.status, 400);
    assert.match(badInterval.body.error, /neither a cron expression/);
    await rc('POST', '/settings/LDAP_Enable', token, { value: false });
    assert.equal((await api.call('GET', '/system/mconf/ldap', { session: grommunio })).body.ldapAvailable, false);
    await rc('POST', '/settings/LDAP_Enable', token, { value: true });
    assert.equal((await rc('GET', '/settings/LDAP_Enable', token)).body.value, true);
    const refused = await rc('POST', '/settings/LDAP_Sync_User_Active_State', token, { value: 'sometimes' });
    assert.equal(refused.status, 400);
    assert.match(refused.body.error, /'none', 'disable' or 'both'/);
  });

  test('permissions held through roles: granting sync-auth-services-users lets a user sync', async () => {
    const login = await rc('POST', '/login', {}, { user: 'dom1', password: 'domain-one-password' });
    const dom = { 'x-auth-token': login.body.data.authToken, 'x-user-id': login.body.data.userId, 'x-2fa-method': 'password', 'x-2fa-code': sha256('domain-one-password') };
    assert.deepEqual((await rc('POST', '/ldap.syncNow', dom)).body, { success: false, error: 'error-not-authorized' });
    assert.equal((await rc('POST', '/roles.addUserToRole', token, { roleName: 'syncers', username: 'dom1' })).status, 200);
    const update = await rc('POST', '/permissions.update', token, { permissions: [{ _id: 'sync-auth-services-users', roles: ['admin', 'syncers'] }] });
    assert.equal(update.status, 200);
    const all = (await rc('GET', '/permissions.listAll', token)).body.update;
    assert.deepEqual(all.find((p: { _id: string }) => p._id === 'sync-auth-services-users').roles, ['admin', 'syncers']);
    const ok = await rc('POST', '/ldap.syncNow', dom);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.message, 'Sync_in_progress');
  });

  test('a directory user signs in with the directory password; /me shows the directory\'s name and email', async () => {
    slapd.modify(`dn: uid=user003,ou=people,dc=example,dc=org\nchangetype: modify\nreplace: userPassword\nuserPassword: directory-pass-3\n-\nreplace: cn\ncn: Directory Three\n\n`);
    const wrong = await rc('POST', '/login', {}, { user: 'user003', password: 'not-it' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.data, undefined, 'no token for a wrong password');
    assert.equal((await rc('POST', '/login', {}, { user: 'user003', password: '' })).status, 401, 'an empty password is no anonymous bind');
    const ok = await rc('POST', '/login', {}, { user: 'user003', password: 'directory-pass-3' });
    assert.equal(ok.status, 200, ok.text);
    const me = await rc('GET', '/me', { 'x-auth-token': ok.body.data.authToken, 'x-user-id': ok.body.data.userId });
    assert.equal(me.body.name, 'Directory Three');
    assert.deepEqual(me.body.emails, [{ address: 'user003@example.org', verified: true }]);
    assert.equal((await t.store.users.byUsername('user003@example.org'))!.displayName, 'Directory Three', 'the profile was synced at sign-in');
    const account = await t.store.accounts.credentials('user003@example.org');
    assert.equal(account?.passwordHash, null, 'no password is stored');
    const sync = await rc('POST', '/ldap.syncNow', { 'x-auth-token': ok.body.data.authToken, 'x-user-id': ok.body.data.userId, 'x-2fa-method': 'password', 'x-2fa-code': sha256('directory-pass-3') });
    assert.equal(sync.status, 400, 'a directory user holds no admin permission');
  });

  test('logout ends the token', async () => {
    assert.equal((await rc('POST', '/logout', token)).body.status, 'success');
    assert.equal((await rc('GET', '/me', token)).status, 401);
  });
});
