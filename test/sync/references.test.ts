/**
 * Continuation references: a subtree handed to another server answers a search with a reference,
 * not its entries. The run names each reference in its result and deactivates nobody behind one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { bulkPeople, PEOPLE } from '../fixtures/people.ts';
import { runSync } from '../../src/sync/engine.ts';
import { connect } from '../../src/directory/client.ts';

const FAR = `ou=far,${PEOPLE}`;
const ELSEWHERE = 'ldap://far.example.invalid/ou=far,ou=people,dc=example,dc=org';

describe('continuation references', () => {
  let slapd: Slapd;
  let t: TestStore;
  let domainId: number;
  const sync = (full = false) => runSync({ store: t.store, connect: (s) => connect(s) }, { domainId, importNew: true, lang: '', dryRun: false, full });

  before(async () => {
    slapd = await startSlapd({ entries: [...bulkPeople(10), { dn: FAR, objectClass: 'organizationalUnit', ou: 'far' }, ...bulkPeople(2, FAR).map((e) => ({ ...e, dn: e.dn.replace('user00', 'faruser00'), uid: `far${e.uid as string}`, mail: `far${e.mail as string}` }))], tracking: 'syncprov' });
    t = await storeVariants()[0]!.open();
    domainId = (await t.store.domains.create({ name: 'example.org' })).id;
    await t.store.sources.set(0, sourceConfig(slapd, { baseDn: PEOPLE }));
    assert.equal((await sync()).counts.created, 12);
  });
  after(async () => { await slapd?.destroy(); await t?.cleanup(); });

  test('a subtree moved to another server is reported, and its users stay active', async () => {
    for (const n of ['1', '2']) slapd.remove(`uid=faruser00${n},${FAR}`);
    slapd.remove(FAR);
    slapd.add([{ dn: FAR, objectClass: ['referral', 'extensibleObject'], ou: 'far', ref: ELSEWHERE }]);
    const report = await sync(true);
    assert.equal(report.status, 'completed', report.message);
    assert.deepEqual(report.references, [`${ELSEWHERE}??sub`], 'slapd adds the scope to the URL');
    assert.match(report.message, /1 references not followed/);
    assert.equal(report.counts.deactivated, 0, 'nobody behind the reference is deactivated');
    for (const n of ['1', '2']) assert.equal((await t.store.users.byUsername(`faruser00${n}@example.org`))!.status, 'active');
  });
});
