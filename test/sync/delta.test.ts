/**
 * Delta sync, fail-safe deactivation and groups against a real slapd (accesslog), on both
 * stores: a delta run gives exactly the changes made, a filter that suddenly matches nothing
 * changes nobody until approved, users come back, admins' decisions stay.
 */
import { after, before, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { replaceLdif } from '../support/ldif.ts';
import { bulkPeople, ENGINEERING, groupEntries, namedPeople, PEOPLE, ROLE_MAP, SALES } from '../fixtures/people.ts';
import { runSync, type SyncOptions } from '../../src/sync/engine.ts';
import { connect } from '../../src/directory/client.ts';
import { decideRun } from '../../src/tasks/approval.ts';
import type { Outcome } from '../../src/domain/outcome.ts';

for (const variant of storeVariants()) {
  describe(`delta sync, fail-safe and groups on ${variant.name}`, { skip: variant.skip }, () => {
    let slapd: Slapd;
    let t: TestStore;
    let domainId: number;
    let source: Record<string, unknown>;

    const sync = async (options: Partial<SyncOptions> = {}) => {
      const report = await runSync({ store: t.store, connect: (s) => connect(s) }, { domainId, importNew: true, lang: '', dryRun: false, ...options });
      const outcomes: Outcome[] = report.runId === null ? report.outcomes : await t.store.runs.allOutcomes(report.runId);
      return { report, outcomes, byName: new Map(outcomes.map((o) => [o.username, o])) };
    };
    const user = async (username: string) => (await t.store.users.byUsername(username))!;
    const active = async () => (await t.store.users.list({ domainId, status: 'active', limit: 10000, offset: 0 })).total;

    before(async () => {
      slapd = await startSlapd({ entries: [...namedPeople, ...bulkPeople(60), ...groupEntries] });
      t = await variant.open();
      domainId = (await t.store.domains.create({ name: 'example.org' })).id;
      // This file exercises the accesslog reader; what `auto` picks per server is delta-servers.test.ts.
      source = sourceConfig(slapd, { groups: { roleMap: ROLE_MAP }, delta: 'accesslog' });
      await t.store.sources.set(0, source);
      const first = await sync();
      assert.equal(first.report.mode, 'full');
      assert.equal(first.report.modeReason, 'first run');
      assert.equal(first.report.counts.created, 64);
    });
    after(async () => { await slapd?.destroy(); await t?.cleanup(); });

    test('groups: nested, uniqueMember and posix memberships resolved, cycles safe, roles mapped', async () => {
      const mueller = await user('juergen.mueller@example.org');
      assert.deepEqual(mueller.groups, ['devs', 'engineering-all']);
      assert.deepEqual(mueller.roles, ['developer', 'staff']);
      assert.deepEqual((await user('ase.odegard@example.org')).groups, ['engineering-all']);
      assert.deepEqual((await user('wang.fang@example.org')).groups, ['sales-team']);
      assert.deepEqual((await user('user010@example.org')).roles, ['shell']);
      assert.deepEqual((await user('user011@example.org')).groups, ['loop-a', 'loop-b']);
      assert.deepEqual((await user('user012@example.org')).groups, []);
    });

    test('a delta run gives exactly the changes made, and says it was a delta run', async () => {
      const ids = { renamed: (await user('user002@example.org')).id, moved: (await user('user003@example.org')).id };
      slapd.modify(replaceLdif(`uid=user001,${PEOPLE}`, { cn: 'Delta Changed' }));
      slapd.rename(`uid=user002,${PEOPLE}`, 'uid=user002-renamed');
      slapd.rename(`uid=user003,${PEOPLE}`, 'uid=user003', SALES);
      slapd.remove(`uid=user004,${PEOPLE}`);
      slapd.add([{ dn: `uid=delta-new,${PEOPLE}`, objectClass: ['inetOrgPerson'], uid: 'delta-new', cn: 'Delta New', sn: 'New', mail: 'delta-new@example.org' }]);
      const { report, byName, outcomes } = await sync();
      assert.equal(report.mode, 'delta:accesslog');
      assert.equal(report.status, 'completed');
      assert.deepEqual(outcomes.map((o) => [o.username, o.code]).sort(), [
        ['delta-new@example.org', 201], ['user001@example.org', 200], ['user002@example.org', 200], ['user003@example.org', 200], ['user004@example.org', 404],
      ]);
      assert.ok(report.entriesSeen <= 5, `a delta reads only what changed (${report.entriesSeen} entries)`);
      assert.equal((await user('user001@example.org')).displayName, 'Delta Changed');
      assert.equal((await user('user002@example.org')).id, ids.renamed);
      assert.equal((await user('user002@example.org')).dn, `uid=user002-renamed,${PEOPLE}`);
      assert.equal((await user('user003@example.org')).dn, `uid=user003,${SALES}`);
      assert.equal((await user('user004@example.org')).status, 'deactivated');
      assert.match(byName.get('user003@example.org')!.message, /moved/);
      const idle = await sync();
      assert.equal(idle.report.mode, 'delta:accesslog');
      assert.deepEqual(idle.outcomes.filter((o) => o.code !== 200), [], 'an idle delta changes nothing');
    });

    test('a full reconcile on demand agrees with the deltas', async () => {
      const { report, outcomes } = await sync({ full: true });
      assert.equal(report.mode, 'full');
      assert.equal(report.modeReason, 'full run requested');
      assert.deepEqual(outcomes.filter((o) => o.code !== 200), []);
    });

    test('membership changes arrive through a delta, nested ones included', async () => {
      slapd.modify(`dn: cn=devs,${PEOPLE}\nchangetype: modify\nadd: member\nmember: uid=user005,${PEOPLE}\n-\ndelete: member\nmember: uid=mueller,${ENGINEERING}\n\n`);
      const { byName, report } = await sync();
      assert.equal(report.mode, 'delta:accesslog');
      assert.deepEqual((await user('user005@example.org')).groups, ['devs', 'engineering-all']);
      assert.deepEqual((await user('user005@example.org')).roles, ['developer', 'staff']);
      assert.deepEqual((await user('juergen.mueller@example.org')).groups, []);
      assert.match(byName.get('user005@example.org')!.message, /updated groups/);
      assert.match(byName.get('juergen.mueller@example.org')!.message, /updated groups/);
    });

    test('a user who leaves the scope is deactivated, and reactivated on return', async () => {
      slapd.modify(replaceLdif(`uid=user006,${PEOPLE}`, { employeeType: 'external' }));
      const left = await sync();
      assert.equal(left.byName.get('user006@example.org')?.code, 404);
      assert.equal((await user('user006@example.org')).status, 'deactivated');
      slapd.modify(`dn: uid=user006,${PEOPLE}\nchangetype: modify\ndelete: employeeType\n\n`);
      const back = await sync();
      assert.equal(back.byName.get('user006@example.org')?.code, 200);
      assert.match(back.byName.get('user006@example.org')!.message, /reactivated/);
      assert.equal((await user('user006@example.org')).status, 'active');
    });

    test('a user an admin deactivated stays deactivated through changes and full runs', async () => {
      const u = await user('user007@example.org');
      await t.store.users.setStatus([u.id], 'deactivated', 'admin', 'by hand');
      slapd.modify(replaceLdif(`uid=user007,${PEOPLE}`, { cn: 'Still Off' }));
      await sync();
      await sync({ full: true });
      const after = await user('user007@example.org');
      assert.equal(after.displayName, 'Still Off');
      assert.equal(after.status, 'deactivated');
      assert.equal(after.statusSource, 'admin');
    });

    test('disabled accounts become deactivated users with a reason: ppolicy lock and a filter of the source', async () => {
      slapd.modify(replaceLdif(`uid=user008,${PEOPLE}`, { pwdAccountLockedTime: '000001010000Z' }));
      const locked = await sync();
      assert.match(locked.byName.get('user008@example.org')!.message, /deactivated: account locked by password policy/);
      assert.equal((await user('user008@example.org')).status, 'deactivated');
      await t.store.sources.set(0, { ...source, users: { ...(source.users as object), disabledFilter: '(description=left the company)' } });
      slapd.modify(replaceLdif(`uid=user009,${PEOPLE}`, { description: 'left the company' }));
      const filtered = await sync();
      assert.equal(filtered.report.modeReason, 'the source configuration changed');
      assert.match(filtered.byName.get('user009@example.org')!.message, /matches the disabled filter/);
      assert.equal((await user('user009@example.org')).statusReason, 'account matches the disabled filter (description=left the company)');
      await t.store.sources.set(0, source);
      slapd.modify(`dn: uid=user008,${PEOPLE}\nchangetype: modify\ndelete: pwdAccountLockedTime\n\n`);
      await sync({ full: true });
      assert.equal((await user('user008@example.org')).status, 'active');
    });

    test('a filter that suddenly matches nothing holds every deactivation until approved', async () => {
      const before = await active();
      const snapshot = (await t.store.users.list({ domainId, limit: 10000, offset: 0 })).users;
      await t.store.sources.set(0, { ...source, users: { ...(source.users as object), filter: '(uid=matches-nobody)' } });
      const { report } = await sync();
      assert.equal(report.mode, 'full');
      assert.equal(report.status, 'awaiting-approval');
      assert.equal(report.held, before);
      assert.match(report.message, /wait for approval/);
      assert.deepEqual((await t.store.users.list({ domainId, limit: 10000, offset: 0 })).users, snapshot, 'nobody changed');
      const rejected = await decideRun(t.store, report.runId!, false, 'tester');
      assert.equal(rejected.discarded, before);
      assert.equal(await active(), before);
      assert.equal((await t.store.runs.get(report.runId!))!.status, 'rejected');

      const again = await sync({ full: true });
      assert.equal(again.report.status, 'awaiting-approval');
      const approved = await decideRun(t.store, again.report.runId!, true, 'tester');
      assert.equal(approved.deactivated, before);
      assert.equal(await active(), 0);
      const outcomes = await t.store.runs.allOutcomes(again.report.runId!);
      assert.equal(outcomes.filter((o) => o.code === 404).length, before);

      await t.store.sources.set(0, source);
      const restored = await sync();
      assert.equal(restored.report.counts.reactivated, before, 'everyone returns when the filter is fixed');
    });

    test('after the grace period, users gone from the directory are deleted if the source says so', async () => {
      slapd.remove(`uid=user012,${PEOPLE}`);
      await sync();
      assert.equal((await user('user012@example.org')).status, 'deactivated');
      await t.store.sources.set(0, { ...source, deleteAfterDays: 30 });
      await sync({ full: true });
      assert.ok(await t.store.users.byUsername('user012@example.org'), 'kept within the grace period');
      mock.timers.enable({ apis: ['Date'], now: Date.now() + 31 * 86_400_000 });
      try {
        const { byName, report } = await sync({ full: true });
        assert.equal(report.counts.deleted, 2, 'user004 (deleted earlier) and user012');
        assert.match(byName.get('user012@example.org')!.message, /Deleted: gone from the directory for more than 30 days/);
        assert.match(byName.get('user004@example.org')!.message, /Deleted/);
      } finally { mock.timers.reset(); }
      assert.equal(await t.store.users.byUsername('user012@example.org'), undefined);
      assert.ok(await t.store.users.byUsername('user007@example.org'), 'an admin-deactivated user is never deleted by the sync');
      await t.store.sources.set(0, source);
    });

    test('a dry run of a delta shows the plan and keeps the cookie', async () => {
      slapd.modify(replaceLdif(`uid=user013,${PEOPLE}`, { cn: 'Dry Delta' }));
      const dry = await sync({ dryRun: true });
      assert.equal(dry.report.mode, 'delta:accesslog');
      assert.equal(dry.byName.get('user013@example.org')?.code, 200);
      assert.equal((await user('user013@example.org')).displayName, 'Bulk User 013');
      const real = await sync();
      assert.equal((await user('user013@example.org')).displayName, 'Dry Delta');
      assert.equal(real.byName.get('user013@example.org')?.code, 200);
    });
  });
}

describe('modifyTimestamp change detection (any LDAP server)', () => {
  let slapd: Slapd;
  let t: TestStore;
  let domainId: number;
  const sync = async (options: Partial<SyncOptions> = {}) => {
    const report = await runSync({ store: t.store, connect: (s) => connect(s) }, { domainId, importNew: true, lang: '', dryRun: false, ...options });
    return { report, outcomes: report.runId === null ? report.outcomes : await t.store.runs.allOutcomes(report.runId) };
  };

  before(async () => {
    slapd = await startSlapd({ entries: [...namedPeople, ...bulkPeople(30)] });
    t = await storeVariants()[0]!.open();
    domainId = (await t.store.domains.create({ name: 'example.org' })).id;
    await t.store.sources.set(0, sourceConfig(slapd, { delta: 'timestamp', clockSkewSeconds: 0 }));
  });
  after(async () => { await slapd?.destroy(); await t?.cleanup(); });

  test('changes by modifyTimestamp, deletions by a scan of IDs alone', async () => {
    // modifyTimestamp has whole seconds, and >= re-reads the cookie's own second (harmless, but not "exactly").
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await sync()).report.mode, 'full');
    await new Promise((r) => setTimeout(r, 1100));
    slapd.modify(replaceLdif(`uid=user001,${PEOPLE}`, { cn: 'Stamped' }));
    slapd.remove(`uid=user002,${PEOPLE}`);
    const { report, outcomes } = await sync();
    assert.equal(report.mode, 'delta:timestamp');
    assert.deepEqual(outcomes.map((o) => [o.username, o.code]).sort(), [['user001@example.org', 200], ['user002@example.org', 404]]);
    assert.ok(report.entriesSeen <= 2, `${report.entriesSeen} entries seen`);
  });

  test('a full reconcile runs when the last one is older than the schedule', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.now() + 25 * 3_600_000 });
    try {
      const { report } = await sync();
      assert.equal(report.mode, 'full');
      assert.equal(report.modeReason, 'scheduled full reconcile');
    } finally { mock.timers.reset(); }
  });
});
