/**
 * The store's edges tried as an attacker or an unlucky operator would: a disk that fills up in
 * the middle of a run (a real tmpfs of a few megabytes), session tokens in logged URLs, and
 * numbers and NUL characters PostgreSQL cannot store, with and without sign-in.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { startApi, type Answer, type Session, type TestApi } from '../support/api.ts';
import { bulkPeople } from '../fixtures/people.ts';
import { openStore } from '../../src/open-store.ts';
import { TaskState } from '../../src/domain/task.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A small tmpfs of its own, or why there cannot be one here. */
function smallDisk(megabytes: number): { dir: string; release(): void } | string {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const dir = mkdtempSync(join(tmpdir(), 'ldapsync-full-'));
  try { execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir], { stdio: 'pipe' }); } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs here: ${(e as Error).message.split('\n')[0]}`;
  }
  return { dir, release: () => { execFileSync('umount', ['-l', dir], { stdio: 'pipe' }); rmSync(dir, { recursive: true, force: true }); } };
}

const probeDisk = smallDisk(1);
const diskSkip = typeof probeDisk === 'string' ? probeDisk : false;
if (typeof probeDisk !== 'string') probeDisk.release();

describe('a disk that fills up during a run', { skip: diskSkip }, () => {
  let slapd: Slapd;
  let disk: { dir: string; release(): void };
  let t: TestStore;
  let api: TestApi;
  let admin: Session;

  before(async () => {
    slapd = await startSlapd({ entries: bulkPeople(999) });
    disk = smallDisk(48) as { dir: string; release(): void };
    // The database on the small disk; the server's log and keys beside it, on the usual one.
    const store = await openStore({ dataDir: disk.dir });
    const dataDir = mkdtempSync(join(tmpdir(), 'ldapsync-full-log-'));
    t = { store, dataDir, databaseUrl: null, schema: null, cleanup: async () => { await store.close().catch(() => undefined); rmSync(dataDir, { recursive: true, force: true }); } };
    await store.domains.create({ name: 'example.org' });
    await store.sources.set(0, sourceConfig(slapd, { pageSize: 100 }));
    api = await startApi(t);
    admin = await api.login('admin', 'correct-horse-battery');
  });
  after(async () => { await api?.close().catch(() => undefined); await t?.cleanup(); disk?.release(); await slapd?.destroy(); });

  test('11. the run ends its task, its run record and its lock, and says why; sign-in answers 503 meanwhile', async () => {
    const filler = join(disk.dir, 'filler');
    const free = () => { const s = statfsSync(disk.dir); return s.bavail * s.bsize; };
    // Leave room for about half of the users, so the run fails part-way (the sync thread commits
    // a few pages at a time, in less room than a commit each took).
    writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 512 * 1024)));
    const run = await api.call('POST', '/domains/1/ldap/downsync?import=true&timeout=30', { session: admin });
    assert.notEqual(run.status, 500, run.text);
    assert.match(run.text, /database could not be written/);
    // What the failed transaction gave back is filled too: the disk stays full for the sign-in.
    const more = join(disk.dir, 'more');
    writeFileSync(more, Buffer.alloc(free()));
    // ...and so is the room left inside the database file.
    try { for (;;) await t.store.audit.record({ actor: 'filler', action: 'fill', targetType: 'x', targetId: 'x'.repeat(2000), before: null, after: null }); } catch { /* full */ }
    const later = new Date(Date.now() + 3_600_000).toISOString();
    try { for (let i = 0; ; i++) await t.store.sessions.open(`filler-${i}`, 1, later); } catch { /* full: a sign-in needs a new page now */ }
    const signIn = await api.call('POST', '/login', { form: { user: 'admin', pass: 'correct-horse-battery' } });
    assert.equal(signIn.status, 503, signIn.text);
    assert.match(signIn.body.message, /database cannot take this request now/);

    rmSync(filler);
    rmSync(more);
    let task;
    for (let i = 0; i < 60; i++) {
      task = (await t.store.tasks.list({ all: true, domainIds: [] }, 10, 0))[0];
      if (task && task.state !== TaskState.running) break;
      await sleep(500);
    }
    assert.equal(task?.state, TaskState.error, 'the task ended');
    assert.match(task!.message, /database could not be written/, 'and says why');
    const lastRun = await t.store.runs.lastForDomain(1);
    assert.equal(lastRun?.status, 'failed');
    assert.equal(await t.store.syncLocks.holder(1), undefined, 'the lock is free');
    const written = (await t.store.users.list({ domainId: 1, limit: 1, offset: 0 })).total;
    assert.ok(written > 0 && written < 999, `some users were written whole (${written}), not all`);
    assert.equal(lastRun?.counts.created, written, 'the run counts the users it wrote, and none it took back');
    const again = await api.call('POST', '/domains/1/ldap/downsync?import=true&timeout=60', { session: admin });
    assert.equal(again.status, 200, 'the next run starts at once and finishes');
    assert.equal((await t.store.users.list({ domainId: 1, limit: 1, offset: 0 })).total, 999);
  });
});

describe('session tokens in logged URLs', () => {
  let t: TestStore;
  let api: TestApi;
  before(async () => { t = await storeVariants()[0]!.open(); api = await startApi(t); });
  after(async () => { await api?.close(); await t?.cleanup(); });

  test('12. rc_token in a query is written to the log redacted', async () => {
    const login = await api.call('POST', '/login', { json: { user: 'admin', password: 'correct-horse-battery' } });
    const token = login.body.data.authToken as string;
    await fetch(`${api.url.replace('/api/v1', '')}/avatar/nobody?rc_uid=${login.body.data.userId}&rc_token=${encodeURIComponent(token)}`);
    await fetch(`${api.url.replace('/api/v1', '')}/avatar/nobody?rc_token=${encodeURIComponent(token)}&rc_uid=1`);
    await fetch(`${api.url.replace('/api/v1', '')}/avatar/nobody?rc_uid=1&rc%5Ftoken=${encodeURIComponent(token)}`);
    await sleep(500); // the log is written asynchronously
    const log = readFileSync(join(t.dataDir, 'server.log'), 'utf8');
    assert.ok(!log.includes(token) && !log.includes(encodeURIComponent(token)), 'the token is not in the log');
    assert.match(log, /rc_token=\[Redacted\]/);
  });
});

describe('numbers and NUL characters PostgreSQL cannot store', { skip: storeVariants()[1]!.skip }, () => {
  let t: TestStore;
  let api: TestApi;
  let admin: Session;
  let rcHeaders: Record<string, string>;
  before(async () => {
    t = await storeVariants()[1]!.open();
    await t.store.domains.create({ name: 'example.org' });
    api = await startApi(t);
    admin = await api.login('admin', 'correct-horse-battery');
    const login = await api.call('POST', '/login', { json: { user: 'admin', password: 'correct-horse-battery' } });
    rcHeaders = { 'x-auth-token': login.body.data.authToken, 'x-user-id': login.body.data.userId };
  });
  after(async () => { await api?.close(); await t?.cleanup(); });

  const grommunioRefusal = (r: Answer, what: string) => {
    assert.ok(r.status >= 400 && r.status < 500, `${what}: ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(typeof r.body?.message, 'string', `${what}: grommunio's shape`);
  };
  const rocketRefusal = (r: Answer, what: string) => {
    assert.ok(r.status >= 400 && r.status < 500, `${what}: ${r.status} ${r.text.slice(0, 200)}`);
    assert.ok(r.body?.success === false || r.body?.status === 'error', `${what}: Rocket.Chat's shape`);
  };

  test('14. every probe is a 4xx in its dialect\'s shape, never a 500', async () => {
    const big = ['9e18', 'Infinity', '-Infinity', '99999999999', '9223372036854775808', '1e400', '-1', '2147483648'];
    for (const n of big) {
      for (const path of [`/system/domains/${n}`, `/domains/${n}/users`, `/domains/1/users/${n}`, `/tasq/tasks/${n}`, `/system/orgs/${n}`, `/domains/ldap/search?query=abc&domain=${n}`, `/domains/ldap/check?domain=1&userID=${n}`, `/domains/1/users?limit=10&offset=${n}`]) {
        grommunioRefusal(await api.call('GET', path, { session: admin }), `GET ${path}`);
      }
      grommunioRefusal(await api.call('PATCH', '/system/domains/1', { session: admin, json: { orgID: n } }), `PATCH orgID ${n}`);
      rocketRefusal(await api.call('GET', '/me', { headers: { 'x-auth-token': 'x', 'x-user-id': n } }), `x-user-id ${n}`);
      const avatar = await fetch(`${api.url.replace('/api/v1', '')}/avatar/admin?rc_uid=${n}&rc_token=x`);
      assert.ok(avatar.status < 500, `rc_uid ${n}: ${avatar.status}`);
    }
    rocketRefusal(await api.call('GET', '/users.info?userId=99999999999', { headers: rcHeaders }), 'users.info with a userId past int4');
    grommunioRefusal(await api.call('GET', '/ldapsync/audit?offset=10000000000000000000', { session: admin }), 'audit offset past int8');
    const nul = 'a\u0000b';
    grommunioRefusal(await api.call('POST', '/login', { form: { user: nul, pass: 'x' } }), 'form sign-in with NUL, no session');
    grommunioRefusal(await api.call('POST', '/login', { json: { user: nul, pass: 'x' } }), 'JSON sign-in with NUL, no session');
    rocketRefusal(await api.call('POST', '/login', { json: { user: nul, password: 'x' } }), 'Rocket.Chat sign-in with NUL');
    rocketRefusal(await api.call('POST', '/login', { json: { resume: nul } }), 'resume token with NUL');
    rocketRefusal(await api.call('POST', '/users.2fa.sendEmailCode', { json: { emailOrUsername: nul } }), 'sendEmailCode with NUL');
    grommunioRefusal(await api.call('POST', '/system/orgs', { session: admin, json: { name: nul } }), 'org name with NUL');
    grommunioRefusal(await api.call('PUT', '/system/mconf/ldap?force=true', { session: admin, json: { connection: { server: 'ldap://127.0.0.1' }, baseDn: nul } }), 'baseDn with NUL');
    grommunioRefusal(await api.call('GET', `/domains/ldap/search?query=${encodeURIComponent(nul)}x&domain=1`, { session: admin }), 'search with NUL');
    rocketRefusal(await api.call('GET', `/users.info?username=${encodeURIComponent(nul)}`, { headers: rcHeaders }), 'users.info with NUL');
    rocketRefusal(await api.call('POST', '/settings/LDAP_BaseDN', { headers: rcHeaders, json: { value: nul } }), 'setting with NUL');
    const avatar = await fetch(`${api.url.replace('/api/v1', '')}/avatar/a%00b`, { headers: rcHeaders });
    assert.ok(avatar.status >= 400 && avatar.status < 500, `avatar with NUL: ${avatar.status}`);
    assert.equal((await api.call('GET', '/profile', { session: admin })).status, 200, 'the service is still well');
  });
});
