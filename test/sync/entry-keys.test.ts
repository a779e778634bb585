/**
 * Entry keys against a real slapd, on both stores: a full run maps only the entries whose bytes,
 * groups or mapping changed since their users were stored, and every case where the same bytes
 * must still give another answer (a group changed, a filter now disables, a user to reactivate,
 * a photo refused, another mapping) is mapped and answered as before.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_DN, startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { replaceLdif } from '../support/ldif.ts';
import { bulkPeople, ENGINEERING, groupEntries, namedPeople, PEOPLE, ROLE_MAP } from '../fixtures/people.ts';
import { runSync, type SyncOptions } from '../../src/sync/engine.ts';
import { connect } from '../../src/directory/client.ts';
import type { Outcome } from '../../src/domain/outcome.ts';

const USERS = 64;

for (const variant of storeVariants()) {
  describe(`entry keys on ${variant.name}`, { skip: variant.skip }, () => {
    let slapd: Slapd;
    let t: TestStore;
    let domainId: number;
    let source: Record<string, unknown>;
    // Entries no user is stored for (another domain's, say) are mapped on every run.
    let unstored = 0;

    const sync = async (options: Partial<SyncOptions> = {}) => {
      const report = await runSync({ store: t.store, connect: (s) => connect(s) }, { domainId, importNew: true, lang: '', dryRun: false, ...options });
      const outcomes: Outcome[] = report.runId === null ? report.outcomes : await t.store.runs.allOutcomes(report.runId);
      assert.equal(report.status, 'completed', report.message);
      assert.equal(report.mode, 'full');
      return { report, outcomes, changed: outcomes.filter((o) => o.code !== 200 || o.message !== 'Synchronization successful'), byName: new Map(outcomes.map((o) => [o.username, o])) };
    };
    const user = async (username: string) => (await t.store.users.byUsername(username))!;

    before(async () => {
      slapd = await startSlapd({ entries: [...namedPeople, ...bulkPeople(60), ...groupEntries] });
      t = await variant.open();
      domainId = (await t.store.domains.create({ name: 'example.org' })).id;
      source = sourceConfig(slapd, { groups: { roleMap: ROLE_MAP }, delta: 'off' });
      await t.store.sources.set(0, source);
      const first = await sync();
      assert.equal(first.report.counts.created, USERS);
      assert.equal(first.report.entriesMapped, first.report.entriesSeen, 'an import maps every entry');
      unstored = first.report.entriesSeen - USERS;
    });
    after(async () => { await slapd?.destroy(); await t?.cleanup(); });

    test('a no-op full run maps no entry, and still reports every user synced', async () => {
      const { report, outcomes, changed } = await sync();
      assert.equal(report.entriesSeen, USERS + unstored);
      assert.equal(report.entriesMapped, unstored);
      assert.equal(report.counts.unchanged, USERS);
      assert.equal(outcomes.length, USERS);
      assert.deepEqual(changed, []);
    });

    test('a changed entry is the one mapped; the change is written', async () => {
      slapd.modify(replaceLdif(`uid=user001,${PEOPLE}`, { cn: 'Changed Once' }));
      const { report, changed } = await sync();
      assert.equal(report.entriesMapped, unstored + 1);
      assert.deepEqual(changed.map((o) => [o.username, o.message]), [['user001@example.org', 'Synchronization successful (updated displayName)']]);
      assert.equal((await user('user001@example.org')).displayName, 'Changed Once');
      assert.equal((await sync()).report.entriesMapped, unstored, 'and the next run maps nothing');
    });

    test('a group that changed reaches its members although their entries did not change', async () => {
      slapd.modify(`dn: cn=devs,${PEOPLE}\nchangetype: modify\nadd: member\nmember: uid=user005,${PEOPLE}\n\n`);
      const { report, byName } = await sync();
      assert.equal(report.entriesMapped, unstored + 1);
      assert.match(byName.get('user005@example.org')!.message, /updated groups/);
      assert.deepEqual((await user('user005@example.org')).groups, ['devs', 'engineering-all']);
      assert.deepEqual((await user('user005@example.org')).roles, ['developer', 'staff']);
    });

    test('another mapping maps every entry again, and what it changes is written', async () => {
      await t.store.sources.set(0, { ...source, users: { ...(source.users as object), displayName: 'sn' } });
      const remapped = await sync();
      assert.equal(remapped.report.entriesMapped, unstored + USERS);
      assert.equal((await user('juergen.mueller@example.org')).displayName, 'Müller');
      assert.equal((await sync()).report.entriesMapped, unstored, 'the new keys are kept');
      await t.store.sources.set(0, source);
      await sync();
      assert.equal((await user('juergen.mueller@example.org')).displayName, 'Jürgen Müller');
    });

    test('another role map reaches the roles of users whose groups stayed the same', async () => {
      await t.store.sources.set(0, { ...source, groups: { roleMap: { ...ROLE_MAP, devs: 'builder' } } });
      const { byName } = await sync();
      assert.match(byName.get('juergen.mueller@example.org')!.message, /updated roles/);
      assert.deepEqual((await user('juergen.mueller@example.org')).roles, ['builder', 'staff']);
      await t.store.sources.set(0, source);
      await sync();
      assert.deepEqual((await user('juergen.mueller@example.org')).roles, ['developer', 'staff']);
    });

    test('a user the source\'s filter disables is mapped each run, and deactivated', async () => {
      await t.store.sources.set(0, { ...source, users: { ...(source.users as object), disabledFilter: '(uid=user009)' } });
      const first = await sync();
      assert.match(first.byName.get('user009@example.org')!.message, /matches the disabled filter/);
      const again = await sync();
      assert.equal(again.report.entriesMapped, unstored + 1, 'the disabled one is never taken on trust');
      assert.equal((await user('user009@example.org')).status, 'deactivated');
      await t.store.sources.set(0, source);
      await sync();
      assert.equal((await user('user009@example.org')).status, 'active');
    });

    test('a user deactivated as gone is reactivated when it returns with the very same entry', async () => {
      await t.store.sources.set(0, { ...source, users: { ...(source.users as object), filter: `(&${(source.users as { filter: string }).filter}(!(uid=user012)))` } });
      const left = await sync();
      assert.equal(left.byName.get('user012@example.org')?.code, 404);
      assert.equal((await user('user012@example.org')).status, 'deactivated');
      await t.store.sources.set(0, source);
      const back = await sync();
      assert.match(back.byName.get('user012@example.org')!.message, /reactivated/);
      assert.equal((await user('user012@example.org')).status, 'active');
    });

    test('a user an admin deactivated stays so through full runs that take its entry on trust', async () => {
      const u = await user('user013@example.org');
      await t.store.users.setStatus([u.id], 'deactivated', 'admin', 'by hand');
      const { report } = await sync();
      assert.equal(report.entriesMapped, unstored);
      assert.equal((await user('user013@example.org')).status, 'deactivated');
      assert.equal((await user('user013@example.org')).statusSource, 'admin');
    });

    test('a refused photo is said again on every run: its entry is mapped each time', async () => {
      slapd.modify(replaceLdif(`uid=mueller,${ENGINEERING}`, { jpegPhoto: Buffer.from('not an image') }));
      for (let run = 0; run < 2; run++) {
        const { report, byName } = await sync();
        assert.equal(report.entriesMapped, unstored + 1);
        assert.match(byName.get('juergen.mueller@example.org')!.message, /photo ignored: jpegPhoto is not a JPEG/);
      }
    });

    test('a user stored without a key (synced before keys) is mapped once and keeps its key', async () => {
      const ids = (await t.store.users.list({ domainId, limit: 10, offset: 0 })).users.filter((u) => u.status === 'active' && !u.username.startsWith('juergen')).slice(0, 5).map((u) => u.id);
      await t.store.users.setEntryKeys(ids.map((id) => ({ id, key: 'from an older version' })));
      assert.equal((await sync()).report.entriesMapped, unstored + ids.length + 1);
      assert.equal((await sync()).report.entriesMapped, unstored + 1, 'only the refused photo is mapped again');
    });

    test('a dry run takes the same entries on trust and writes no key', async () => {
      slapd.modify(replaceLdif(`uid=user020,${PEOPLE}`, { cn: 'Dry Change' }));
      const dry = await sync({ dryRun: true });
      assert.equal(dry.report.entriesMapped, unstored + 2);
      assert.deepEqual(dry.changed.filter((o) => o.username === 'user020@example.org').length, 1);
      const real = await sync();
      assert.equal(real.report.entriesMapped, unstored + 2, 'the dry run left the stored key as it was');
      assert.equal((await user('user020@example.org')).displayName, 'Dry Change');
    });
  });
}

const person = (uid: string, extra: Record<string, string | string[]>) => ({ dn: `uid=${uid},ou=people,${BASE_DN}`, objectClass: ['inetOrgPerson'], uid, sn: uid, ...extra });

for (const variant of storeVariants()) {
  describe(`entry keys with sources of another shape on ${variant.name}`, { skip: variant.skip }, () => {
    const opened: Array<{ slapd: Slapd; t: TestStore }> = [];
    after(async () => { for (const o of opened) { await o.slapd.destroy(); await o.t.cleanup(); } });
    const setUp = async (entries: Parameters<typeof startSlapd>[0], overrides: Record<string, unknown>) => {
      const slapd = await startSlapd(entries);
      const t = await variant.open();
      opened.push({ slapd, t });
      const domainId = (await t.store.domains.create({ name: 'example.org' })).id;
      await t.store.sources.set(0, sourceConfig(slapd, { delta: 'off', users: { filter: '(objectClass=inetOrgPerson)' }, ...overrides }));
      const sync = async () => {
        const r = await runSync({ store: t.store, connect: (s) => connect(s) }, { domainId, importNew: true, lang: '', dryRun: false });
        assert.equal(r.status, 'completed', r.message);
        return r;
      };
      return { slapd, t, sync };
    };

    test('of two entries with one ID, neither leaves its key: the one that remains is mapped', async () => {
      const { slapd, t, sync } = await setUp({ entries: [person('a', { cn: 'A One', mail: 'a@example.org', employeeNumber: '42' })] }, { objectID: 'employeeNumber' });
      await sync();
      const u = (await t.store.users.byUsername('a@example.org'))!;
      await t.store.users.setEntryKeys([{ id: u.id, key: 'from an older version' }]);
      slapd.add([person('b', { cn: 'B Two', mail: 'a@example.org', employeeNumber: '42' })]);
      await sync();
      slapd.remove(`uid=b,ou=people,${BASE_DN}`);
      const alone = await sync();
      assert.equal(alone.entriesMapped, 1);
      assert.equal((await t.store.users.byUsername('a@example.org'))!.displayName, 'A One');
    });

    test('with uid as the stable ID, posix groups count, and leaving a group by DN reaches the user', async () => {
      const GROUPS = `ou=groups,${BASE_DN}`;
      const { slapd, t, sync } = await setUp({ entries: [
        person('alice', { cn: 'Alice', mail: 'alice@example.org' }),
        person('bob', { cn: 'Bob', mail: 'bob@example.org' }),
        { dn: GROUPS, objectClass: 'organizationalUnit', ou: 'groups' },
        { dn: `cn=posix,${GROUPS}`, objectClass: 'posixGroup', cn: 'posix', gidNumber: '5000', memberUid: ['alice'] },
        { dn: `cn=admins,${GROUPS}`, objectClass: 'groupOfNames', cn: 'admins', member: [`uid=bob,ou=people,${BASE_DN}`, `cn=posix,${GROUPS}`] },
      ] }, { objectID: 'uid', groups: { roleMap: { admins: 'admin-role' } } });
      await sync();
      assert.deepEqual((await t.store.users.byUsername('alice@example.org'))!.groups, ['admins', 'posix']);
      assert.deepEqual((await t.store.users.byUsername('bob@example.org'))!.roles, ['admin-role']);
      slapd.modify(`dn: cn=admins,${GROUPS}\nchangetype: modify\ndelete: member\nmember: uid=bob,ou=people,${BASE_DN}\n\n`);
      const r = await sync();
      assert.equal(r.entriesMapped, 1);
      const bob = (await t.store.users.byUsername('bob@example.org'))!;
      assert.deepEqual([bob.groups, bob.roles], [[], []]);
    });
  });
}
