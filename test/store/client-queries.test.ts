/**
 * What the existing clients' pages read from the store, on node:sqlite and on PostgreSQL: user
 * lists by several statuses, sorted, counted only; the directory groups of a domain; settings;
 * and SystemAdmins holding what Rocket.Chat's admin role holds.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { storeVariants, type TestStore } from '../support/stores.ts';
import type { NewUser } from '../../src/store/repositories/users.ts';
import { createAdmin } from '../../src/auth/admins.ts';

const person = (domainId: number, username: string, displayName: string, groups: string[], status: 'active' | 'deactivated' = 'active'): NewUser => ({
  domainId, username, externId: new TextEncoder().encode(username), dn: `uid=${username},dc=x`, displayName, email: username, aliases: [], lang: '',
  status, statusSource: status === 'active' ? null : 'admin', statusReason: null, properties: {}, syncHash: null, groups,
});

for (const variant of storeVariants()) {
  describe(`client queries on ${variant.name}`, { skip: variant.skip }, () => {
    let t: TestStore;
    let domainId = 0;
    before(async () => {
      t = await variant.open();
      domainId = (await t.store.domains.create({ name: 'example.org' })).id;
      await t.store.users.insertMany([
        person(domainId, 'carol@example.org', 'Carol', ['sales', 'staff']),
        person(domainId, 'alice@example.org', 'Zoe Alice', ['staff']),
        person(domainId, 'bob@example.org', 'Bob', [], 'deactivated'),
      ], '2026-01-01T00:00:00.000Z');
    });
    after(async () => { await t?.cleanup(); });

    test('user lists: several statuses, an empty list of them, sort keys both ways, limit 0 counts only', async () => {
      const base = { domainId, limit: 50, offset: 0 };
      const names = async (q: Partial<Parameters<typeof t.store.users.list>[0]>) => (await t.store.users.list({ ...base, ...q })).users.map((u) => u.username);
      assert.deepEqual(await names({ statuses: ['active', 'deactivated'], sort: { key: 'username', descending: false } }), ['alice@example.org', 'bob@example.org', 'carol@example.org']);
      assert.deepEqual(await names({ statuses: ['active'], sort: { key: 'username', descending: true } }), ['carol@example.org', 'alice@example.org']);
      assert.deepEqual(await names({ sort: { key: 'displayname', descending: false } }), ['bob@example.org', 'carol@example.org', 'alice@example.org']);
      assert.deepEqual(await t.store.users.list({ ...base, statuses: [] }), { users: [], total: 0 });
      assert.deepEqual(await t.store.users.list({ ...base, limit: 0, statuses: ['active'] }), { users: [], total: 2 });
    });

    test('directory groups of a domain, by name, with their members', async () => {
      assert.deepEqual(await t.store.users.groupsInDomain(domainId), [
        { name: 'sales', members: ['carol@example.org'] },
        { name: 'staff', members: ['carol@example.org', 'alice@example.org'] },
      ]);
      assert.deepEqual(await t.store.users.groupsInDomain(domainId + 1), []);
    });

    test('settings: absent, set, replaced', async () => {
      assert.equal(await t.store.settings.get('x'), undefined);
      await t.store.settings.set('x', true);
      await t.store.settings.set('x', { a: [1, 'two'] });
      assert.deepEqual(await t.store.settings.get('x'), { a: [1, 'two'] });
    });

    test('a SystemAdmin holds the admin role\'s named permissions, and only those', async () => {
      const id = await createAdmin(t.store, 'root', 'correct-horse-battery');
      const named = async () => (await t.store.accounts.grants(id)).map((g) => g.permission).filter((p) => p !== 'SystemAdmin').sort();
      assert.deepEqual(await named(), ['access-permissions', 'assign-roles', 'edit-privileged-setting', 'sync-auth-services-users', 'test-admin-options', 'view-privileged-setting']);
      await t.store.accounts.setPermissionRoles('test-admin-options', []);
      assert.ok(!(await named()).includes('test-admin-options'));
      await t.store.accounts.setPermissionRoles('test-admin-options', ['admin']);
      assert.ok((await named()).includes('test-admin-options'));
      const domainAdmin = await createAdmin(t.store, 'dom', 'correct-horse-battery', [{ permission: 'DomainAdmin', param: String(domainId) }]);
      assert.deepEqual((await t.store.accounts.grants(domainAdmin)).map((g) => g.permission), ['DomainAdmin'], 'the admin role is not everyone\'s');
    });
  });
}
