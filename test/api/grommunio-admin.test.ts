/**
 * The grommunio surface around the downsync, over real HTTP against a real slapd:
 * organizations, domains, users, LDAP configuration, search, import, orphans, dump, tasks.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, startSlapd, SYNC_PW, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { startApi, type Session, type TestApi } from '../support/api.ts';
import { assertGrommunioShape, grommunioSpecMissing, uncheckedShapes } from '../support/grommunio-openapi.ts';
import { bulkPeople, namedPeople, PEOPLE } from '../fixtures/people.ts';
import { createAdmin } from '../../src/auth/admins.ts';
import { TaskState } from '../../src/domain/task.ts';
import { EmbeddedQueue, INTERRUPTED } from '../../src/tasks/embedded-queue.ts';

const variant = storeVariants()[0]!;

describe('grommunio admin API', () => {
  let slapd: Slapd;
  let t: TestStore;
  let api: TestApi;
  let admin: Session;
  let domainId: number;

  before(async () => {
    slapd = await startSlapd({ entries: [...namedPeople, ...bulkPeople(20)] });
    t = await variant.open();
    api = await startApi(t);
    admin = await api.login('admin', 'correct-horse-battery');
  });
  after(async () => { await api?.close(); await slapd?.destroy(); await t?.cleanup(); });

  test('organizations and domains: create, read, change, list, delete; OpenAPI shapes', async () => {
    const org = await api.call('POST', '/system/orgs', { session: admin, json: { name: 'Acme', description: 'test org' } });
    assert.equal(org.status, 201);
    const orgs = await api.call('GET', '/system/orgs', { session: admin });
    assertGrommunioShape('/system/orgs', 'GET', 200, orgs.body);
    assert.deepEqual(orgs.body.data.map((o: { name: string }) => o.name), ['Acme']);
    const created = await api.call('POST', '/system/domains', { session: admin, json: { domainname: 'Example.org', orgID: org.body.ID } });
    assert.equal(created.status, 201, created.text);
    domainId = created.body.ID;
    assert.equal(created.body.domainname, 'example.org');
    assert.equal((await api.call('POST', '/system/domains', { session: admin, json: { domainname: 'example.org' } })).status, 409);
    const bad = await api.call('POST', '/system/domains', { session: admin, json: { domainname: 'not a domain!' } });
    assert.equal(bad.status, 400);
    assertGrommunioShape('/system/domains', 'POST', 400, bad.body);
    const other = await api.call('POST', '/system/domains', { session: admin, json: { domainname: 'other.example' } });
    const list = await api.call('GET', '/system/domains', { session: admin });
    assertGrommunioShape('/system/domains', 'GET', 200, list.body);
    assert.equal(list.body.data.length, 2);
    const mine = await api.call('GET', '/domains', { session: admin });
    assertGrommunioShape('/domains', 'GET', 200, mine.body);
    const patched = await api.call('PATCH', `/system/domains/${other.body.ID}`, { session: admin, json: { title: 'Other' } });
    assert.equal(patched.body.title, 'Other');
    assert.equal((await api.call('DELETE', `/system/orgs/${org.body.ID}`, { session: admin })).status, 409, 'an organization with domains stays');
    assert.equal((await api.call('DELETE', `/system/domains/${other.body.ID}`, { session: admin })).status, 200);
    const audit = await t.store.audit.list(20);
    assert.ok(audit.some((e) => e.action === 'domain.update' && e.actor === 'admin'));
  });

  test('LDAP configuration: validated, connection-tested, bindPass write-only and kept when omitted', async () => {
    const invalid = await api.call('PUT', '/system/mconf/ldap', { session: admin, json: { connection: { server: 'ldaps://127.0.0.1', starttls: true }, baseDn: '' } });
    assert.equal(invalid.status, 400);
    assertGrommunioShape('/system/mconf/ldap', 'PUT', 400, invalid.body);
    assert.ok(invalid.body.errors.some((e: string) => /baseDn is required/.test(e)));
    const dead = sourceConfig(slapd, { connection: { server: `ldap://127.0.0.1:${await freePort()}` } });
    const untested = await api.call('PUT', '/system/mconf/ldap', { session: admin, json: dead });
    assert.equal(untested.status, 400);
    assert.match(untested.body.message, /connection test failed/);
    assert.equal((await api.call('PUT', '/system/mconf/ldap?force=true', { session: admin, json: dead })).status, 200);
    assert.equal((await api.call('PUT', '/system/mconf/ldap', { session: admin, json: sourceConfig(slapd) })).status, 200);
    const withoutPassword = sourceConfig(slapd);
    delete (withoutPassword.connection as Record<string, unknown>).bindPass;
    assert.equal((await api.call('PUT', '/system/mconf/ldap', { session: admin, json: withoutPassword })).status, 200, 'the stored password is kept');
    const shown = await api.call('GET', '/system/mconf/ldap', { session: admin });
    assert.equal(shown.body.ldapAvailable, true);
    assert.equal(shown.body.data.connection.bindPass, undefined);
    assert.equal(((await t.store.sources.get(0))!.connection as Record<string, unknown>).bindPass, SYNC_PW);
    assert.ok((await t.store.audit.list(50)).every((e) => !JSON.stringify(e).includes(SYNC_PW)), 'no secret in the audit log');
  });

  test('an organization override is used by its domains, and OrgAdmin may edit only its own', async () => {
    const orgId = (await t.store.domains.get(domainId))!.orgId;
    assert.equal((await api.call('GET', `/system/orgs/${orgId}/ldap`, { session: admin })).body.ldapAvailable, false);
    assert.equal((await api.call('PUT', `/system/orgs/${orgId}/ldap`, { session: admin, json: sourceConfig(slapd, { pageSize: 5 }) })).status, 200);
    assert.equal((await api.call('GET', `/system/orgs/${orgId}/ldap`, { session: admin })).body.data.pageSize, 5);
    await createAdmin(t.store, 'orgboss', 'org-boss-password', [{ permission: 'OrgAdmin', param: String(orgId) }]);
    const boss = await api.login('orgboss', 'org-boss-password');
    assert.equal((await api.call('GET', `/system/orgs/${orgId}/ldap`, { session: boss })).status, 200);
    assert.equal((await api.call('GET', '/system/mconf/ldap', { session: boss })).status, 403);
    const run = await api.call('POST', `/system/orgs/${orgId}/ldap/downsync?import=true&timeout=10`, { session: boss });
    assert.equal(run.status, 200, run.text);
    assert.equal(run.body.data.filter((o: { code: number }) => o.code === 201).length, 24);
  });

  test('users: paged list, one user, detach with ldapID null, status set by an admin stays', async () => {
    const list = await api.call('GET', `/domains/${domainId}/users?limit=5&offset=0&match=user01`, { session: admin });
    assertGrommunioShape('/domains/{domainID}/users', 'GET', 200, list.body);
    assert.equal(list.body.count, 10);
    assert.equal(list.body.data.length, 5);
    const one = list.body.data[0];
    const got = await api.call('GET', `/domains/${domainId}/users/${one.ID}`, { session: admin });
    assertGrommunioShape('/domains/{domainID}/users/{userID}', 'GET', 200, got.body);
    assert.equal(got.body.ldapID.length, 36);
    const off = await api.call('PATCH', `/domains/${domainId}/users/${one.ID}`, { session: admin, json: { status: 1 } });
    assert.equal(off.body.status, 1);
    await api.call('POST', `/domains/${domainId}/ldap/downsync?timeout=10`, { session: admin });
    assert.equal((await t.store.users.get(one.ID))!.status, 'deactivated', 'the sync does not undo an admin');
    const detached = await api.call('PATCH', `/domains/${domainId}/users/${one.ID}`, { session: admin, json: { ldapID: null } });
    assert.equal(detached.status, 200);
    assert.equal(detached.body.ldapID, undefined);
    assert.equal((await api.call('PATCH', `/domains/${domainId}/users/${one.ID}`, { session: admin, json: { username: 'x' } })).status, 400);
    const names = await api.call('GET', '/users?limit=3', { session: admin });
    assertGrommunioShape('/users', 'GET', 200, names.body);
    assert.equal(names.body.data.length, 3);
  });

  test('search, dump and importUser, with ldapID round-tripping', async () => {
    const search = await api.call('GET', '/domains/ldap/search?query=user00', { session: admin });
    assertGrommunioShape('/domains/ldap/search', 'GET', 200, search.body);
    assert.equal(search.body.data.length, 9);
    assert.equal((await api.call('GET', '/domains/ldap/search?query=ab', { session: admin })).status, 400, 'query needs 3 characters');
    const detachedUser = (await t.store.users.list({ domainId, linked: false, limit: 1, offset: 0 })).users[0]!;
    const hit = (await api.call('GET', `/domains/ldap/search?query=${encodeURIComponent(detachedUser.username.split('@')[0]!)}`, { session: admin })).body.data[0];
    const dump = await api.call('GET', `/domains/ldap/dump?ID=${encodeURIComponent(hit.ID)}`, { session: admin });
    assertGrommunioShape('/domains/ldap/dump', 'GET', 200, dump.body);
    assert.match(dump.body.data, /^dn: uid=/);
    const refused = await api.call('POST', `/domains/ldap/importUser?ID=${encodeURIComponent(hit.ID)}`, { session: admin });
    assert.equal(refused.status, 409, 'a local user of that name is not taken over');
    const forced = await api.call('POST', `/domains/ldap/importUser?ID=${encodeURIComponent(hit.ID)}&force=true`, { session: admin });
    assert.equal(forced.status, 200, forced.text);
    assert.equal(forced.body.ID, detachedUser.id);
    assert.equal(forced.body.ldapID, hit.ID);
    slapd.add([{ dn: `uid=fresh,${PEOPLE}`, objectClass: ['inetOrgPerson'], uid: 'fresh', cn: 'Fresh Person', sn: 'Person', mail: 'fresh@example.org' }]);
    const freshHit = (await api.call('GET', '/domains/ldap/search?query=fresh', { session: admin })).body.data[0];
    const imported = await api.call('POST', `/domains/ldap/importUser?ID=${encodeURIComponent(freshHit.ID)}&lang=de_DE`, { session: admin });
    assert.equal(imported.status, 201, imported.text);
    assertGrommunioShape('/domains/ldap/importUser', 'POST', 201, imported.body);
    assert.equal(imported.body.properties.language, 'de_DE');
    assert.equal((await api.call('GET', '/domains/ldap/dump?ID=nope', { session: admin })).status, 404);
    assert.equal((await api.call('GET', '/domains/ldap/dump?ID=%5Czz', { session: admin })).status, 400);
  });

  test('single-user downsync, and orphans: found by a full scan, deleted only when linked', async () => {
    const user = (await t.store.users.byUsername('user002@example.org'))!;
    slapd.modify(`dn: uid=user002,${PEOPLE}\nchangetype: modify\nreplace: cn\ncn: Only Me\n\n`);
    const one = await api.call('PUT', `/domains/${domainId}/users/${user.id}/downsync`, { session: admin });
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.properties.displayname, 'Only Me');
    const local = (await t.store.users.list({ domainId, linked: false, limit: 5, offset: 0 })).users;
    slapd.remove(`uid=user003,${PEOPLE}`);
    const gone = (await t.store.users.byUsername('user003@example.org'))!;
    const single = await api.call('PUT', `/domains/${domainId}/users/${gone.id}/downsync`, { session: admin });
    assert.equal(single.status, 404);
    assert.equal((await t.store.users.get(gone.id))!.status, 'active', 'one lookup deactivates nobody');
    const check = await api.call('GET', `/domains/ldap/check?domain=${domainId}`, { session: admin });
    assertGrommunioShape('/domains/ldap/check', 'GET', 200, check.body);
    assert.deepEqual(check.body.orphaned, [{ ID: gone.id, username: gone.username, displayname: gone.displayName, status: 0 }], 'with what admin-web\'s dialog shows');
    const deleted = await api.call('DELETE', `/domains/ldap/check?domain=${domainId}`, { session: admin });
    assertGrommunioShape('/domains/ldap/check', 'DELETE', 200, deleted.body);
    assert.deepEqual(deleted.body.deleted, [{ ID: gone.id, username: gone.username }]);
    for (const u of local) assert.ok(await t.store.users.get(u.id), 'local users are never orphans');
  });

  test('tasks: status, list, detail, delete only when finished', async () => {
    const status = await api.call('GET', '/tasq/status', { session: admin });
    assertGrommunioShape('/tasq/status', 'GET', 200, status.body);
    assert.equal(status.body.running, true);
    const list = await api.call('GET', '/tasq/tasks', { session: admin });
    assertGrommunioShape('/tasq/tasks', 'GET', 200, list.body);
    const finished = list.body.data.find((x: { state: number }) => x.state === TaskState.completed);
    assert.ok(finished);
    assert.equal((await api.call('GET', '/tasq/tasks/424242', { session: admin })).status, 404);
    const running = await t.store.tasks.create({ command: 'ldapSync', params: {}, domainId, orgId: null, owner: 'x' });
    await t.store.tasks.update(running.id, { state: TaskState.running });
    assert.equal((await api.call('DELETE', `/tasq/tasks/${running.id}`, { session: admin })).status, 400);
    await t.store.tasks.update(running.id, { state: TaskState.error });
    assert.equal((await api.call('DELETE', `/tasq/tasks/${finished.ID}`, { session: admin })).status, 200);
  });

  test('a run crossing the deactivation threshold waits for approval; approve and reject by task', async () => {
    const saved = (await t.store.sources.get(0))!;
    const orgId = (await t.store.domains.get(domainId))!.orgId;
    await t.store.sources.delete(orgId);
    const active = async () => (await t.store.users.list({ domainId, status: 'active', limit: 10000, offset: 0 })).total;
    const before = await active();
    assert.ok(before > 10);
    await t.store.sources.set(0, { ...saved, users: { ...(saved.users as object), filter: '(uid=matches-nobody)' } });
    const held = await api.call('POST', `/domains/${domainId}/ldap/downsync?timeout=10`, { session: admin });
    assert.equal(held.status, 202, held.text);
    assert.match(held.body.message, /Waiting for approval: \d+ users would be deactivated/);
    const task = await api.call('GET', `/tasq/tasks/${held.body.taskID}`, { session: admin });
    assert.equal(task.body.state, TaskState.awaitingApproval);
    assert.equal(task.body.params.pendingDeactivations.length, before, 'the task shows who would be deactivated');
    assert.equal(await active(), before, 'nobody deactivated while waiting');
    const rejected = await api.call('POST', `/tasq/tasks/${held.body.taskID}/reject`, { session: admin });
    assert.equal(rejected.status, 200, rejected.text);
    assert.equal(rejected.body.state, TaskState.cancelled);
    assert.equal(await active(), before);
    assert.equal((await api.call('POST', `/tasq/tasks/${held.body.taskID}/approve`, { session: admin })).status, 400, 'decided once');
    const again = await api.call('POST', `/domains/${domainId}/ldap/downsync?timeout=10&full=true`, { session: admin });
    const approved = await api.call('POST', `/tasq/tasks/${again.body.taskID}/approve`, { session: admin });
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.body.state, TaskState.completed);
    assert.equal(await active(), 0);
    await t.store.sources.set(0, saved);
    const back = await api.call('POST', `/domains/${domainId}/ldap/downsync?timeout=10`, { session: admin });
    assert.equal(back.status, 200);
    assert.equal(await active(), before);
  });

  test('after a restart, a task that was running ends with a reason', async () => {
    const stuck = await t.store.tasks.create({ command: 'ldapSync', params: { domainID: domainId }, domainId, orgId: null, owner: 'x' });
    await t.store.tasks.update(stuck.id, { state: TaskState.running });
    const queue = new EmbeddedQueue(t.store, {});
    await queue.start();
    await queue.stop();
    const after = (await t.store.tasks.get(stuck.id))!;
    assert.equal(after.state, TaskState.error);
    assert.equal(after.message, INTERRUPTED);
  });

  test('repeated failed sign-ins are slowed and then refused, per account and address', async () => {
    let last = 0;
    for (let i = 0; i < 11; i++) last = (await api.call('POST', '/login', { form: { user: 'victim', pass: `guess-${i}` } })).status;
    assert.equal(last, 429);
    // The guesses lock that account from that address only: others signing in from it still can.
    const other = await api.call('POST', '/login', { form: { user: 'admin', pass: 'correct-horse-battery' } });
    assert.equal(other.status, 200);
    api.ctx.throttle.clear();
  });

  test('the audit log shows every change, to SystemAdmins only, with no secret in it', async () => {
    const log = await api.call('GET', '/ldapsync/audit?limit=500', { session: admin });
    assert.equal(log.status, 200);
    const actions = new Set(log.body.data.map((e: { action: string }) => e.action));
    for (const a of ['domain.create', 'domain.update', 'source.set', 'user.update', 'run.approve', 'run.reject']) assert.ok(actions.has(a), `audited: ${a}`);
    assert.ok(!log.text.includes('syncsecret'));
    const boss = await api.login('orgboss', 'org-boss-password');
    assert.equal((await api.call('GET', '/ldapsync/audit', { session: boss })).status, 403);
  });

  test('security headers on every answer, errors included', async () => {
    for (const [method, path] of [['GET', '/profile'], ['GET', '/nope'], ['POST', '/domains/1/ldap/downsync']] as const) {
      const r = await api.call(method, path);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(r.headers.get('x-frame-options'), 'DENY');
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
      assert.match(r.headers.get('content-security-policy')!, /default-src 'self'; frame-ancestors 'none'/);
      assert.equal(r.headers.get('cache-control'), 'no-store');
    }
  });

  test('the OpenAPI document is generated from the route schemas', async () => {
    const doc = await api.call('GET', '/openapi.json');
    assert.equal(doc.status, 200);
    assert.ok(doc.body.paths['/api/v1/domains/{domainID}/ldap/downsync']);
    assert.equal(doc.headers.get('x-content-type-options'), 'nosniff');
  });

  // The answers above were checked against grommunio's schema as they came; without the file
  // those checks are only recorded, and this test reports them as skipped, with the reason.
  test("answers fit grommunio's published OpenAPI schema", { skip: grommunioSpecMissing }, () => {
    assert.deepEqual(uncheckedShapes, []);
  });
});
