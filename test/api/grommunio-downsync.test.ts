/**
 * The seed's endpoint over real HTTP against a real slapd: sign-in, CSRF, scopes, 200/202/400/
 * 403/404/503, tasks, and every answer checked against grommunio's own OpenAPI schemas.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSlapd, SYNC_PW, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { startApi, type Session, type TestApi } from '../support/api.ts';
import { assertGrommunioShape, grommunioSpecMissing, uncheckedShapes } from '../support/grommunio-openapi.ts';
import { bulkPeople, namedPeople, PEOPLE } from '../fixtures/people.ts';
import { createAdmin } from '../../src/auth/admins.ts';
import { TaskState } from '../../src/domain/task.ts';

const ADMIN_PW = 'correct-horse-battery';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const variant of storeVariants()) {
  describe(`grommunio downsync API on ${variant.name}`, { skip: variant.skip }, () => {
    let slapd: Slapd;
    let t: TestStore;
    let api: TestApi;
    let admin: Session;
    let domainAdmin: Session;
    let domain1: number;
    let domain2: number;

    const pollTask = async (id: number, session: Session) => {
      for (let i = 0; i < 200; i++) {
        const r = await api.call('GET', `/tasq/tasks/${id}`, { session });
        assert.equal(r.status, 200);
        if (r.body.state >= TaskState.completed) return r;
        await sleep(25);
      }
      throw new Error('task did not finish');
    };
    const snapshot = async () => (await t.store.users.list({ domainId: domain1, limit: 10000, offset: 0 })).users;

    before(async () => {
      slapd = await startSlapd({ entries: [...namedPeople, ...bulkPeople(40)] });
      t = await variant.open();
      domain1 = (await t.store.domains.create({ name: 'example.org' })).id;
      domain2 = (await t.store.domains.create({ name: 'other.example' })).id;
      await t.store.sources.set(0, sourceConfig(slapd));
      api = await startApi(t);
      await createAdmin(t.store, 'dom1', 'domain-one-password', [{ permission: 'DomainAdmin', param: String(domain1) }]);
      admin = await api.login('admin', ADMIN_PW);
      domainAdmin = await api.login('dom1', 'domain-one-password');
    });
    after(async () => { await api?.close(); await slapd?.destroy(); await t?.cleanup(); });

    test('sign-in answers grommunio\'s shape and sets an HttpOnly, SameSite=Strict cookie', async () => {
      const r = await api.call('POST', '/login', { form: { user: 'admin', pass: ADMIN_PW } });
      assert.equal(r.status, 200);
      assertGrommunioShape('/login', 'POST', 200, r.body);
      assert.deepEqual(Object.keys(r.body).sort(), ['csrf', 'grommunioAuthJwt']);
      const cookie = r.headers.get('set-cookie')!;
      assert.match(cookie, /^grommunioAuthJwt=/);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Strict/);
      const wrong = await api.call('POST', '/login', { form: { user: 'admin', pass: 'nope' } });
      assert.equal(wrong.status, 401);
      assert.deepEqual(wrong.body, { message: 'Access denied', error: 'Invalid username or password' });
      const profile = await api.call('GET', '/profile', { session: admin });
      assertGrommunioShape('/profile', 'GET', 200, profile.body);
      assert.ok(profile.body.capabilities.includes('SystemAdmin'));
      const scoped = await api.call('GET', '/profile', { session: domainAdmin });
      assert.deepEqual(scoped.body.capabilities, ['DomainAdminRead', 'DomainAdminWrite', 'ResetPasswd']);
    });

    test('the seed request imports with ?import=true and answers 200 with per-user outcomes', async () => {
      const r = await api.call('POST', `/domains/${domain1}/ldap/downsync?import=true&lang=&timeout=5`, { session: admin });
      assert.equal(r.status, 200, r.text);
      assertGrommunioShape('/domains/{domainID}/ldap/downsync', 'POST', 200, r.body);
      assert.equal(r.body.data.length, 44);
      assert.ok(r.body.data.every((o: { code: number }) => o.code === 201));
      assert.match(r.body.message, /44 created/);
      const seed = await api.call('POST', `/domains/${domain1}/ldap/downsync?lang=&timeout=1`, { session: admin });
      assert.equal(seed.status, 200);
      assert.ok(seed.body.data.every((o: { code: number; message: string }) => o.code === 200 && o.message === 'Synchronization successful'));
    });

    test('timeout=0 answers 202 with a task; polling it gives the outcomes a synchronous run gives', async () => {
      const sync = await api.call('POST', `/domains/${domain1}/ldap/downsync?timeout=10`, { session: admin });
      assert.equal(sync.status, 200);
      const queued = await api.call('POST', `/domains/${domain1}/ldap/downsync?timeout=0`, { session: admin });
      assert.equal(queued.status, 202);
      assertGrommunioShape('/domains/{domainID}/ldap/downsync', 'POST', 202, queued.body);
      assert.equal(queued.body.message, `Created background task #${queued.body.taskID}`);
      const task = await pollTask(queued.body.taskID, admin);
      assertGrommunioShape('/tasq/tasks/{ID}', 'GET', 200, task.body);
      assert.equal(task.body.state, TaskState.completed);
      assert.equal(task.body.command, 'ldapSync');
      assert.deepEqual(task.body.params.result, sync.body.data);
      assert.equal(task.body.message, task.body.message.slice(0, 1000));
    });

    test('a second downsync while one runs answers with the running task', async () => {
      slapd.add(bulkPeople(600, `ou=people,dc=example,dc=org`).map((e) => ({ ...e, dn: e.dn.replace('uid=user', 'uid=more'), mail: String(e.mail).replace('user', 'more') })));
      const first = await api.call('POST', `/domains/${domain1}/ldap/downsync?timeout=0&import=true`, { session: admin });
      const second = await api.call('POST', `/domains/${domain1}/ldap/downsync?timeout=0&import=true`, { session: domainAdmin });
      assert.equal(first.status, 202);
      assert.equal(second.status, 202);
      assert.equal(second.body.taskID, first.body.taskID);
      assert.match(second.body.message, /already running as background task/);
      const done = await pollTask(first.body.taskID, admin);
      assert.equal(done.body.state, TaskState.completed);
      assert.equal(done.body.params.result.filter((o: { code: number }) => o.code === 201).length, 600);
    });

    test('a missing or wrong CSRF token gives 401 and runs nothing', async () => {
      const tasksBefore = (await t.store.tasks.list({ all: true, domainIds: [] }, 1000, 0)).length;
      const missing = await api.call('POST', `/domains/${domain1}/ldap/downsync`, { session: admin, csrf: null });
      assert.equal(missing.status, 401);
      assert.deepEqual(missing.body, { message: 'Access denied', error: 'Invalid or missing CSRF token' });
      const wrong = await api.call('POST', `/domains/${domain1}/ldap/downsync`, { session: admin, csrf: domainAdmin.csrf });
      assert.equal(wrong.status, 401);
      const none = await api.call('POST', `/domains/${domain1}/ldap/downsync`);
      assert.deepEqual([none.status, none.body], [401, { message: 'Access denied', error: 'No token provided' }]);
      const forged = await api.call('POST', `/domains/${domain1}/ldap/downsync`, { session: { ...admin, cookie: `grommunioAuthJwt=${admin.jwt.slice(0, -4)}AAAA` } });
      assert.deepEqual([forged.status, forged.body.error], [401, 'Invalid token signature']);
      assert.equal((await t.store.tasks.list({ all: true, domainIds: [] }, 1000, 0)).length, tasksBefore);
    });

    test('DomainAdmin(1) gets 403 on domain 2 and sees nothing of it', async () => {
      const r = await api.call('POST', `/domains/${domain2}/ldap/downsync`, { session: domainAdmin });
      assert.equal(r.status, 403);
      assert.match(r.body.message, /^Access denied/);
      assert.equal((await api.call('GET', `/domains/${domain2}/users`, { session: domainAdmin })).status, 403);
      assert.equal((await api.call('POST', '/domains/ldap/downsync', { session: domainAdmin })).status, 403);
      assert.equal((await api.call('GET', '/system/mconf/ldap', { session: domainAdmin })).status, 403);
      assert.equal((await api.call('POST', `/domains/999/ldap/downsync`, { session: domainAdmin })).status, 403, 'no probing of domain IDs');
      const domains = await api.call('GET', '/domains', { session: domainAdmin });
      assert.deepEqual(domains.body.data.map((d: { ID: number }) => d.ID), [domain1]);
      const search = await api.call('GET', '/domains/ldap/search?query=example', { session: domainAdmin });
      assert.equal(search.status, 200);
      assert.ok(search.body.data.every((h: { email: string }) => h.email.endsWith('@example.org')));
      assert.equal((await api.call('GET', `/domains/ldap/search?query=olga&domain=${domain2}`, { session: domainAdmin })).status, 403);
      const otherTask = await t.store.tasks.create({ command: 'ldapSync', params: { domainID: domain2 }, domainId: domain2, orgId: null, owner: 'admin' });
      await t.store.tasks.update(otherTask.id, { state: TaskState.completed });
      assert.equal((await api.call('GET', `/tasq/tasks/${otherTask.id}`, { session: domainAdmin })).status, 404);
      const list = await api.call('GET', '/tasq/tasks', { session: domainAdmin });
      assert.ok(list.body.data.every((task: { ID: number }) => task.ID !== otherTask.id));
    });

    test('an unknown domain gives 404; bad parameters give 400 with an errors list', async () => {
      const unknown = await api.call('POST', '/domains/999/ldap/downsync', { session: admin });
      assert.equal(unknown.status, 404);
      assertGrommunioShape('/domains/{domainID}/ldap/downsync', 'POST', 404, unknown.body);
      const bad = await api.call('POST', `/domains/${domain1}/ldap/downsync?timeout=abc&import=maybe&lang=${encodeURIComponent('x y')}`, { session: admin });
      assert.equal(bad.status, 400);
      assertGrommunioShape('/domains/{domainID}/ldap/downsync', 'POST', 400, bad.body);
      assert.equal(bad.body.message, 'Bad Request');
      assert.equal(bad.body.errors.length, 3, JSON.stringify(bad.body.errors));
      const huge = await api.call('POST', `/domains/${domain1}/ldap/downsync?timeout=100000`, { session: admin });
      assert.equal(huge.status, 400);
      assert.equal((await api.call('POST', '/domains/abc/ldap/downsync', { session: admin })).status, 400);
    });

    test('a stopped slapd gives 503 and changes nothing', async () => {
      const before = await snapshot();
      await slapd.stop();
      try {
        const r = await api.call('POST', `/domains/${domain1}/ldap/downsync?timeout=10&import=true`, { session: admin });
        assert.equal(r.status, 503);
        assertGrommunioShape('/domains/{domainID}/ldap/downsync', 'POST', 503, r.body);
        assert.match(r.body.message, /Directory unavailable/);
        const queued = await api.call('POST', `/domains/${domain1}/ldap/downsync?timeout=0`, { session: admin });
        const task = await pollTask(queued.body.taskID, admin);
        assert.equal(task.body.state, TaskState.error);
        assert.match(task.body.message, /Directory unavailable/);
      } finally { await slapd.start(); }
      assert.deepEqual(await snapshot(), before);
    });

    test('cancel stops a run at the next batch: each user as before or fully updated, nobody deactivated', async () => {
      let changes = '';
      for (let i = 3; i <= 600; i += 3) changes += `dn: uid=more${String(i).padStart(3, '0')},${PEOPLE}\nchangetype: modify\nreplace: cn\ncn: Changed ${i}\n\n`;
      slapd.modify(changes);
      const queued = await api.call('POST', `/domains/${domain1}/ldap/downsync?timeout=0`, { session: admin });
      // Cancelled once taken by the runner: a cancel while still queued would end it before any run.
      for (let i = 0; i < 2000 && (await t.store.tasks.get(queued.body.taskID))!.state === TaskState.queued; i++) await sleep(2);
      const cancel = await api.call('POST', `/tasq/tasks/${queued.body.taskID}/cancel`, { session: admin });
      assert.equal(cancel.status, 200);
      const task = await pollTask(queued.body.taskID, admin);
      const users = await snapshot();
      assert.ok(users.every((u) => u.status === 'active'));
      for (const u of users.filter((x) => x.username.startsWith('more'))) {
        const n = Number(u.username.slice(4, 7));
        if (n % 3 !== 0) continue;
        assert.ok(u.displayName === `Changed ${n}` || u.displayName === `Bulk User ${String(n).padStart(3, '0')}`, `${u.username} is either as before or fully updated`);
      }
      assert.equal(task.body.state, TaskState.cancelled);
      const [runId] = await t.store.runs.idsForTask(queued.body.taskID);
      const run = (await t.store.runs.get(runId!))!;
      assert.equal(run.status, 'cancelled');
      assert.ok(run.entriesSeen < 645, `stopped early: ${run.entriesSeen} entries seen`);
      assert.equal(run.counts.deactivated, 0);
    });

    test('the bind password appears in no response', async () => {
      const config = await api.call('GET', '/system/mconf/ldap', { session: admin });
      assertGrommunioShape('/system/mconf/ldap', 'GET', 200, config.body);
      assert.equal(config.body.data.connection.bindPass, undefined);
      const leaked = api.bodies.filter((b) => b.includes(SYNC_PW));
      assert.deepEqual(leaked, []);
    });

    // The answers above were checked against grommunio's schema as they came; without the file
    // those checks are only recorded, and this test reports them as skipped, with the reason.
    test("answers fit grommunio's published OpenAPI schema", { skip: grommunioSpecMissing }, () => {
      assert.deepEqual(uncheckedShapes, []);
    });
  });
}
