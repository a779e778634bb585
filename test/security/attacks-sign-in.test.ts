/**
 * The sign-in doors tried as an attacker would, against a real slapd over real HTTP: a second
 * factor walked around through grommunio's form, a recycled address, lock-outs made by correct
 * sign-ins or by one guesser behind a proxy, a stolen session token changing the second factor,
 * disabled and deactivated people, a session kept after sign-out, a credential mix that skips
 * CSRF, and a TOTP code replayed within its window.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { startApi, type TestApi } from '../support/api.ts';
import { TotpCodes } from '../support/totp.ts';
import { replaceLdif } from '../support/ldif.ts';
import { bulkPeople, PEOPLE } from '../fixtures/people.ts';
import { changePassword, createAdmin } from '../../src/auth/admins.ts';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ADMIN_PW = 'correct-horse-battery';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('sign-in attacks', () => {
  let slapd: Slapd;
  let t: TestStore;
  let api: TestApi;
  /** An admin with TOTP switched on, and its authenticator: each test its own, so no test waits for a new time step. */
  const adminWithTotp = async (name: string): Promise<TotpCodes> => {
    await createAdmin(t.store, name, ADMIN_PW);
    const codes = new TotpCodes();
    const token = tokenOf(await rcLogin(name, ADMIN_PW));
    codes.secret = (await rc('POST', '/users.2fa.enableTotp', token)).body.secret;
    assert.equal((await rc('POST', '/users.2fa.verifyTotp', token, { code: await codes.next() })).status, 200);
    return codes;
  };
  const rc = (method: string, path: string, headers: Record<string, string> = {}, json?: unknown) => api.call(method, path, { headers, json });
  const rcLogin = (user: string, password: string, headers: Record<string, string> = {}) => rc('POST', '/login', headers, { user, password });
  const tokenOf = (r: { body: { data: { authToken: string; userId: string } } }) => ({ 'x-auth-token': r.body.data.authToken, 'x-user-id': r.body.data.userId });

  before(async () => {
    slapd = await startSlapd({ entries: bulkPeople(12) });
    for (const n of ['001', '002', '003', '004', '005', '006']) slapd.modify(replaceLdif(`uid=user${n},${PEOPLE}`, { userPassword: `directory-pass-${n}` }));
    t = await storeVariants()[0]!.open();
    await t.store.domains.create({ name: 'example.org' });
    await t.store.sources.set(0, sourceConfig(slapd));
    api = await startApi(t, { LDAPSYNC_TRUST_PROXY: '127.0.0.1' });
    await createAdmin(t.store, 'dom1', 'domain-one-password', [{ permission: 'DomainAdmin', param: '1' }]);
    await api.call('POST', '/domains/1/ldap/downsync?import=true&timeout=20', { session: await api.login('admin', ADMIN_PW) });
  });
  after(async () => { await api?.close(); await slapd?.destroy(); await t?.cleanup(); });

  test('1. an account with TOTP gets no grommunio session from a password alone, by form or by JSON', async () => {
    const totp = await adminWithTotp('totp1');

    const form = await api.call('POST', '/login', { form: { user: 'totp1', pass: ADMIN_PW } });
    assert.equal(form.status, 401);
    assert.match(form.body.error, /second factor/);
    assert.equal(form.headers.get('set-cookie'), null, 'no session cookie');
    const json = await api.call('POST', '/login', { json: { user: 'totp1', pass: ADMIN_PW } });
    assert.equal(json.status, 401, 'JSON with pass instead of password is the same door');
    assert.equal((await api.call('POST', '/login', { form: { user: 'totp1', pass: ADMIN_PW, code: '000000' } })).status, 401, 'a wrong code');
    const withCode = await api.call('POST', '/login', { form: { user: 'totp1', pass: ADMIN_PW, code: await totp.next() } });
    assert.equal(withCode.status, 200, 'the code in the form field');
    const byHeader = await api.call('POST', '/login', { form: { user: 'totp1', pass: ADMIN_PW }, headers: { 'x-2fa-code': await totp.next() } });
    assert.equal(byHeader.status, 200, 'the code in the X-2fa-Code header');
  });

  test('18. a TOTP code works once, even within its window', async () => {
    const totp = await adminWithTotp('totp18');
    const first = await api.call('POST', '/login', { form: { user: 'totp18', pass: ADMIN_PW, code: await totp.next() } });
    assert.equal(first.status, 200);
    const replayed = await api.call('POST', '/login', { form: { user: 'totp18', pass: ADMIN_PW, code: totp.replay() } });
    assert.equal(replayed.status, 401);
    assert.match(replayed.body.error, /used already/);
    const token = tokenOf(await rcLogin('totp18', ADMIN_PW, { 'x-2fa-code': await totp.next() }));
    assert.equal((await rc('POST', '/ldap.syncNow', { ...token, 'x-2fa-code': totp.replay() })).body.errorType, 'totp-invalid');
  });

  test('7. a session token alone cannot switch TOTP off or change it', async () => {
    const totp = await adminWithTotp('totp7');
    const token = tokenOf(await rcLogin('totp7', ADMIN_PW, { 'x-2fa-code': await totp.next() }));
    const enrol = await rc('POST', '/users.2fa.enableTotp', token);
    assert.equal(enrol.status, 400);
    assert.equal(enrol.body.errorType, 'error-2fa-already-enabled');
    assert.equal((await t.store.accounts.twoFactor(Number(token['x-user-id']))).totpEnabled, true, 'TOTP is still on');
    assert.equal((await rc('POST', '/users.2fa.disableTotp', token)).body.errorType, 'totp-required', 'disabling asks for a current code');
    assert.equal((await rc('POST', '/users.2fa.enableEmail', token)).status, 400);
  });

  test('13. sign-out ends the grommunio session at once', async () => {
    const session = await api.login('admin', ADMIN_PW);
    assert.equal((await api.call('GET', '/profile', { session })).status, 200);
    assert.equal((await api.call('POST', '/logout', { session })).status, 200);
    const reused = await api.call('GET', '/profile', { session });
    assert.equal(reused.status, 401);
    assert.match(reused.body.error, /Session ended/);
    assert.equal((await api.call('GET', '/profile', { headers: { authorization: `Bearer ${session.jwt}` } })).status, 401, 'as a Bearer token too');
    // A password change (`ldapsync admin password`, a process of its own) ends every session and token of the account.
    const other = await api.login('dom1', 'domain-one-password');
    // Used once first, so the server holds it as a token that verified: that must not outlast the change.
    assert.equal((await api.call('GET', '/profile', { session: other })).status, 200);
    const token = tokenOf(await rcLogin('dom1', 'domain-one-password'));
    const file = join(t.dataDir, 'new-password');
    writeFileSync(file, 'a-new-domain-one-password\n');
    const cli = spawnSync(process.execPath, [new URL('../../bin/ldapsync.js', import.meta.url).pathname, 'admin', 'password', 'dom1', '--password-file', file], { env: { ...process.env, LDAPSYNC_DATA_DIR: t.dataDir, DATABASE_URL: '' }, encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal((await api.call('GET', '/profile', { session: other })).status, 401);
    assert.equal((await rc('GET', '/me', token)).status, 401);
    assert.equal((await api.call('POST', '/login', { form: { user: 'dom1', pass: 'a-new-domain-one-password' } })).status, 200);
    await changePassword(t.store, 'dom1', 'domain-one-password', 'test');
  });

  test('15. a Bearer token beside the cookie is refused, so it cannot skip the CSRF check', async () => {
    const session = await api.login('dom1', 'domain-one-password');
    const mixed = await api.call('POST', '/domains/1/ldap/downsync', { session, csrf: null, headers: { authorization: `Bearer ${session.jwt}` } });
    assert.equal(mixed.status, 401);
    assert.match(mixed.body.error, /not both/);
    assert.equal((await api.call('POST', '/domains/1/ldap/downsync?timeout=10', { headers: { authorization: `Bearer ${session.jwt}` } })).status, 200, 'a Bearer token alone needs no CSRF token');
  });

  test('5. correct directory sign-ins never lock anyone out', async () => {
    for (let i = 0; i < 15; i++) assert.equal((await rcLogin('user001', 'directory-pass-001')).status, 200, `sign-in ${i + 1}`);
    assert.equal((await api.call('POST', '/login', { form: { user: 'dom1', pass: 'domain-one-password' } })).status, 200, 'an admin from the same address');
  });

  test('6. one guesser locks only that account from that address; behind a trusted proxy, by the client address', async () => {
    const from = (address: string) => ({ 'x-forwarded-for': address });
    let last = 0;
    for (let i = 0; i < 11; i++) last = (await rcLogin('user002', `guess-${i}`, from('203.0.113.7'))).status;
    assert.equal(last, 400, 'locked: Rocket.Chat\'s error-too-many-requests');
    assert.equal((await rcLogin('user002', 'directory-pass-002', from('198.51.100.9'))).status, 200, 'the same account from another address');
    assert.equal((await rcLogin('user004', 'directory-pass-004', from('203.0.113.7'))).status, 200, 'another account from the guesser\'s address');
    assert.equal((await api.call('POST', '/login', { form: { user: 'dom1', pass: 'domain-one-password' }, headers: from('203.0.113.7') })).status, 200);
    api.ctx.throttle.clear();
  });

  test('3. a recycled address does not inherit the account, its roles or its tokens', async () => {
    const bob = await rcLogin('user005', 'directory-pass-005');
    assert.equal(bob.status, 200);
    const bobAccount = Number(bob.body.data.userId);
    const role = await t.store.accounts.createRole('sync-operators', '', [{ permission: 'sync-auth-services-users', param: '' }]);
    await t.store.accounts.assignRole(bobAccount, role.id);
    // bob's address moves to another person's entry (user006); bob gets a new one.
    slapd.modify(replaceLdif(`uid=user005,${PEOPLE}`, { mail: 'bob.moved@example.org' }));
    slapd.modify(replaceLdif(`uid=user006,${PEOPLE}`, { mail: 'user005@example.org' }));
    const heir = await rcLogin('user005@example.org', 'directory-pass-006');
    assert.equal(heir.status, 200, heir.text);
    assert.notEqual(Number(heir.body.data.userId), bobAccount, 'a new account for the new entry');
    const heirMe = await rc('GET', '/me', tokenOf(heir));
    assert.equal(heirMe.body.username, 'user005@example.org');
    assert.deepEqual((await t.store.accounts.grants(Number(heir.body.data.userId))).map((g) => g.permission), [], 'none of bob\'s roles');
    const back = await rcLogin('user005', 'directory-pass-005');
    assert.equal(Number(back.body.data.userId), bobAccount, 'bob still has his own account');
    assert.equal((await rc('GET', '/me', tokenOf(back))).body.username, 'bob.moved@example.org', 'under his new address');
  });

  test('8. disabled entries, deactivated users and users of a deactivated domain cannot sign in', async () => {
    const notActivated = { status: 'error', error: 'error-user-is-not-activated', message: 'User is not activated' };
    slapd.modify(replaceLdif(`uid=user003,${PEOPLE}`, { userPassword: 'directory-pass-003' }));
    await t.store.sources.set(0, sourceConfig(slapd, { users: { disabledFilter: '(uid=user003)' } }));
    const disabled = await rcLogin('user003', 'directory-pass-003');
    assert.deepEqual([disabled.status, disabled.body], [401, notActivated]);
    await t.store.sources.set(0, sourceConfig(slapd));

    const user = (await t.store.users.byUsername('user004@example.org'))!;
    await t.store.users.setStatus([user.id], 'deactivated', 'admin', 'deactivated by an admin');
    const deactivated = await rcLogin('user004', 'directory-pass-004');
    assert.deepEqual([deactivated.status, deactivated.body], [401, notActivated]);
    await t.store.users.setStatus([user.id], 'active', 'admin', null);

    await t.store.domains.update(1, { active: false });
    const domainOff = await rcLogin('user004', 'directory-pass-004');
    assert.deepEqual([domainOff.status, domainOff.body], [401, notActivated]);
    await t.store.domains.update(1, { active: true });
    assert.equal((await rcLogin('user004', 'directory-pass-004')).status, 200);
    // The password method still works for a directory user's second factor on other routes.
    const ok = await rcLogin('user004', 'directory-pass-004');
    assert.equal((await rc('POST', '/ldap.syncNow', { ...tokenOf(ok), 'x-2fa-method': 'password', 'x-2fa-code': sha256('directory-pass-004') })).body.error, 'error-not-authorized');
  });

  test('7, 8. email 2FA: a stolen token cannot add TOTP beside it; without SMTP the factor is not skipped', async () => {
    await createAdmin(t.store, 'mailer', ADMIN_PW);
    const token = tokenOf(await rcLogin('mailer', ADMIN_PW));
    const id = Number(token['x-user-id']);
    await t.store.accounts.updateProfile(id, 'Mailer', 'mailer@example.org');
    await t.store.accounts.setEmailTwoFactor(id, true);
    const enrol = await rc('POST', '/users.2fa.enableTotp', token);
    assert.equal(enrol.status, 400, 'adding TOTP asks for the email factor first');
    assert.equal((await t.store.accounts.twoFactor(id)).totpSecret, null, 'no secret was set');
    const signIn = await rcLogin('mailer', ADMIN_PW);
    assert.notEqual(signIn.status, 200, 'no SMTP server: the sign-in fails instead of skipping the code');
    assert.match(JSON.stringify(signIn.body), /no SMTP server/);
    const form = await api.call('POST', '/login', { form: { user: 'mailer', pass: ADMIN_PW } });
    assert.equal(form.status, 401);
  });

  test('4, 8, 13. deactivating a directory user or their domain ends their tokens at once', async () => {
    const ok = await rcLogin('user004', 'directory-pass-004');
    const token = tokenOf(ok);
    const resume = ok.body.data.authToken;
    assert.equal((await rc('GET', '/me', token)).status, 200);
    const user = (await t.store.users.byUsername('user004@example.org'))!;
    await t.store.users.setStatus([user.id], 'deactivated', 'admin', 'deactivated by an admin');
    assert.equal((await rc('GET', '/me', token)).status, 401);
    assert.equal((await rc('POST', '/login', {}, { resume })).status, 401, 'nor can the token be resumed');
    await t.store.users.setStatus([user.id], 'active', 'admin', null);
    assert.equal((await rc('GET', '/me', token)).status, 200);
    await t.store.domains.update(1, { active: false });
    assert.equal((await rc('GET', '/me', token)).status, 401, 'a deactivated domain too');
    await t.store.domains.update(1, { active: true });
  });

  test('3. an account from before accounts were bound to entries is handed to nobody', async () => {
    const legacy = await t.store.accounts.create({ username: 'user007@example.org', passwordHash: null, displayName: 'Legacy', email: 'user007@example.org' });
    const role = await t.store.accounts.createRole('legacy-role', '', [{ permission: 'sync-auth-services-users', param: '' }]);
    await t.store.accounts.assignRole(legacy.id, role.id);
    slapd.modify(replaceLdif(`uid=user007,${PEOPLE}`, { userPassword: 'directory-pass-007' }));
    const r = await rcLogin('user007', 'directory-pass-007');
    assert.equal(r.status, 200, r.text);
    assert.notEqual(Number(r.body.data.userId), legacy.id);
    assert.deepEqual(await t.store.accounts.grants(Number(r.body.data.userId)), []);
    assert.equal((await t.store.accounts.get(legacy.id))!.username, `user007@example.org#${legacy.id}`, 'the old account is moved aside, not deleted');
  });
});
