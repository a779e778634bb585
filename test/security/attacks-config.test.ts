/**
 * The configuration doors tried as a tenant admin who wants more than their tenant, against a
 * real slapd over real HTTP: a stored bind password sent to another server, a file path that is
 * a device or a FIFO, probes of this server's ports and files, timeouts and schedules that tie
 * the service up, domain names that reach other people's entries, prototype keys, deep JSON,
 * authorization refusals that looked like outages, and a bulk orphan delete after a filter mistake.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlapd, SYNC_PW, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { startApi, type Session, type TestApi } from '../support/api.ts';
import { bulkPeople } from '../fixtures/people.ts';
import { createAdmin } from '../../src/auth/admins.ts';
import { TENANT_TEST_FAILURE } from '../../src/services/test-answers.ts';

/** A server that takes connections and records every byte sent to it, answering nothing. */
async function listener(): Promise<{ url: string; received: () => string; close(): Promise<void> }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => { sockets.add(socket); socket.on('data', (d) => chunks.push(d)); socket.on('error', () => undefined); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `ldap://127.0.0.1:${port}`,
    received: () => Buffer.concat(chunks).toString('latin1'),
    close: () => { for (const s of sockets) s.destroy(); return new Promise((r) => server.close(() => r())); },
  };
}

describe('configuration attacks by tenant admins', () => {
  let slapd: Slapd;
  let t: TestStore;
  let api: TestApi;
  let admin: Session;
  let boss: Session;
  let reader: Session;
  let dom1: Session;
  let files: string;
  let orgId: number;
  const orgSource = () => sourceConfig(slapd, { connection: { server: slapd.ldapsUrl, caFile: slapd.caFile } });
  const publicView = (config: Record<string, unknown>) => ({ ...config, connection: { ...(config.connection as object), bindPass: undefined } });

  before(async () => {
    slapd = await startSlapd({ entries: bulkPeople(20) });
    files = mkdtempSync(join(tmpdir(), 'ldapsync-attack-'));
    t = await storeVariants()[0]!.open();
    await t.store.domains.create({ name: 'example.org' });
    const org = await t.store.organizations.create('Tenant');
    orgId = org.id;
    await t.store.domains.create({ name: 'tenant.example', orgId: org.id });
    await t.store.sources.set(0, sourceConfig(slapd));
    await t.store.sources.set(org.id, orgSource());
    api = await startApi(t);
    await createAdmin(t.store, 'orgboss', 'org-boss-password', [{ permission: 'OrgAdmin', param: String(org.id) }]);
    await createAdmin(t.store, 'reader', 'reader-password', [{ permission: 'SystemAdminRO', param: '' }]);
    await createAdmin(t.store, 'dom1', 'domain-one-password', [{ permission: 'DomainAdmin', param: '1' }]);
    admin = await api.login('admin', 'correct-horse-battery');
    boss = await api.login('orgboss', 'org-boss-password');
    reader = await api.login('reader', 'reader-password');
    dom1 = await api.login('dom1', 'domain-one-password');
    assert.equal((await api.call('POST', '/domains/1/ldap/downsync?import=true&timeout=20', { session: admin })).status, 200);
  });
  after(async () => { await api?.close(); await slapd?.destroy(); await t?.cleanup(); rmSync(files, { recursive: true, force: true }); });

  test('2. the stored bind password goes to no other server, by test, by save or through Rocket.Chat settings', async () => {
    const trap = await listener();
    try {
      const elsewhere = { ...publicView(orgSource()), connection: { ...publicView(orgSource()).connection, server: trap.url, caFile: undefined } };
      const tested = await api.call('POST', `/system/orgs/${orgId}/ldap/test`, { session: boss, json: elsewhere });
      assert.equal(tested.status, 400);
      assert.match(tested.body.errors.join(' '), /bindPass is required/);
      const saved = await api.call('PUT', `/system/orgs/${orgId}/ldap?force=true`, { session: boss, json: elsewhere });
      assert.equal(saved.status, 400);
      const asSystemAdmin = await api.call('POST', '/system/mconf/ldap/test', { session: admin, json: { ...publicView(sourceConfig(slapd)), connection: { ...publicView(sourceConfig(slapd)).connection, server: trap.url } } });
      assert.equal(asSystemAdmin.status, 400, 'not even for a SystemAdmin: the password was set for another server');
      const token = await api.call('POST', '/login', { json: { user: 'admin', password: 'correct-horse-battery' } });
      const rcHeaders = { 'x-auth-token': token.body.data.authToken, 'x-user-id': token.body.data.userId };
      const port = await api.call('POST', '/settings/LDAP_Port', { headers: rcHeaders, json: { value: Number(new URL(trap.url).port) } });
      assert.equal(port.status, 400, 'changing the port drops the stored password, which LDAP, being on, needs');
      assert.match(port.body.error, /bindPass is required/);
      assert.equal((await api.call('POST', '/ldap.testConnection', { headers: rcHeaders })).status, 200, 'the stored source still points at the directory');
      assert.ok(!trap.received().includes(SYNC_PW), 'the password never reached the other server');
    } finally { await trap.close(); }
    // The same server, TLS settings and bind DN keep it, also when grommunio's form sends it back empty.
    const same = { ...publicView(sourceConfig(slapd)), connection: { ...publicView(sourceConfig(slapd)).connection, bindPass: '' } };
    assert.equal((await api.call('PUT', '/system/mconf/ldap', { session: admin, json: same })).status, 200);
    assert.equal((await api.call('POST', '/domains/1/ldap/downsync?timeout=20', { session: admin })).status, 200);
  });

  test('4. a file path cannot be a device, a FIFO or a large file, and only a SystemAdmin may name one', async () => {
    const withCa = (caFile: string | undefined, extra: Record<string, unknown> = {}) => ({ ...orgSource(), connection: { ...(orgSource().connection as object), caFile, ...extra } });
    const byBoss = await api.call('POST', `/system/orgs/${orgId}/ldap/test`, { session: boss, json: withCa('/etc/passwd') });
    assert.equal(byBoss.status, 403);
    assert.match(byBoss.body.message, /caPem/);
    assert.equal((await api.call('PUT', `/system/orgs/${orgId}/ldap?force=true`, { session: boss, json: withCa('/dev/zero') })).status, 403);
    const pem = readFileSync(slapd.caFile, 'utf8');
    const pasted = await api.call('POST', `/system/orgs/${orgId}/ldap/test`, { session: boss, json: withCa(undefined, { caPem: pem }) });
    assert.deepEqual([pasted.status, pasted.body.ok], [200, true], 'the CA pasted as PEM text works');
    assert.equal((await api.call('POST', `/system/orgs/${orgId}/ldap/test`, { session: boss, json: withCa(undefined, { caPem: 'not a certificate' }) })).status, 400);

    const fifo = join(files, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const big = join(files, 'big.pem');
    writeFileSync(big, Buffer.alloc(2 * 1024 * 1024, 65));
    for (const [file, reason] of [['/dev/zero', /not a regular file/], [fifo, /not a regular file/], [big, /larger than/], ['/nonexistent/ca.pem', /cannot be opened/]] as const) {
      const started = Date.now();
      const r = await api.call('POST', `/system/orgs/${orgId}/ldap/test`, { session: admin, json: withCa(file) });
      assert.equal(r.status, 200);
      assert.equal(r.body.ok, false);
      assert.match(r.body.message, reason);
      assert.ok(Date.now() - started < 5000, `${file} answered at once`);
    }
    // Saved by a SystemAdmin anyway, the bad file fails that tenant's sync with its reason; the process lives on.
    assert.equal((await api.call('PUT', `/system/orgs/${orgId}/ldap?force=true`, { session: admin, json: withCa('/dev/zero') })).status, 200);
    const sync = await api.call('POST', '/domains/2/ldap/downsync?import=true&timeout=20', { session: admin });
    assert.equal(sync.status, 503);
    assert.match(sync.body.message, /not a regular file/);
    assert.equal((await api.call('GET', '/ldapsync/sources', { session: admin })).status, 200);
    await t.store.sources.set(orgId, orgSource());
  });

  test('19. a tenant admin\'s failed tests all answer alike: no map of ports or files', async () => {
    const trap = await listener();
    const closed = await listener();
    await closed.close();
    try {
      const answers = [];
      for (const server of [trap.url, closed.url, 'ldap://127.0.0.1:5432']) {
        const config = { ...orgSource(), connection: { ...(orgSource().connection as object), server, caFile: undefined, caPem: readFileSync(slapd.caFile, 'utf8'), timeout: 2, connectTimeout: 2 } };
        const r = await api.call('POST', `/system/orgs/${orgId}/ldap/test`, { session: boss, json: config });
        answers.push([r.status, r.body.ok, r.body.message]);
      }
      for (const a of answers) assert.deepEqual(a, [200, false, TENANT_TEST_FAILURE]);
      // A config saved anyway: searches, checks and syncs of it name the failure, not its cause.
      const config = { ...orgSource(), connection: { ...(orgSource().connection as object), server: closed.url, caFile: undefined, caPem: readFileSync(slapd.caFile, 'utf8') } };
      assert.equal((await api.call('PUT', `/system/orgs/${orgId}/ldap?force=true`, { session: boss, json: config })).status, 200);
      const expected = `Directory unavailable: ${TENANT_TEST_FAILURE}`;
      const search = await api.call('GET', '/domains/ldap/search?query=user&domain=2', { session: boss });
      assert.deepEqual([search.status, search.body.message], [503, expected]);
      const check = await api.call('GET', '/domains/ldap/check?domain=2', { session: boss });
      assert.deepEqual([check.status, check.body.message], [503, expected]);
      const sync = await api.call('POST', '/domains/2/ldap/downsync?timeout=20', { session: boss });
      assert.equal(sync.status, 503);
      assert.ok(sync.body.message.endsWith(expected), sync.body.message);
      const tasks = await api.call('GET', '/tasq/tasks', { session: boss });
      assert.ok(tasks.body.data.every((task: { message: string }) => !/ECONNREFUSED|127\.0\.0\.1/.test(task.message)), 'no cause in the task list');
      const asSystemAdmin = await api.call('GET', '/domains/ldap/search?query=user&domain=2', { session: admin });
      assert.match(asSystemAdmin.body.message, /127\.0\.0\.1|ECONNREFUSED|refused/i, 'a SystemAdmin sees the cause');
    } finally { await trap.close(); await t.store.sources.set(orgId, orgSource()); }
    // Other tenants' domain names: taken or not, the answer is the same refusal.
    const taken = await api.call('POST', '/system/domains', { session: boss, json: { domainname: 'example.org', orgID: orgId } });
    const fresh = await api.call('POST', '/system/domains', { session: boss, json: { domainname: 'fresh.example', orgID: orgId } });
    assert.deepEqual([taken.status, taken.body], [fresh.status, fresh.body]);
  });

  test('10. a tenant admin cannot create a domain, so cannot reach the people of another mail domain', async () => {
    const r = await api.call('POST', '/system/domains', { session: boss, json: { domainname: 'victim.example', orgID: orgId } });
    assert.equal(r.status, 403);
    assert.equal(await t.store.domains.byName('victim.example'), undefined);
    assert.equal((await api.call('POST', '/system/domains', { session: admin, json: { domainname: 'victim.example', orgID: orgId } })).status, 201);
  });

  test('21. a test, a search or a failover holds a request for at most 30 s, and tenants cannot schedule a sync every second', async () => {
    const silent = await listener();
    const other = await listener();
    const pem = readFileSync(slapd.caFile, 'utf8');
    try {
      const toSilent = (server: string, extra: Record<string, unknown> = {}) => ({ ...orgSource(), connection: { ...(orgSource().connection as object), server, caFile: undefined, caPem: pem, timeout: 3600, connectTimeout: 600, ...extra } });
      const tarpits = `${silent.url.replace('ldap://', 'ldaps://')} ${other.url.replace('ldap://', 'ldaps://')}`;
      assert.equal((await api.call('PUT', `/system/orgs/${orgId}/ldap?force=true`, { session: boss, json: toSilent(silent.url.replace('ldap://', 'ldaps://')) })).status, 200);
      const started = Date.now();
      const [tested, failover, searched] = await Promise.all([
        api.call('POST', `/system/orgs/${orgId}/ldap/test`, { session: boss, json: toSilent(silent.url.replace('ldap://', 'ldaps://')) }),
        api.call('POST', `/system/orgs/${orgId}/ldap/test`, { session: boss, json: toSilent(tarpits) }),
        api.call('GET', '/domains/ldap/search?query=user&domain=2', { session: boss }),
      ]);
      assert.equal(tested.body.ok, false);
      assert.equal(failover.body.ok, false, 'two silent servers: one deadline for the whole test');
      assert.equal(searched.status, 503);
      assert.ok(Date.now() - started < 40_000, `answered after ${Date.now() - started} ms`);
      assert.equal((await api.call('POST', `/system/orgs/${orgId}/ldap/test`, { session: boss, json: toSilent(Array.from({ length: 11 }, () => silent.url).join(' ')) })).status, 400, 'at most ten servers');
    } finally { await silent.close(); await other.close(); await t.store.sources.set(orgId, orgSource()); }
    const everySecond = { ...orgSource(), schedule: '* * * * * *' };
    const refused = await api.call('PUT', `/system/orgs/${orgId}/ldap?force=true`, { session: boss, json: everySecond });
    assert.equal(refused.status, 400);
    assert.match(refused.body.errors.join(' '), /more often than once a minute/);
    assert.equal((await api.call('PUT', `/system/orgs/${orgId}/ldap?force=true`, { session: boss, json: { ...orgSource(), schedule: '*/5 * * * *' } })).status, 200, 'every five minutes is fine');
    assert.equal((await api.call('PUT', `/system/orgs/${orgId}/ldap?force=true`, { session: admin, json: { ...orgSource(), schedule: '*/10 * * * * *' } })).status, 200, 'a SystemAdmin may');
    await t.store.sources.set(orgId, orgSource());
    await api.ctx.queue.syncSchedules();
  });

  test('20. refusals about rights answer 403, not "LDAP is not configured"', async () => {
    const imported = await api.call('POST', '/domains/ldap/importUser?ID=AAAA&domain=1', { session: reader });
    assert.equal(imported.status, 403);
    const viaOrg = await api.call('POST', '/domains/ldap/importUser?ID=AAAA&organization=0', { session: reader });
    assert.equal(viaOrg.status, 403);
    const otherOrg = await api.call('GET', `/domains/ldap/search?query=user&organization=${orgId}`, { session: dom1 });
    assert.equal(otherOrg.status, 403);
  });

  test('16, 17. prototype keys are neither files nor settings; JSON nested 10,000 deep is a 400', async () => {
    for (const name of ['constructor', '__proto__', 'hasOwnProperty', 'toString']) {
      const r = await fetch(`${api.url.replace('/api/v1', '')}/assets/${name}`);
      assert.equal(r.status, 404, `/assets/${name}`);
    }
    const token = await api.call('POST', '/login', { json: { user: 'admin', password: 'correct-horse-battery' } });
    const rcHeaders = { 'x-auth-token': token.body.data.authToken, 'x-user-id': token.body.data.userId };
    for (const name of ['__proto__', 'constructor', 'valueOf']) {
      assert.equal((await api.call('GET', `/settings/${name}`, { headers: rcHeaders })).status, 400, `GET /settings/${name}`);
      assert.equal((await api.call('POST', `/settings/${name}`, { headers: rcHeaders, json: { value: 1 } })).status, 400, `POST /settings/${name}`);
    }
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const grommunio = await fetch(`${api.url}/system/mconf/ldap?force=true`, { method: 'PUT', headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' }, body: `{"connection":${deep}}` });
    assert.equal(grommunio.status, 400);
    assert.match(((await grommunio.json()) as { errors: string[] }).errors.join(' '), /nested deeper/);
    const rocket = await fetch(`${api.url}/settings/LDAP_BaseDN`, { method: 'POST', headers: { ...rcHeaders, 'content-type': 'application/json' }, body: `{"value":${deep}}` });
    assert.equal(rocket.status, 400);
    assert.equal(((await rocket.json()) as { success: boolean }).success, false);
  });

  test('9. after a filter mistake, a bulk orphan delete deletes nobody; one user by ID still can be', async () => {
    const before = (await t.store.users.list({ domainId: 1, limit: 100, offset: 0 })).total;
    await t.store.sources.set(0, sourceConfig(slapd, { users: { filter: '(uid=user001)' } }));
    const held = await api.call('POST', '/domains/1/ldap/downsync?timeout=20', { session: admin });
    assert.equal(held.status, 202, 'the sync holds its deactivations for approval');
    const check = await api.call('GET', '/domains/ldap/check?domain=1', { session: admin });
    assert.equal(check.body.orphaned.length, before - 1);
    const bulk = await api.call('DELETE', '/domains/ldap/check?domain=1', { session: admin });
    assert.equal(bulk.status, 409);
    assert.match(bulk.body.message, /Nothing deleted: run #\d+ of example.org holds deactivations/);
    assert.equal((await t.store.users.list({ domainId: 1, limit: 100, offset: 0 })).total, before);
    // With the held run rejected, the threshold itself still guards the bulk delete.
    const task = held.body.taskID;
    assert.equal((await api.call('POST', `/tasq/tasks/${task}/reject`, { session: admin })).status, 200);
    const again = await api.call('DELETE', '/domains/ldap/check?domain=1', { session: admin });
    assert.equal(again.status, 409);
    assert.match(again.body.message, /more than the deletion threshold/);
    const one = check.body.orphaned[0];
    const single = await api.call('DELETE', `/domains/ldap/check?domain=1&userID=${one.ID}`, { session: admin });
    assert.deepEqual([single.status, single.body.deleted.map((d: { ID: number }) => d.ID)], [200, [one.ID]]);
    assert.equal((await t.store.users.list({ domainId: 1, limit: 100, offset: 0 })).total, before - 1);
    await t.store.sources.set(0, sourceConfig(slapd));
  });
});
