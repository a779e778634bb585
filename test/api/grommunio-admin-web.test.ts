/**
 * grommunio's admin-web, page by page: the requests its source (src/api.ts, src/actions/, the
 * containers) sends on sign-in, dashboard, domain, users, user, LDAP, organizations, task queue
 * and groups, with its exact query strings and bodies, against a real ldapsync over a real slapd.
 * Every answer that grommunio's OpenAPI file describes is checked against it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSlapd, SYNC_DN, SYNC_PW, BASE_DN, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { startApi, type Answer, type Session, type TestApi } from '../support/api.ts';
import { assertGrommunioShape, grommunioSpecMissing } from '../support/grommunio-openapi.ts';
import { bulkPeople, groupEntries, namedPeople, TEST_FILTER } from '../fixtures/people.ts';
import { createAdmin } from '../../src/auth/admins.ts';

const ADMIN_PW = 'correct-horse-battery';
/** grommunio's OpenAPI file, where test/support/grommunio-openapi.ts finds it (GROMMUNIO_OPENAPI included); without it the requests still run, unchecked for shape. */
const SPEC_PRESENT = grommunioSpecMissing === false;
/** admin-web's users page: buildQuery({ sort, filterProp, status, match }, then matchProps, properties, addressType). */
const USER_LIST_TAIL = 'matchProps=displayname&properties=displayname,storagequotalimit,receivequotalimit,messagesizeextended,displaytypeex,creationtime&addressType=0';

describe('grommunio admin-web against ldapsync', () => {
  let slapd: Slapd;
  let t: TestStore;
  let api: TestApi;
  let admin: Session;
  let domainId = 0;
  let orgId = 0;
  /** Every replayed request and the status it got, for the record. */
  const seen: Array<{ page: string; request: string; status: number }> = [];

  const shape = (path: string, method: string, status: number, body: unknown) => { if (SPEC_PRESENT) assertGrommunioShape(path, method, status, body); };

  /**
   * Sends one request as admin-web does (JSON with the CSRF header on writes) and checks the
   * status; `spec` names grommunio's path template when its OpenAPI file describes the answer.
   */
  async function replay(page: string, method: string, path: string, expected: number, options: { json?: unknown; spec?: string; session?: Session } = {}): Promise<Answer> {
    const r = await api.call(method, path, { session: options.session ?? admin, ...(options.json !== undefined ? { json: options.json } : {}) });
    seen.push({ page, request: `${method} ${path}`, status: r.status });
    assert.equal(r.status, expected, `${method} ${path}: ${r.text.slice(0, 300)}`);
    if (options.spec) shape(options.spec, method, r.status, r.body);
    return r;
  }

  /** The LDAP form as admin-web's formatData() builds it. */
  const ldapForm = (overrides: { disabled?: boolean; templates?: string[] } = {}) => ({
    baseDn: BASE_DN, objectID: 'entryUUID', disabled: overrides.disabled ?? false,
    connection: { server: slapd.url, bindUser: SYNC_DN, bindPass: SYNC_PW, starttls: false },
    groups: { groupMemberAttr: 'memberOf', groupaddr: 'mail', groupfilter: '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))', groupname: 'cn' },
    users: { username: 'mail', displayName: 'cn', attributes: {}, filter: TEST_FILTER, contactFilter: '', templates: overrides.templates ?? [], searchAttributes: ['mail', 'cn', 'uid'], aliases: 'mailAlternativeAddress' },
  });

  before(async () => {
    if (!SPEC_PRESENT) console.log(`${grommunioSpecMissing}: statuses are checked, shapes are not`);
    slapd = await startSlapd({ entries: [...namedPeople, ...bulkPeople(12), ...groupEntries] });
    t = await storeVariants()[0]!.open();
    api = await startApi(t);
  });
  after(async () => {
    await api?.close(); await slapd?.destroy(); await t?.cleanup();
    console.log(`admin-web requests replayed:\n${seen.map((s) => `${s.status} ${s.page}: ${s.request}`).join('\n')}`);
  });

  test('sign-in: the form, the profile, the drawer; a reload renews with the cookie alone', async () => {
    const login = await api.call('POST', '/login', { form: { user: 'admin', pass: ADMIN_PW } });
    seen.push({ page: 'sign-in', request: 'POST /login (form user, pass)', status: login.status });
    shape('/login', 'POST', 200, login.body);
    admin = { cookie: login.headers.get('set-cookie')!.split(';')[0]!, csrf: login.body.csrf, jwt: login.body.grommunioAuthJwt };
    await replay('sign-in', 'GET', '/profile', 200, { spec: '/profile' });
    const drawer = await replay('sign-in', 'GET', '/domains?domainType=0&sort=domainname,asc&level=1&limit=1000000000', 200, { spec: '/domains' });
    assert.deepEqual(drawer.body.data, []);
    await replay('sign-in', 'GET', '/system/license', 200, { spec: '/system/license' });

    // authLoginWithToken / SilentRefresh: POST /login, form content type, no body, no X-CSRF-TOKEN.
    for (const cookie of [admin.cookie, `grommunioAuthJwt=${admin.jwt}`]) {
      const renewed = await api.call('POST', '/login', { headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } });
      seen.push({ page: 'sign-in', request: 'POST /login (renewal: cookie only, no CSRF header)', status: renewed.status });
      assert.equal(renewed.status, 200, renewed.text);
      shape('/login', 'POST', 200, renewed.body);
      assert.ok(renewed.body.grommunioAuthJwt && renewed.body.csrf);
    }
    const noCookie = await api.call('POST', '/login', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(noCookie.status, 401, 'renewal still needs a valid session');
    const write = await api.call('POST', '/system/orgs', { session: admin, csrf: null, json: { name: 'x' } });
    assert.equal(write.status, 401, 'every other write still needs the CSRF header');
  });

  test('dashboard: the host\'s real load, no services, no spam filter, /about', async () => {
    const dash = await replay('dashboard', 'GET', '/system/dashboard', 200, { spec: '/system/dashboard' });
    assert.equal(dash.body.load.length, 3);
    for (const key of ['user', 'system', 'io', 'interrupt', 'steal', 'idle']) assert.equal(typeof dash.body.cpuPercent[key], 'number', key);
    for (const key of ['used', 'free', 'buffer', 'cache', 'percent', 'total', 'available']) assert.equal(typeof dash.body.memory[key], 'number', key);
    assert.ok(dash.body.memory.total > 0);
    assert.deepEqual((await replay('dashboard', 'GET', '/system/dashboard/services', 200, { spec: '/system/dashboard/services' })).body, { services: [] });
    assert.equal((await replay('dashboard', 'GET', '/system/antispam/stat', 200)).body.scanned, 0);
    assert.equal((await replay('dashboard', 'GET', '/about', 200, { spec: '/about' })).body.backend, 'ldapsync 0.1.0');
  });

  test('LDAP page: config, authmgr, save as admin-web builds it, sync; stored sources read back complete', async () => {
    const empty = await replay('LDAP', 'GET', '/system/mconf/ldap', 200, { spec: '/system/mconf/ldap' });
    assert.equal(empty.body.ldapAvailable, false);
    const mgr = await replay('LDAP', 'GET', '/system/mconf/authmgr', 200, { spec: '/system/mconf/authmgr' });
    assert.equal(mgr.body.data.authBackendSelection, 'externid');

    // handleSave: PUT ?force=false with formatData() and PUT authmgr, side by side.
    const [saved, auth] = await Promise.all([
      replay('LDAP', 'PUT', '/system/mconf/ldap?force=false', 200, { json: ldapForm(), spec: '/system/mconf/ldap' }),
      replay('LDAP', 'PUT', '/system/mconf/authmgr', 200, { json: { authBackendSelection: 'externid' } }),
    ]);
    assert.match(saved.body.message, /updated/);
    assert.match(auth.body.message, /updated/);
    const shown = await replay('LDAP', 'GET', '/system/mconf/ldap', 200, { spec: '/system/mconf/ldap' });
    assert.equal(shown.body.ldapAvailable, true, 'the connectivity check admin-web labels it');
    assert.equal(shown.body.data.disabled, false);
    assert.equal(shown.body.data.connection.bindPass, undefined);
    assert.deepEqual(shown.body.data.groups, { ...ldapForm().groups, enabled: true });

    // A source stored without disabled or groups (saved by Rocket.Chat's settings or an older
    // version) shows both, so admin-web neither shows LDAP off nor writes defaults by itself.
    const bare = ldapForm({ templates: ['common', 'OpenLDAP'] }) as Record<string, unknown>;
    delete bare.disabled; delete bare.groups;
    const stored = await t.store.sources.get(0);
    await t.store.sources.set(0, bare);
    const old = (await replay('LDAP', 'GET', '/system/mconf/ldap', 200, { spec: '/system/mconf/ldap' })).body.data;
    assert.equal(old.disabled, false);
    for (const field of ['groupMemberAttr', 'groupaddr', 'groupfilter', 'groupname']) assert.ok(old.groups[field], `groups.${field} is shown, so no automatic PUT ?force=true`);
    assert.equal(old.groups.enabled, false, 'and groups stay unsynced when that form is saved back');
    assert.equal((await replay('LDAP', 'PUT', '/system/mconf/ldap?force=false', 200, { json: { ...old, connection: { ...old.connection, bindPass: SYNC_PW } } })).status, 200);
    assert.equal(((await t.store.sources.get(0))!.groups as Record<string, unknown>).enabled, false);
    await t.store.sources.set(0, stored!);

    // The switch off: admin-web sends always_mysql with it; always_ldap is refused, saying why.
    await replay('LDAP', 'PUT', '/system/mconf/authmgr', 200, { json: { authBackendSelection: 'always_mysql' } });
    assert.equal((await api.call('GET', '/system/mconf/authmgr', { session: admin })).body.data.authBackendSelection, 'always_mysql');
    const ldapOnly = await replay('LDAP', 'PUT', '/system/mconf/authmgr', 400, { json: { authBackendSelection: 'always_ldap' } });
    assert.match(ldapOnly.body.errors[0], /never signs a local account in through the directory/);
    await replay('LDAP', 'PUT', '/system/mconf/authmgr', 200, { json: { authBackendSelection: 'externid' } });
  });

  test('organizations: list, create with domains, details, edit the domain list', async () => {
    const created = await replay('organizations', 'POST', '/system/domains', 201, { json: { domainname: 'example.org', orgID: 0 } });
    domainId = created.body.ID;
    const spare = (await api.call('POST', '/system/domains', { session: admin, json: { domainname: 'spare.example' } })).body.ID;
    await replay('organizations', 'GET', '/system/orgs?sort=name,asc', 200, { spec: '/system/orgs' });
    // AddOrg: { name, description, domains: IDs }.
    const org = await replay('organizations', 'POST', '/system/orgs', 201, { json: { name: 'Acme', description: 'test', domains: [spare] }, spec: '/system/orgs' });
    orgId = org.body.ID;
    assert.deepEqual(org.body.domains.map((d: { ID: number }) => d.ID), [spare]);
    assert.equal((await t.store.domains.get(spare))!.orgId, orgId);
    await replay('organizations', 'GET', '/system/domains?limit=1000000&level=0&sort=domainname,asc&domainType=0', 200, { spec: '/system/domains' });
    const details = await replay('organizations', 'GET', `/system/orgs/${orgId}`, 200, { spec: '/system/orgs/{ID}' });
    assert.deepEqual(details.body.domains, [{ ID: spare, domainname: 'spare.example', displayname: 'spare.example' }]);
    await replay('organizations', 'GET', `/system/orgs/${orgId}/ldap`, 200, { spec: '/system/orgs/{ID}/ldap' });
    // OrgDetails handleEdit: { name, description, domains } (ID undefined, so not sent).
    const edited = await replay('organizations', 'PATCH', `/system/orgs/${orgId}`, 200, { json: { name: 'Acme', description: 'edited', domains: [] }, spec: '/system/orgs/{ID}' });
    assert.deepEqual([edited.body.description, edited.body.domains], ['edited', []]);
    assert.equal((await t.store.domains.get(spare))!.orgId, 0, 'a domain left out moves to no organization');
    const unknown = await replay('organizations', 'PATCH', `/system/orgs/${orgId}`, 400, { json: { name: 'Acme', domains: [999999] } });
    assert.match(unknown.body.errors[0], /domain 999999 does not exist/);
    await api.call('DELETE', `/system/domains/${spare}`, { session: admin });
  });

  test('domain: the menu entry, its defaults and languages, the DNS check, the details form', async () => {
    await replay('domain', 'GET', `/system/domains/${domainId}`, 200, { spec: '/system/domains/{domainID}' });
    const params = await replay('domain', 'GET', `/defaults/createParams?domain=${domainId}`, 200, { spec: '/defaults/createParams' });
    assert.deepEqual(Object.keys(params.body.data).sort(), ['domain', 'user'], 'admin-web reads data.user.prohibitsendquota and data.domain.chat');
    const langs = await replay('domain', 'GET', '/defaults/storeLangs', 200, { spec: '/defaults/storeLangs' });
    assert.ok(langs.body.data.some((l: { code: string; name: string }) => l.code === 'de_DE' && l.name === 'German (Germany)'));
    const dns = await replay('domain', 'GET', `/domains/${domainId}/dnsCheck`, 400);
    assert.match(dns.body.message, /disabled/, 'admin-web shows a message with "disabled" as a warning');
    // DomainDetails: servers, organizations, the domain, the default sync policy.
    assert.deepEqual((await replay('domain', 'GET', '/system/servers?sort=hostname,asc&limit=1000000&level=0', 200, { spec: '/system/servers' })).body.data, []);
    await replay('domain', 'GET', '/system/orgs?sort=name,asc&limit=1000000&level=0', 200, { spec: '/system/orgs' });
    const policy = await replay('domain', 'GET', '/service/syncPolicy/default', 200);
    assert.equal(policy.body.data.maxinacttimedevlock, 900);
    await replay('domain', 'GET', '/system/domains?sort=domainname,asc&domainType=0', 200, { spec: '/system/domains' });
    await replay('domain', 'PATCH', `/system/domains/${domainId}`, 200, {
      json: { domainname: 'example.org', domainStatus: 0, orgID: 0, maxUser: null, title: 'Example', address: '', adminName: '', tel: '', homeserver: null, syncPolicy: {}, chat: false },
      spec: '/system/domains/{domainID}',
    });
  });

  test('users: sync, the list as admin-web asks for it, scrolling, counting, the orphan check', async () => {
    const sync = await api.call('POST', `/domains/${domainId}/ldap/downsync?import=true`, { session: admin });
    seen.push({ page: 'users', request: `POST /domains/${domainId}/ldap/downsync?import=true`, status: sync.status });
    assert.ok([200, 202].includes(sync.status), sync.text);
    await api.call('POST', `/domains/${domainId}/ldap/downsync?import=true&timeout=30`, { session: admin });
    const total = (await t.store.users.countByStatus(domainId)).active ?? 0;
    assert.ok(total > 12, `synced ${total}`);

    const list = await replay('users', 'GET', `/domains/${domainId}/users?sort=username,asc&filterProp=displaytypeex:0,7,8&status=0,4&${USER_LIST_TAIL}`, 200, { spec: '/domains/{domainID}/users' });
    assert.equal(list.body.count, total);
    const names = list.body.data.map((u: { username: string }) => u.username);
    assert.deepEqual(names, [...names].sort(), 'sort=username,asc is honoured');
    const first = list.body.data[0];
    assert.equal(first.properties.displaytypeex, 0);
    assert.match(first.properties.creationtime, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.ok('storagequotalimit' in first.properties);
    assert.ok(first.properties.displayname);
    const desc = await replay('users', 'GET', `/domains/${domainId}/users?sort=username,desc&filterProp=displaytypeex:0,7,8&status=0,4&${USER_LIST_TAIL}`, 200);
    assert.equal(desc.body.data[0].username, names.at(-1) ?? desc.body.data[0].username);
    // "Show deactivated" and scrolling on (useTable.handleScroll puts sort and offset first).
    await replay('users', 'GET', `/domains/${domainId}/users?sort=username,asc&filterProp=displaytypeex:0,7,8&status=1,0,4&${USER_LIST_TAIL}`, 200, { spec: '/domains/{domainID}/users' });
    await replay('users', 'GET', `/domains/${domainId}/users?sort=username,asc&offset=50&filterProp=displaytypeex:0,7,8&status=0,4&${USER_LIST_TAIL}`, 200, { spec: '/domains/{domainID}/users' });
    const search = await replay('users', 'GET', `/domains/${domainId}/users?sort=username,asc&filterProp=displaytypeex:0,7,8&status=0,4&match=wang&${USER_LIST_TAIL}`, 200);
    assert.deepEqual(search.body.data.map((u: { username: string }) => u.username), ['wang.fang@example.org']);
    // Rooms or equipment only, shared mailboxes only, contacts: nobody here is one.
    for (const query of [`filterProp=displaytypeex:7&status=0,4&${USER_LIST_TAIL}`, `filterProp=displaytypeex:0,7,8&status=4&${USER_LIST_TAIL}`, 'status=5&matchProps=displayname,smtpaddress&properties=displayname,smtpaddress,creationtime']) {
      assert.deepEqual((await replay('users', 'GET', `/domains/${domainId}/users?sort=username,asc&${query}`, 200)).body, { data: [], count: 0 });
    }
    // userCount (limit=0) and usersPlain (level=0, limit=1000000).
    const count = await replay('users', 'GET', `/domains/${domainId}/users?limit=0&status=0`, 200);
    assert.deepEqual(count.body, { data: [], count: total });
    assert.equal((await replay('users', 'GET', `/domains/${domainId}/users?level=0&limit=1000000&sort=username,asc&status=0`, 200)).body.data.length, total);
    assert.equal((await replay('users', 'GET', `/domains/${domainId}/users?status=9`, 400)).body.errors[0].includes('not a user status'), true);
    assert.equal((await replay('users', 'GET', `/domains/${domainId}/users?sort=quota,asc`, 400)).status, 400);
    // Global users and the org users picker.
    const all = await replay('users', 'GET', '/system/users?addressType=0&matchProps=displayname,smtpaddress&properties=displayname,displaytypeex,smtpaddress,creationtime&sort=username,asc', 200, { spec: '/system/users' });
    assert.equal(all.body.count, total);
    await replay('users', 'GET', `/system/users?addressType=0&matchProps=displayname,smtpaddress&properties=displayname,displaytypeex,smtpaddress,creationtime&orgID=0&limit=1000000&sort=username,asc&level=0&status=0`, 200, { spec: '/system/users' });
    // The orphan check as the users page sends it, with what the dialog shows for each.
    const check = await replay('users', 'GET', `/domains/ldap/check?organization=0&domain=${domainId}`, 200, { spec: '/domains/ldap/check' });
    assert.deepEqual(check.body.orphaned, []);
  });

  test('user: the page\'s loads, sync, LDAP dump, detach', async () => {
    const wang = (await t.store.users.byUsername('wang.fang@example.org'))!;
    const user = await replay('user', 'GET', `/domains/${domainId}/users/${wang.id}`, 200, { spec: '/domains/{domainID}/users/{userID}' });
    assert.equal(user.body.properties.displayname, '王芳');
    const policy = await replay('user', 'GET', `/domains/${domainId}/syncPolicy`, 200, { spec: '/domains/{domainID}/syncPolicy' });
    assert.equal(policy.body.data.allowbluetooth, 2);
    await replay('user', 'GET', '/defaults/storeLangs', 200, { spec: '/defaults/storeLangs' });
    await replay('user', 'GET', '/system/roles?level=0&sort=name,asc&limit=100000', 200, { spec: '/system/roles' });
    await replay('user', 'GET', '/system/servers?sort=hostname,asc&limit=1000000&level=0', 200, { spec: '/system/servers' });
    await replay('user', 'GET', `/system/domains/${domainId}`, 200, { spec: '/system/domains/{domainID}' });
    await replay('user', 'GET', '/service/syncPolicy/default', 200);
    // The LDAP buttons: Sync, LDAP dump (ID as the user carries it, organization of the domain), Detach.
    const synced = await replay('user', 'PUT', `/domains/${domainId}/users/${wang.id}/downsync`, 200, { spec: '/domains/{domainID}/users/{userID}/downsync' });
    assert.equal(synced.body.ID, wang.id);
    const dump = await replay('user', 'GET', `/domains/ldap/dump?ID=${user.body.ldapID}&organization=0`, 200, { spec: '/domains/ldap/dump' });
    assert.match(dump.body.data, /^dn: uid=wangfang,/);
    assert.match(dump.body.data, new RegExp(`^entryUUID: ${user.body.ldapID}$`, 'mi'), 'entryUUID as the text it is');
    assert.match(dump.body.data, /^jpegPhoto:: /mi, 'binary values stay base64');
    assert.match(dump.body.data, /^objectClass: inetOrgPerson$/mi, 'every user attribute, objectClass included');
    const detached = await replay('user', 'PATCH', `/domains/${domainId}/users/${wang.id}`, 200, { json: { ldapID: null } });
    assert.equal(detached.body.ldapID, undefined);
  });

  test('LDAP search page and the sync buttons: search, import, sync all, sync an organization', async () => {
    const hits = await replay('LDAP', 'GET', `/domains/ldap/search?query=wang&domain=${domainId}&showAll=false`, 200, { spec: '/domains/ldap/search' });
    assert.deepEqual(hits.body.data.map((h: { email: string }) => h.email), ['wang.fang@example.org']);
    // ImportDialog: { ID, force, domain } after organization=0; wang was detached just before.
    const refused = await replay('LDAP', 'POST', `/domains/ldap/importUser?organization=0&ID=${hits.body.data[0].ID}&force=false&domain=${domainId}`, 409);
    assert.match(refused.body.message, /exists/i);
    const imported = await replay('LDAP', 'POST', `/domains/ldap/importUser?organization=0&ID=${hits.body.data[0].ID}&force=true&domain=${domainId}`, 200, { spec: '/domains/ldap/importUser' });
    assert.equal(imported.body.ldapID, hits.body.data[0].ID, 'linked again');
    const all = await api.call('POST', '/domains/ldap/downsync?import=false', { session: admin });
    seen.push({ page: 'LDAP', request: 'POST /domains/ldap/downsync?import=false', status: all.status });
    assert.ok([200, 202].includes(all.status), all.text);
    const org = await api.call('POST', `/system/orgs/${orgId}/ldap/downsync?import=false`, { session: admin });
    seen.push({ page: 'organizations', request: `POST /system/orgs/${orgId}/ldap/downsync?import=false`, status: org.status });
    assert.ok([200, 202, 503].includes(org.status), org.text);
  });

  test('groups: the synced directory groups as mailing lists, and one group\'s page', async () => {
    const list = await replay('groups', 'GET', `/domains/${domainId}/mlists?sort=listname,asc`, 200, { spec: '/domains/{domainID}/mlists' });
    const names = list.body.data.map((g: { listname: string }) => g.listname);
    assert.ok(names.includes('sales-team') && names.includes('engineering-all'), names.join());
    assert.equal(list.body.count, names.length);
    const sales = list.body.data.find((g: { listname: string }) => g.listname === 'sales-team');
    assert.deepEqual([sales.listType, sales.listPrivilege, sales.specifieds], [1, 0, []]);
    await replay('groups', 'GET', `/domains/${domainId}/mlists?sort=listname,asc&match=sales`, 200);
    await replay('groups', 'GET', `/domains/${domainId}/users?limit=100000&sort=username,asc&${USER_LIST_TAIL}`, 200, { spec: '/domains/{domainID}/users' });
    const one = await replay('groups', 'GET', `/domains/${domainId}/mlists/${sales.ID}`, 200, { spec: '/domains/{domainID}/mlists/{ID}' });
    assert.equal(one.body.listname, 'sales-team');
    assert.equal(list.body.data.find((g: { listname: string }) => g.listname === 'sales-team').ID, sales.ID, 'the same ID every time');
    await replay('groups', 'GET', `/domains/${domainId}/mlists/12345`, 404);
    await replay('groups', 'GET', `/domains/ldap/check?organization=0&domain=${domainId}`, 200, { spec: '/domains/ldap/check' });
  });

  test('task queue: list, status, one task; scoped like everything else', async () => {
    const tasks = await replay('task queue', 'GET', '/tasq/tasks?limit=200&sort=created,desc', 200, { spec: '/tasq/tasks' });
    assert.ok(tasks.body.data.length >= 1);
    await replay('task queue', 'GET', '/tasq/status', 200, { spec: '/tasq/status' });
    await replay('task queue', 'GET', `/tasq/tasks/${tasks.body.data[0].ID}`, 200, { spec: '/tasq/tasks/{ID}' });
    await replay('task queue', 'DELETE', `/tasq/tasks/${tasks.body.data.at(-1).ID}`, 200);
    await createAdmin(t.store, 'dom1', 'domain-one-password', [{ permission: 'DomainAdmin', param: String(domainId + 1000) }]);
    const other = await api.login('dom1', 'domain-one-password');
    assert.equal((await replay('task queue', 'GET', '/tasq/tasks?limit=200&sort=created,desc', 200, { session: other })).body.data.length, 0);
    for (const path of ['/system/dashboard', '/system/license', '/system/users?addressType=0', '/system/mconf/authmgr']) {
      const users = await api.call('GET', path, { session: other });
      if (path.startsWith('/system/users')) assert.equal(users.body.count, 0, 'no user of a domain it may not see');
      else assert.equal(users.status, 403, path);
    }
    assert.equal((await api.call('GET', `/domains/${domainId}/mlists`, { session: other })).status, 403);
  });
});
