/**
 * The engine against a real slapd, on both stores: import, update, rename and move, deletion,
 * conflicts, dry runs and a directory that dies mid-run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { replaceLdif } from '../support/ldif.ts';
import { bulkPeople, ENGINEERING, ESCAPED_CN, NAMED_IN_SCOPE, namedPeople, PEOPLE, SALES } from '../fixtures/people.ts';
import { runSync, type SyncOptions } from '../../src/sync/engine.ts';
import { connect } from '../../src/directory/client.ts';
import type { Outcome } from '../../src/domain/outcome.ts';

for (const variant of storeVariants()) {
  describe(`sync engine on ${variant.name}`, { skip: variant.skip }, () => {
    let slapd: Slapd;
    let t: TestStore;
    let domainId: number;

    const sync = async (options: Partial<SyncOptions> = {}) => {
      const report = await runSync({ store: t.store, connect: (s) => connect(s) }, { domainId, importNew: false, lang: '', dryRun: false, ...options });
      const outcomes: Outcome[] = report.runId === null ? report.outcomes : await t.store.runs.allOutcomes(report.runId);
      return { report, outcomes, byName: new Map(outcomes.map((o) => [o.username, o])) };
    };
    const user = async (username: string) => t.store.users.byUsername(username);

    before(async () => {
      slapd = await startSlapd({ entries: [...namedPeople, ...bulkPeople(100)] });
      t = await variant.open();
      domainId = (await t.store.domains.create({ name: 'example.org' })).id;
      await t.store.domains.create({ name: 'other.example' });
      await t.store.sources.set(0, sourceConfig(slapd));
    });
    after(async () => { await slapd?.destroy(); await t?.cleanup(); });

    test('a first import creates every user in scope, with mapped fields, across pages of 7', async () => {
      const { report, outcomes } = await sync({ importNew: true, lang: 'de_DE' });
      assert.equal(report.status, 'completed');
      assert.equal(report.error, null);
      assert.equal(report.counts.created, 104);
      assert.equal(outcomes.length, 104);
      assert.ok(outcomes.every((o) => o.code === 201 && o.ID > 0));
      const { users, total } = await t.store.users.list({ domainId, limit: 1000, offset: 0 });
      assert.equal(total, 104);
      assert.equal(users.filter((u) => /^user\d{3}@example\.org$/.test(u.username)).length, 100);
      for (const name of NAMED_IN_SCOPE) assert.ok(users.some((u) => u.username === name), `${name} imported`);
      for (const absent of ['carl@example.org', 'olga@other.example']) assert.equal(await user(absent), undefined, `${absent} is outside the filter or domain`);

      const mueller = (await user('juergen.mueller@example.org'))!;
      assert.equal(mueller.displayName, 'Jürgen Müller');
      assert.equal(mueller.lang, 'de_DE');
      assert.deepEqual({ ...mueller.properties }, { altname: 'mueller', givenname: 'Jürgen', surname: 'Müller', title: 'Ingenieur', businesstelephonenumber: '+49 30 1234567' });
      assert.equal(mueller.dn, `uid=mueller,${ENGINEERING}`);
      assert.equal(mueller.externId?.length, 36, 'entryUUID kept as the bytes of its value');
      const ase = (await user('ase.odegard@example.org'))!;
      assert.equal(ase.displayName, 'Åse Ødegård');
      assert.deepEqual(ase.aliases, ['aase@example.org', 'ase@example.org', 'oedegaard@example.org']);
      assert.equal((await user('wang.fang@example.org'))!.displayName, '王芳');
      const jane = (await user('jane.doe@example.org'))!;
      assert.equal(jane.displayName, ESCAPED_CN);
      // The DN as the server gives it back (slapd writes the escapes in hex form).
      assert.equal(jane.dn, `cn=Doe\\2C Jane \\22JD\\22 \\2B Co \\5C Ltd,ou=staff,${PEOPLE}`);
      assert.ok(users.every((u) => u.status === 'active'), 'nobody is disabled in the fixtures');
      assert.equal(report.counts.skipped, 2, 'the entry without mail and the other domain are out of scope, not errors');
    });

    test('a second run with nothing changed reports every linked user as synced and writes no change', async () => {
      const before = (await user('user010@example.org'))!;
      const { report, outcomes } = await sync({ full: true });
      assert.equal(report.mode, 'full');
      assert.equal(report.counts.unchanged, 104);
      assert.ok(outcomes.every((o) => o.code === 200 && o.message === 'Synchronization successful'));
      const afterRun = (await user('user010@example.org'))!;
      assert.equal(afterRun.updatedAt, before.updatedAt);
    });

    test('a changed mail or cn updates the same user', async () => {
      const id1 = (await user('user001@example.org'))!.id;
      const id2 = (await user('user002@example.org'))!.id;
      slapd.modify(replaceLdif(`uid=user001,${PEOPLE}`, { mail: 'first.renamed@example.org' }) + replaceLdif(`uid=user002,${PEOPLE}`, { cn: 'Zweiter Nutzer' }));
      const { byName, report } = await sync();
      assert.equal(report.counts.updated, 2);
      const renamed = (await user('first.renamed@example.org'))!;
      assert.equal(renamed.id, id1);
      assert.equal(await user('user001@example.org'), undefined);
      assert.equal((await user('user002@example.org'))!.displayName, 'Zweiter Nutzer');
      assert.equal((await user('user002@example.org'))!.id, id2);
      assert.equal(byName.get('first.renamed@example.org')?.code, 200);
      assert.match(byName.get('first.renamed@example.org')!.message, /updated .*username/);
      assert.match(byName.get('user002@example.org')!.message, /updated displayName/);
    });

    test('a renamed or moved entry keeps its user ID', async () => {
      const id3 = (await user('user003@example.org'))!.id;
      const id4 = (await user('user004@example.org'))!.id;
      slapd.rename(`uid=user003,${PEOPLE}`, 'uid=user003b');
      slapd.rename(`uid=user004,${PEOPLE}`, 'uid=user004', SALES);
      const { report, byName } = await sync();
      assert.equal(report.counts.moved, 2);
      assert.equal(report.counts.created, 0);
      const u3 = (await user('user003@example.org'))!;
      const u4 = (await user('user004@example.org'))!;
      assert.equal(u3.id, id3);
      assert.equal(u3.dn, `uid=user003b,${PEOPLE}`);
      assert.equal(u4.id, id4);
      assert.equal(u4.dn, `uid=user004,${SALES}`);
      assert.match(byName.get('user004@example.org')!.message, /moved to uid=user004,ou=sales/);
    });

    test('a deleted entry deactivates its user, reported 404', async () => {
      slapd.remove(`uid=user005,${PEOPLE}`);
      const { report, byName } = await sync();
      assert.equal(report.counts.deactivated, 1);
      assert.equal(byName.get('user005@example.org')?.code, 404);
      const gone = (await user('user005@example.org'))!;
      assert.equal(gone.status, 'deactivated');
      assert.equal(gone.statusSource, 'sync');
      const again = await sync();
      assert.equal(again.byName.get('user005@example.org'), undefined, 'an already deactivated user is not reported again');
    });

    test('import=false updates linked users only; import=true creates; lang is for new users only', async () => {
      slapd.add([{ dn: `uid=newbie,${PEOPLE}`, objectClass: ['inetOrgPerson'], uid: 'newbie', cn: 'New Bie', sn: 'Bie', mail: 'newbie@example.org' }]);
      const withoutImport = await sync({ lang: 'fr_FR' });
      assert.equal(withoutImport.report.counts.created, 0);
      assert.equal(await user('newbie@example.org'), undefined);
      const withImport = await sync({ importNew: true, lang: 'fr_FR' });
      assert.equal(withImport.report.counts.created, 1);
      assert.equal(withImport.byName.get('newbie@example.org')?.code, 201);
      assert.equal((await user('newbie@example.org'))!.lang, 'fr_FR');
      assert.equal((await user('juergen.mueller@example.org'))!.lang, 'de_DE');
    });

    test('a local user with the same name is never taken over: 409, left untouched', async () => {
      const [local] = await t.store.users.insertMany([{ domainId, username: 'collide@example.org', externId: null, dn: null, displayName: 'Local Person', email: 'collide@example.org', aliases: [], lang: 'en', status: 'active', statusSource: null, statusReason: null, properties: { title: 'local' }, syncHash: null }]);
      const before = (await user('collide@example.org'))!;
      slapd.add([{ dn: `uid=collide,${PEOPLE}`, objectClass: ['inetOrgPerson'], uid: 'collide', cn: 'Directory Person', sn: 'Person', mail: 'collide@example.org' }]);
      const { byName, report } = await sync({ importNew: true });
      assert.equal(report.counts.conflicts, 1);
      assert.equal(byName.get('collide@example.org')?.code, 409);
      assert.equal(byName.get('collide@example.org')?.ID, local!.id);
      assert.match(byName.get('collide@example.org')!.message, /local user .* not taken over/);
      assert.deepEqual(await user('collide@example.org'), before);
    });

    test('a dry run returns the plan and its outcomes, and writes nothing', async () => {
      slapd.modify(replaceLdif(`uid=user006,${PEOPLE}`, { cn: 'Planned Change' }));
      slapd.remove(`uid=user007,${PEOPLE}`);
      slapd.add([{ dn: `uid=planned,${PEOPLE}`, objectClass: ['inetOrgPerson'], uid: 'planned', cn: 'Plan Ned', sn: 'Ned', mail: 'planned@example.org' }]);
      const snapshot = async () => ({ users: (await t.store.users.list({ domainId, limit: 1000, offset: 0 })).users, tasks: await t.store.tasks.list({ all: true, domainIds: [] }, 100, 0), last: await t.store.runs.lastForDomain(domainId) });
      const beforeRun = await snapshot();
      const { report, byName } = await sync({ importNew: true, dryRun: true });
      assert.equal(report.runId, null);
      assert.deepEqual(await snapshot(), beforeRun);
      assert.equal(byName.get('planned@example.org')?.code, 201);
      assert.equal(byName.get('user007@example.org')?.code, 404);
      const change = report.plan.find((p) => p.kind === 'update' && p.username === 'user006@example.org');
      assert.ok(change && change.kind === 'update');
      assert.deepEqual(change.changes, [{ field: 'displayName', from: 'Bulk User 006', to: 'Planned Change' }]);
      const applied = await sync({ importNew: true });
      assert.deepEqual(applied.outcomes.map((o) => [o.username, o.code]).sort(), report.outcomes.map((o) => [o.username, o.code]).sort(), 'applying gives the outcomes the plan showed');
    });

    test('a slapd killed in the middle of a sync fails the run with 503 and deactivates nobody', async () => {
      const active = async () => (await t.store.users.list({ domainId, status: 'active', limit: 1000, offset: 0 })).total;
      const activeBefore = await active();
      let pages = 0;
      const { report } = await sync({ full: true, onProgress: () => { if (++pages === 2) slapd.kill(); } });
      assert.equal(report.status, 'failed');
      assert.equal(report.error?.code, 503);
      assert.match(report.error!.message, /Directory unavailable/);
      assert.equal(report.counts.deactivated, 0);
      assert.equal(await active(), activeBefore);
      const run = await t.store.runs.get(report.runId!);
      assert.equal(run?.status, 'failed');
      assert.equal(run?.errorCode, 503);
      await slapd.start();
    });
  });
}
