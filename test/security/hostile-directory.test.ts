/**
 * Hostile values from the directory and injection strings through every field that reaches a
 * search, on both stores: the sync completes, stores only clean text, and matches literally.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { bulkPeople, PEOPLE } from '../fixtures/people.ts';
import type { LdifEntry } from '../support/ldif.ts';
import { runSync } from '../../src/sync/engine.ts';
import { connect } from '../../src/directory/client.ts';
import { parseSource } from '../../src/directory/source.ts';
import { decodeLdapId } from '../../src/domain/ldap-id.ts';

export const INJECTIONS = ['*', '*)(uid=*', '*)(|(objectClass=*)', ')(objectClass=*', '\\00', '\\2a', 'a\u0000b', '(&)', '(|)', '\\', '*))%00', 'admin*', 'user00*)(mail=*'];

const hostile: LdifEntry[] = [
  { dn: `uid=ctrl,${PEOPLE}`, objectClass: ['inetOrgPerson', 'mailExtension'], uid: 'ctrl', sn: 'x', cn: 'Evil\u0001Name\u007f\u001b[31m', mail: 'ctrl@example.org', hostileBytes: Buffer.from([0x41, 0x00, 0xff, 0xfe, 0xc3, 0x28, 0x0a, 0x42]) },
  { dn: `uid=huge,${PEOPLE}`, objectClass: ['inetOrgPerson'], uid: 'huge', sn: 'x', cn: 'Huge Attribute', mail: 'huge@example.org', description: 'x'.repeat(1_000_000) },
  { dn: `uid=newline,${PEOPLE}`, objectClass: ['inetOrgPerson'], uid: 'newline', sn: 'x', cn: 'New Line', mail: 'newline@example.org\nX-Injected: yes' },
];

for (const variant of storeVariants()) {
  describe(`hostile directory values on ${variant.name}`, { skip: variant.skip }, () => {
    let slapd: Slapd;
    let t: TestStore;
    let domainId: number;
    const config = () => sourceConfig(slapd, { users: { attributes: { hostileBytes: 'hostile' } } });
    before(async () => {
      slapd = await startSlapd({ entries: [...bulkPeople(12), ...hostile] });
      t = await variant.open();
      domainId = (await t.store.domains.create({ name: 'example.org' })).id;
      await t.store.sources.set(0, config());
    });
    after(async () => { await slapd?.destroy(); await t?.cleanup(); });

    test('invalid UTF-8, NUL and control characters, a 1 MB attribute, a mail with a newline', async () => {
      const report = await runSync({ store: t.store, connect: (s) => connect(s) }, { domainId, importNew: true, lang: '', dryRun: false });
      assert.equal(report.status, 'completed', report.message);
      const ctrl = (await t.store.users.byUsername('ctrl@example.org'))!;
      assert.equal(ctrl.displayName, 'EvilName[31m', 'control characters removed');
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(JSON.stringify(ctrl), /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
      assert.equal(ctrl.properties.hostile, undefined, 'bytes that are not UTF-8 (with a NUL) are never stored as text');
      const huge = (await t.store.users.byUsername('huge@example.org'))!;
      assert.equal(huge.properties.comment, undefined, 'a 1 MB value is not stored');
      const users = (await t.store.users.list({ domainId, limit: 100, offset: 0 })).users;
      assert.ok(users.every((u) => !/[\r\n]/.test(u.username)), 'no username with a line break');
      assert.equal(await t.store.users.byUsername('newline@example.org'), undefined, 'an address with a header injected is refused');
    });

    test('injection strings through the search, the dump and the import match literally', async () => {
      const directory = await connect(parseSource(config()));
      try {
        for (const s of INJECTIONS) assert.deepEqual((await directory.search(s, 50)).map((e) => e.dn), [], `search ${JSON.stringify(s)} finds nothing`);
        for (const s of INJECTIONS) {
          const id = decodeLdapId(s);
          if (id) assert.deepEqual(await directory.usersById([id]), [], `ID ${JSON.stringify(s)} finds nothing`);
        }
        assert.equal((await directory.search('user01', 50)).length, 3, 'a plain search still works');
      } finally { await directory.close(); }
    });
  });
}
