/**
 * A page's changed users are written together on PostgreSQL (one statement) and one by one on
 * SQLite; a run answers the same on both. Renames keep the plan's order, and a user two entries
 * of the page update (one stable ID on two entries) ends as the later entry says, as it would
 * one statement at a time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_DN, startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { replaceLdif } from '../support/ldif.ts';
import { fullRunOutcomes } from '../support/full-run.ts';

const PEOPLE = `ou=people,${BASE_DN}`;
const person = (uid: string, mail: string, employeeNumber: string, cn = `Person ${uid}`) => ({ dn: `uid=${uid},${PEOPLE}`, objectClass: ['inetOrgPerson'], uid, cn, sn: uid, mail, employeeNumber });

for (const variant of storeVariants()) {
  describe(`a page's updates written together on ${variant.name}`, { skip: variant.skip }, () => {
    let slapd: Slapd;
    let t: TestStore;
    let domainId: number;
    const sync = () => fullRunOutcomes(t.store, domainId);

    before(async () => {
      slapd = await startSlapd({ entries: Array.from({ length: 30 }, (_, i) => person(`u${i}`, `u${i}@example.org`, String(i + 1))) });
      t = await variant.open();
      domainId = (await t.store.domains.create({ name: 'example.org' })).id;
      await t.store.sources.set(0, sourceConfig(slapd, { objectID: 'employeeNumber', pageSize: 100, delta: 'off', threshold: { percent: 100 }, users: { filter: '(objectClass=inetOrgPerson)' } }));
      await sync();
    });
    after(async () => { await slapd?.destroy(); await t?.cleanup(); });

    test('many changed at once and a name handed on: the same answers as one at a time', async () => {
      for (let i = 0; i < 20; i++) slapd.modify(replaceLdif(`uid=u${i},${PEOPLE}`, { cn: `Changed ${i}` }));
      // u20 gives up its name and u21 asks for it in the same page: planned against the store as
      // it was, u21 waits for the next run, where the name is free.
      slapd.modify(replaceLdif(`uid=u20,${PEOPLE}`, { mail: 'moved-away@example.org', cn: 'Moved' }));
      slapd.modify(replaceLdif(`uid=u21,${PEOPLE}`, { mail: 'u20@example.org' }));
      const u20 = (await t.store.users.byUsername('u20@example.org'))!.id;
      const u21 = (await t.store.users.byUsername('u21@example.org'))!.id;
      const outcomes = await sync();
      for (let i = 0; i < 20; i++) assert.equal((await t.store.users.byUsername(`u${i}@example.org`))!.displayName, `Changed ${i}`);
      assert.equal(outcomes.filter((o) => o.code === 200 && /updated/.test(o.message)).length, 21);
      assert.match(outcomes.find((o) => o.ID === u21)!.message, /Cannot rename to u20@example.org/);
      assert.deepEqual(await t.store.users.byUsername('moved-away@example.org').then((u) => [u!.id, u!.displayName]), [u20, 'Moved']);
      await sync();
      assert.equal((await t.store.users.byUsername('u20@example.org'))!.id, u21);
    });

    test('one user updated by two entries of one page: the later entry is what stays', async () => {
      slapd.add([person('twin', 'u25@example.org', '26', 'The twin')]);
      slapd.modify(replaceLdif(`uid=u25,${PEOPLE}`, { cn: 'The original' }));
      const outcomes = await sync();
      const mine = outcomes.filter((o) => o.username === 'u25@example.org' && o.code === 200);
      assert.equal(mine.length, 2, JSON.stringify(outcomes.filter((o) => o.username === 'u25@example.org')));
      // Outcomes are numbered in the page's order: the entry whose outcome comes last wrote last.
      const twinLast = /moved to uid=twin,/.test(mine[1]!.message);
      assert.notEqual(twinLast, /moved to uid=twin,/.test(mine[0]!.message), 'one of the two is the twin');
      const user = (await t.store.users.byUsername('u25@example.org'))!;
      assert.equal(user.displayName, twinLast ? 'The twin' : 'The original');
      assert.equal(user.dn, twinLast ? `uid=twin,${PEOPLE}` : `uid=u25,${PEOPLE}`);
    });
  });
}
