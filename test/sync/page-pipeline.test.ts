/**
 * Pages written while the next is planned (PostgreSQL): a page that looks up users or names the
 * page in flight touches waits for it, so every answer is the one a page-by-page run gives.
 * One entry per page, so each page's write overlaps the next page; SQLite runs the same
 * assertions page by page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_DN, startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { replaceLdif } from '../support/ldif.ts';
import { fullRunOutcomes } from '../support/full-run.ts';

const PEOPLE = `ou=people,${BASE_DN}`;
const person = (uid: string, mail: string, employeeNumber: string) => ({ dn: `uid=${uid},${PEOPLE}`, objectClass: ['inetOrgPerson'], uid, cn: `Person ${uid}`, sn: uid, mail, employeeNumber });

for (const variant of storeVariants()) {
  describe(`pages in flight on ${variant.name}`, { skip: variant.skip }, () => {
    let slapd: Slapd;
    let t: TestStore;
    let domainId: number;
    const sync = async () => new Map((await fullRunOutcomes(t.store, domainId)).map((o) => [`${o.username} ${o.code}`, o.message]));

    before(async () => {
      slapd = await startSlapd({ entries: [person('a', 'a@example.org', '1'), person('b', 'b@example.org', '2'), person('twin', 'b@example.org', '3')] });
      t = await variant.open();
      domainId = (await t.store.domains.create({ name: 'example.org' })).id;
      await t.store.sources.set(0, sourceConfig(slapd, { objectID: 'employeeNumber', pageSize: 1, delta: 'off', threshold: { percent: 100 }, users: { filter: '(objectClass=inetOrgPerson)' } }));
    });
    after(async () => { await slapd?.destroy(); await t?.cleanup(); });

    test('a name the page before created is taken: the next entry with it is a conflict', async () => {
      const outcomes = await sync();
      assert.equal(outcomes.get('b@example.org 409'), 'User already exists and is linked to another directory entry');
      assert.equal(outcomes.size, 3);
      assert.equal((await t.store.users.byUsername('b@example.org'))!.dn, `uid=b,${PEOPLE}`);
    });

    test('a name the page before gave up is free for the next entry', async () => {
      slapd.remove(`uid=twin,${PEOPLE}`);
      slapd.modify(replaceLdif(`uid=a,${PEOPLE}`, { mail: 'a2@example.org' }));
      slapd.add([person('c', 'a@example.org', '4')]);
      const outcomes = await sync();
      assert.match(outcomes.get('a2@example.org 200')!, /updated username/);
      assert.equal(outcomes.get('a@example.org 201'), 'User created');
      assert.equal((await t.store.users.byUsername('a@example.org'))!.dn, `uid=c,${PEOPLE}`);
    });

    test('a name a disabled entry takes (its deactivation held to the end) is not given to a later entry', async () => {
      slapd.modify(replaceLdif(`uid=b,${PEOPLE}`, { mail: 'taken-late@example.org', pwdAccountLockedTime: '000001010000Z' }));
      slapd.add([person('f', 'taken-late@example.org', '5')]);
      const outcomes = await sync();
      assert.equal(outcomes.get('taken-late@example.org 409'), 'Another directory entry in this run has the same address');
      const holder = (await t.store.users.byUsername('taken-late@example.org'))!;
      assert.deepEqual([holder.dn, holder.status], [`uid=b,${PEOPLE}`, 'deactivated']);
    });

    test('an ID the page before created is found by the next entry with it', async () => {
      slapd.add([person('d', 'd@example.org', '9'), person('e', 'd@example.org', '9')]);
      const outcomes = await sync();
      assert.equal(outcomes.get('d@example.org 201'), 'User created');
      assert.match(outcomes.get('d@example.org 200')!, /moved to uid=e/);
      const users = (await t.store.users.list({ domainId, limit: 100, offset: 0 })).users.filter((u) => u.username === 'd@example.org');
      assert.deepEqual(users.map((u) => u.dn), [`uid=e,${PEOPLE}`]);
    });
  });
}
