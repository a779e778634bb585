/**
 * Rocket.Chat's own REST client (@rocket.chat/api-client), unchanged, against a real ldapsync over
 * a real slapd and a real SMTP server on loopback: TOTP enrolment with its QR image, ldap.syncNow
 * answered through the client's automatic 2FA retry, the email method with codes read from the
 * mail that arrived, avatars found through both dialects, and background syncs on a schedule.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { RestClient } from '@rocket.chat/api-client';
import { SMTPServer } from 'smtp-server';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { TotpCodes } from '../support/totp.ts';
import { replaceLdif } from '../support/ldif.ts';
import { startApi, type TestApi } from '../support/api.ts';
import { bulkPeople, namedPeople, OTHER_PHOTO, PHOTO, SALES } from '../fixtures/people.ts';
import { createAdmin } from '../../src/auth/admins.ts';
import { TaskState } from '../../src/domain/task.ts';

const ADMIN_PW = 'correct-horse-battery';
// jsqr is CommonJS: its default export arrives wrapped under Node's ESM loader.
type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as Decode;
const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

interface Mail { to: string; text: string }

/** A real SMTP server on a loopback port that keeps what it receives. */
async function startMailSink(): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), text: raw.replace(/=\r?\n/g, '') });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const waitFor = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('Rocket.Chat\'s own REST client against ldapsync', () => {
  let slapd: Slapd;
  let t: TestStore;
  let api: TestApi;
  let sink: Awaited<ReturnType<typeof startMailSink>>;
  let client: RestClient;
  let origin = '';
  const totp = new TotpCodes();
  const codeFromMail = async (to: string, after: number) => {
    const mail = await waitFor(`a mail to ${to}`, () => sink.mails.slice(after).find((m) => m.to === to));
    return /Your code is (\d{6})/.exec(mail.text)![1]!;
  };
  const WANG = `uid=wangfang,${SALES}`;

  before(async () => {
    slapd = await startSlapd({ entries: [...namedPeople, ...bulkPeople(5)] });
    sink = await startMailSink();
    t = await storeVariants()[0]!.open();
    await t.store.domains.create({ name: 'example.org' });
    await t.store.domains.create({ name: 'other.example' });
    await t.store.sources.set(0, sourceConfig(slapd));
    // These avatar checks are about who may see whom: avatars closed to callers without sign-in.
    await t.store.settings.set('rocketchat:Accounts_AvatarBlockUnauthenticatedAccess', true);
    api = await startApi(t, { LDAPSYNC_SYNCNOW_WAIT_SECONDS: '10', LDAPSYNC_SMTP_URL: `smtp://127.0.0.1:${sink.port}` });
    await createAdmin(t.store, 'other', 'domain-one-password', [{ permission: 'DomainAdmin', param: '2' }]);
    origin = api.url.replace(/\/api\/v1$/, '');
    client = new RestClient({ baseUrl: origin });
  });
  after(async () => { await api?.close(); await sink?.close(); await slapd?.destroy(); await t?.cleanup(); });

  test('the client signs in and enrols TOTP; the QR image holds the otpauth:// URI', async () => {
    const login = await client.post('/v1/login' as never, { user: 'admin', password: ADMIN_PW } as never) as { data: { userId: string; authToken: string } };
    client.setCredentials({ 'X-User-Id': login.data.userId, 'X-Auth-Token': login.data.authToken });
    // POSTs without parameters: the client sends no body, labelled application/json.
    const enrol = await client.post('/v1/users.2fa.enableTotp' as never) as { secret: string; url: string; qr: string };
    totp.secret = enrol.secret;
    const png = PNG.sync.read(Buffer.from(enrol.qr.replace(/^data:image\/png;base64,/, ''), 'base64'));
    assert.equal(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data, enrol.url, 'the QR image decodes to the URI');
    assert.match(enrol.url, /^otpauth:\/\/totp\/ldapsync:admin\?issuer=ldapsync&secret=[A-Z2-7]+/);
    const verified = await client.post('/v1/users.2fa.verifyTotp' as never, { code: await totp.next() } as never) as { codes: string[] };
    assert.equal(verified.codes.length, 10);
  });

  test('ldap.syncNow through the client\'s automatic 2FA retry; the users and their avatars through both dialects', async () => {
    const asked: string[] = [];
    client.handleTwoFactorChallenge(async ({ method }) => { asked.push(method); return totp.next(); });
    const sync = await client.post('/v1/ldap.syncNow' as never) as { message: string; success: boolean; taskId: number };
    assert.deepEqual([sync.message, sync.success], ['Sync_in_progress', true]);
    assert.deepEqual(asked, ['totp'], 'the client read errorType and details.method from the 400 and retried with the code');
    assert.equal((await t.store.tasks.get(sync.taskId))?.state, TaskState.completed);

    // Rocket.Chat's view: users.info with the avatar's ETag, and the image at /avatar/{username}.
    const info = await client.get('/v1/users.info' as never, { username: 'wang.fang@example.org' } as never) as { user: { name: string; avatarETag: string; ldap: boolean } };
    assert.deepEqual([info.user.name, info.user.avatarETag, info.user.ldap], ['王芳', sha256(PHOTO), true]);
    const list = await client.get('/v1/users.list' as never, { count: 100 } as never) as { total: number; users: Array<{ username: string; avatarETag?: string }> };
    assert.equal(list.total, 10, 'both domains of the default source: 9 in example.org, 1 in other.example');
    assert.equal(list.users.filter((u) => u.avatarETag).length, 1);
    const creds = client.getCredentials()!;
    const headers = { 'x-user-id': creds['X-User-Id'], 'x-auth-token': creds['X-Auth-Token'] };
    const image = await fetch(`${origin}/avatar/wang.fang@example.org`, { headers });
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/jpeg');
    assert.equal(image.headers.get('etag'), `"${sha256(PHOTO)}"`);
    assert.deepEqual(Buffer.from(await image.arrayBuffer()), PHOTO);
    assert.equal((await fetch(`${origin}/avatar/wang.fang@example.org`, { headers: { ...headers, 'if-none-match': `"${sha256(PHOTO)}"` } })).status, 304);
    const byQuery = await fetch(`${origin}/avatar/wang.fang@example.org?rc_uid=${creds['X-User-Id']}&rc_token=${encodeURIComponent(creds['X-Auth-Token'])}`);
    assert.equal(byQuery.status, 200, 'Rocket.Chat\'s rc_uid/rc_token query, for an <img> that cannot send headers');
    assert.equal((await fetch(`${origin}/avatar/wang.fang@example.org?rc_uid=${creds['X-User-Id']}&rc_token=forged`)).status, 401);
    const initial = await fetch(`${origin}/avatar/juergen.mueller@example.org`, { headers });
    assert.equal(initial.headers.get('content-type'), 'image/svg+xml');
    assert.match(await initial.text(), />J<\/text>/, 'no photo: the initial, as Rocket.Chat draws it');

    // grommunio's view: the same users, with the same avatar, fetched with the session cookie.
    const session = await api.login('admin', ADMIN_PW, await totp.next());
    const users = (await api.call('GET', '/domains/1/users?match=wang', { session })).body.data;
    assert.deepEqual(users.map((u: { username: string; avatar: unknown }) => [u.username, u.avatar]), [['wang.fang@example.org', { etag: sha256(PHOTO), url: '/avatar/wang.fang%40example.org' }]]);
    const viaCookie = await fetch(`${origin}${users[0].avatar.url}`, { headers: { cookie: session.cookie } });
    assert.deepEqual(Buffer.from(await viaCookie.arrayBuffer()), PHOTO);
  });

  test('avatars are for those who may see the user: 401 without sign-in, 404 for another tenant\'s admin', async () => {
    assert.equal((await fetch(`${origin}/avatar/wang.fang@example.org`)).status, 401);
    const other = await api.login('other', 'domain-one-password');
    assert.equal((await fetch(`${origin}/avatar/wang.fang@example.org`, { headers: { cookie: other.cookie } })).status, 404);
    assert.equal((await fetch(`${origin}/avatar/nobody@example.org`, { headers: { cookie: other.cookie } })).status, 404, 'the same answer as for a name nobody has');
  });

  test('a directory user signs in: profile and avatar synced at sign-in; a wrong password leaves no token', async () => {
    slapd.modify(replaceLdif(WANG, { userPassword: 'wang-directory-pass', jpegPhoto: OTHER_PHOTO }));
    await assert.rejects(client.post('/v1/login' as never, { user: 'wangfang', password: 'wrong' } as never), (r: Response) => r.status === 401);
    const login = await fetch(`${origin}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'wangfang', password: 'wang-directory-pass' }) });
    const body = await login.json() as { data: { userId: string; authToken: string; me: { name: string; emails: Array<{ address: string }> } } };
    assert.equal(login.status, 200);
    assert.equal(body.data.me.name, '王芳');
    assert.equal(body.data.me.emails[0]!.address, 'wang.fang@example.org');
    assert.equal((await t.store.users.byUsername('wang.fang@example.org'))!.avatarHash, sha256(OTHER_PHOTO), 'the new photo arrived at sign-in');
  });

  test('the email method: a code mailed over SMTP, good once, asked at sign-in too; the client retries with it', async () => {
    slapd.modify(replaceLdif(`uid=user004,ou=people,dc=example,dc=org`, { userPassword: 'user-four-pass' }));
    const person = new RestClient({ baseUrl: origin });
    const login = await person.post('/v1/login' as never, { user: 'user004', password: 'user-four-pass' } as never) as { data: { userId: string; authToken: string } };
    person.setCredentials({ 'X-User-Id': login.data.userId, 'X-Auth-Token': login.data.authToken });
    await client.post('/v1/roles.addUserToRole' as never, { roleName: 'syncers', username: 'user004@example.org' } as never);
    await client.post('/v1/permissions.update' as never, { permissions: [{ _id: 'sync-auth-services-users', roles: ['admin', 'syncers'] }] } as never);
    assert.deepEqual(await person.post('/v1/users.2fa.enableEmail' as never), { success: true });

    const headers = { 'x-user-id': login.data.userId, 'x-auth-token': login.data.authToken, 'content-type': 'application/json' };
    const before = sink.mails.length;
    const challenge = await fetch(`${origin}/api/v1/ldap.syncNow`, { method: 'POST', headers });
    assert.equal(challenge.status, 400);
    assert.deepEqual(await challenge.json(), {
      success: false, error: 'TOTP Required [totp-required]', errorType: 'totp-required',
      details: { method: 'email', codeGenerated: true, availableMethods: ['email'], emailOrUsername: 'user004@example.org' },
    });
    const mailed = await codeFromMail('user004@example.org', before);
    const again = await (await fetch(`${origin}/api/v1/ldap.syncNow`, { method: 'POST', headers })).json() as { details: { codeGenerated: boolean; codeExpires: string[] } };
    assert.equal(again.details.codeGenerated, false, 'a code still valid is not sent twice');
    assert.equal(again.details.codeExpires.length, 1);
    const ok = await fetch(`${origin}/api/v1/ldap.syncNow`, { method: 'POST', headers: { ...headers, 'x-2fa-method': 'email', 'x-2fa-code': mailed } });
    assert.equal(ok.status, 200, await ok.clone().text());
    const reused = await fetch(`${origin}/api/v1/ldap.syncNow`, { method: 'POST', headers: { ...headers, 'x-2fa-method': 'email', 'x-2fa-code': mailed } });
    assert.equal(((await reused.json()) as { errorType: string }).errorType, 'totp-invalid', 'a mailed code is good once');

    // The client's automatic retry with the email method: its handler reads the code that arrived.
    const mailbox = sink.mails.length;
    person.handleTwoFactorChallenge(async ({ method, emailOrUsername }) => {
      assert.deepEqual([method, emailOrUsername], ['email', 'user004@example.org']);
      return codeFromMail('user004@example.org', mailbox);
    });
    assert.equal((await person.post('/v1/ldap.syncNow' as never) as { message: string }).message, 'Sync_in_progress');

    // Sign-in asks for the email code too, in Rocket.Chat's sign-in failure shape (401); the code goes in the body.
    const seen = sink.mails.length;
    const signIn = (extra: Record<string, string> = {}) => fetch(`${origin}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'user004', password: 'user-four-pass', ...extra }) });
    const asked = await signIn();
    assert.equal(asked.status, 401);
    assert.deepEqual(await asked.json(), {
      status: 'error', error: 'totp-required', message: 'TOTP Required',
      details: { method: 'email', codeGenerated: true, availableMethods: ['email'], emailOrUsername: 'user004@example.org' },
    });
    const signedIn = await signIn({ code: await codeFromMail('user004@example.org', seen) });
    assert.equal(signedIn.status, 200);
    assert.equal(((await signedIn.json()) as { status: string }).status, 'success');
  });

  test('background sync: an interval set through /settings runs as tasks, shows its next run, and stops when switched off', async () => {
    const session = await api.login('admin', ADMIN_PW, await totp.next());
    assert.deepEqual(await client.post('/v1/settings/LDAP_Background_Sync_Interval' as never, { value: '*/3 * * * * *' } as never), { success: true });
    await client.post('/v1/settings/LDAP_Background_Sync' as never, { value: true } as never);
    const source = (await api.call('GET', '/ldapsync/sources', { session })).body.data[0];
    assert.match(source.nextRun, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'the next run time is visible');
    slapd.modify(replaceLdif(`uid=user001,ou=people,dc=example,dc=org`, { cn: 'Changed In The Background' }));
    await waitFor('a scheduled run to sync the change', async () => ((await t.store.users.byUsername('user001@example.org'))?.displayName === 'Changed In The Background' ? true : undefined));
    const scheduled = (await t.store.tasks.list({ all: true, domainIds: [] }, 100, 0)).filter((task) => task.owner === 'schedule');
    assert.ok(scheduled.length >= 1);
    assert.ok(scheduled.every((task) => task.state === TaskState.completed || task.state === TaskState.running || task.state === TaskState.queued));
    await client.post('/v1/settings/LDAP_Background_Sync' as never, { value: false } as never);
    assert.equal((await api.call('GET', '/ldapsync/sources', { session })).body.data[0].nextRun, null);
    await new Promise((r) => setTimeout(r, 500)); // a run already queued may still finish
    const count = (await t.store.tasks.list({ all: true, domainIds: [] }, 1000, 0)).filter((task) => task.owner === 'schedule').length;
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal((await t.store.tasks.list({ all: true, domainIds: [] }, 1000, 0)).filter((task) => task.owner === 'schedule').length, count, 'no run after switching off');
  });
});
