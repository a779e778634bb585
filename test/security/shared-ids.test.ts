/**
 * A tenant's own directory may return any ID bytes, those of another tenant's person included:
 * an account made from the default source's directory answers to that source's user only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { accountUsable } from '../../src/services/account-state.ts';
import type { NewUser } from '../../src/store/repositories/users.ts';
import type { UserStatus } from '../../src/domain/user.ts';

const ID = Buffer.from('5f0d2c1e-0000-4000-8000-00000000beef');
const user = (domainId: number, username: string, status: UserStatus): NewUser => ({
  domainId, username, externId: new Uint8Array(ID), dn: `uid=${username},dc=x`, displayName: username, email: username, aliases: [], lang: '',
  status, statusSource: status === 'active' ? null : 'sync', statusReason: null, properties: {}, syncHash: 'h',
});

for (const variant of storeVariants()) {
  describe(`an ID another tenant's directory repeats, on ${variant.name}`, { skip: variant.skip }, () => {
    let t: TestStore;
    let home: number;
    let tenant: number;
    before(async () => {
      t = await variant.open();
      const org = await t.store.organizations.create('Tenant', '');
      await t.store.sources.set(0, { baseDn: 'dc=default' });
      await t.store.sources.set(org.id, { baseDn: 'dc=tenant' });
      home = (await t.store.domains.create({ name: 'home.example' })).id;
      tenant = (await t.store.domains.create({ name: 'tenant.example', orgId: org.id })).id;
    });
    after(async () => { await t?.cleanup(); });

    test('the tenant\'s user neither keeps a deactivated person\'s account usable nor locks an active one out', async () => {
      const account = await t.store.accounts.create({ username: 'ann@home.example', passwordHash: null, displayName: 'Ann', email: 'ann@home.example', externId: ID.toString('hex') });
      const [own] = await t.store.users.insertMany([user(home, 'ann@home.example', 'active')]);
      const [copy] = await t.store.users.insertMany([user(tenant, 'ann@tenant.example', 'deactivated')]);
      assert.equal(await accountUsable(t.store, account), true, 'a deactivated copy in the tenant\'s domain does not lock Ann out');
      await t.store.users.setStatus([own!.id], 'deactivated', 'sync', 'gone');
      await t.store.users.setStatus([copy!.id], 'active', null, null);
      assert.equal(await accountUsable(t.store, account), false, 'an active copy does not keep Ann\'s deactivated account usable');
      await t.store.users.delete(own!.id);
      assert.equal(await accountUsable(t.store, account), false, 'the tenant\'s user alone does not speak for the account');
    });
  });
}
