/**
 * GET /api/v1/ldapsync/vendors over real HTTP: every vendor with the defaults a source of it
 * really gets (checked against the parser every config passes), for a system admin and an
 * organization's admin; refused to a domain admin (403) and to nobody signed in (401).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { startApi, type Session, type TestApi } from '../support/api.ts';
import { createAdmin } from '../../src/auth/admins.ts';
import { parseSource } from '../../src/directory/source.ts';
import { VENDORS } from '../../src/directory/presets.ts';

describe('GET /ldapsync/vendors', () => {
  let t: TestStore;
  let api: TestApi;
  let admin: Session;
  let orgAdmin: Session;
  let domainAdmin: Session;

  before(async () => {
    t = await storeVariants()[0]!.open();
    const org = await t.store.organizations.create('Org One');
    const domain = await t.store.domains.create({ name: 'example.org', orgId: org.id });
    api = await startApi(t);
    await createAdmin(t.store, 'orgboss', 'org-boss-password', [{ permission: 'OrgAdmin', param: String(org.id) }]);
    await createAdmin(t.store, 'dom1', 'domain-one-password', [{ permission: 'DomainAdmin', param: String(domain.id) }]);
    admin = await api.login('admin', 'correct-horse-battery');
    orgAdmin = await api.login('orgboss', 'org-boss-password');
    domainAdmin = await api.login('dom1', 'domain-one-password');
  });
  after(async () => { await api?.close(); await t?.cleanup(); });

  test('a system admin gets every vendor, with the defaults a source of that vendor is given', async () => {
    const r = await api.call('GET', '/ldapsync/vendors', { session: admin });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.data.map((v: { vendor: string }) => v.vendor), [...VENDORS]);
    assert.deepEqual(r.body.data.filter((v: { default: boolean }) => v.default).map((v: { vendor: string }) => v.vendor), ['openldap']);
    for (const view of r.body.data) {
      const source = parseSource({ vendor: view.vendor, connection: { server: 'ldap://127.0.0.1' }, baseDn: 'dc=example,dc=org' });
      assert.ok(view.label, `${view.vendor} has a label`);
      assert.equal(view.objectID, source.objectID, view.vendor);
      assert.deepEqual(view.users, {
        username: source.users.username, displayName: source.users.displayName, filter: source.users.filter, aliases: source.users.aliases,
        searchAttributes: source.users.searchAttributes, templates: view.users.templates,
      }, view.vendor);
      assert.equal(view.users.templates[0], 'common');
      assert.equal(view.groups.groupfilter, source.groups.filter, view.vendor);
    }
    const ad = r.body.data.find((v: { vendor: string }) => v.vendor === 'activedirectory');
    assert.equal(ad.objectID, 'objectGUID');
    assert.deepEqual(ad.users.templates, ['common', 'ActiveDirectory']);
    assert.equal(ad.groups.groupfilter, '(objectClass=group)');
  });

  test("an organization's admin may read it too: it sets up its organization's source", async () => {
    const r = await api.call('GET', '/ldapsync/vendors', { session: orgAdmin });
    assert.equal(r.status, 200);
    assert.equal(r.body.data.length, VENDORS.length);
  });

  test('a domain admin, who has no source to set up, is refused; nobody signed in is asked to sign in', async () => {
    const refused = await api.call('GET', '/ldapsync/vendors', { session: domainAdmin });
    assert.equal(refused.status, 403);
    assert.equal(typeof refused.body.message, 'string');
    assert.equal(refused.body.data, undefined);
    const anonymous = await api.call('GET', '/ldapsync/vendors');
    assert.equal(anonymous.status, 401);
  });

  test('the OpenAPI document describes it as an ldapsync operation', async () => {
    const op = (await api.call('GET', '/openapi.json')).body.paths['/api/v1/ldapsync/vendors'].get;
    assert.equal(op.operationId, 'getLdapsyncVendors');
    assert.deepEqual(op.tags, ['ldapsync']);
    assert.ok(op.summary);
    assert.deepEqual(Object.keys(op.responses).sort(), ['200', '400', '401', '403']);
    assert.ok(op.responses['200'].content['application/json'].schema.properties.data);
  });
});
