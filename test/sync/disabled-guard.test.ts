/**
 * Deactivations because accounts became disabled count toward the threshold like absences: a
 * disabled filter that suddenly matches the whole directory, or a wave of ppolicy locks, waits
 * for an admin; one locked account goes through at once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { replaceLdif } from '../support/ldif.ts';
import { bulkPeople, PEOPLE } from '../fixtures/people.ts';
import { syncOnce } from '../support/delta-scenario.ts';
import { decideRun } from '../../src/tasks/approval.ts';

describe('disabled accounts and the deactivation threshold', () => {
  let slapd: Slapd;
  let t: TestStore;
  let domainId: number;
  let source: Record<string, unknown>;
  const active = async () => (await t.store.users.list({ domainId, status: 'active', limit: 1000, offset: 0 })).total;

  before(async () => {
    slapd = await startSlapd({ entries: bulkPeople(20), tracking: 'syncprov' });
    t = await storeVariants()[0]!.open();
    domainId = (await t.store.domains.create({ name: 'example.org' })).id;
    source = sourceConfig(slapd, { baseDn: PEOPLE });
    await t.store.sources.set(0, source);
    assert.equal((await syncOnce(t, domainId)).report.counts.created, 20);
  });
  after(async () => { await slapd?.destroy(); await t?.cleanup(); });

  test('a disabled filter that suddenly matches everyone is held, not applied', async () => {
    await t.store.sources.set(0, { ...source, users: { ...(source.users as object), disabledFilter: '(objectClass=inetOrgPerson)' } });
    slapd.modify(replaceLdif(`uid=user001,${PEOPLE}`, { cn: 'Renamed While Held' }));
    const { report } = await syncOnce(t, domainId);
    assert.equal(report.status, 'awaiting-approval');
    assert.equal(report.held, 20);
    assert.equal(report.counts.deactivated, 0);
    assert.equal(await active(), 20, 'nobody deactivated');
    assert.equal((await t.store.users.byUsername('user001@example.org'))!.displayName, 'Renamed While Held', 'other changes are written');
    await decideRun(t.store, report.runId!, false, 'tester');
    assert.equal(await active(), 20);
    await t.store.sources.set(0, source);
    assert.equal((await syncOnce(t, domainId)).report.status, 'completed');
  });

  test('a wave of password-policy locks is held; a single lock is applied', async () => {
    for (const n of ['002', '003', '004']) slapd.modify(replaceLdif(`uid=user${n},${PEOPLE}`, { pwdAccountLockedTime: '000001010000Z' }));
    const wave = await syncOnce(t, domainId);
    assert.equal(wave.report.mode, 'delta:syncrepl');
    assert.equal(wave.report.status, 'awaiting-approval', '3 of 20 is more than 10 %');
    assert.equal(wave.report.held, 3);
    assert.equal(await active(), 20);
    await decideRun(t.store, wave.report.runId!, true, 'tester');
    assert.equal(await active(), 17);
    const locked = (await t.store.users.byUsername('user002@example.org'))!;
    assert.equal(locked.statusReason, 'account locked by password policy (pwdAccountLockedTime)', 'approved with its own reason, not as gone');
    const approved = await t.store.runs.allOutcomes(wave.report.runId!);
    assert.match(approved.findLast((o) => o.username === 'user002@example.org')!.message, /deactivated: account locked by password policy/);

    slapd.modify(replaceLdif(`uid=user005,${PEOPLE}`, { pwdAccountLockedTime: '000001010000Z' }));
    const one = await syncOnce(t, domainId);
    assert.equal(one.report.status, 'completed');
    assert.equal(one.report.counts.deactivated, 1);
    assert.deepEqual(one.outcomes.map((o) => [o.username, o.code]), [['user005@example.org', 200]]);
    assert.match(one.outcomes[0]!.message, /deactivated: account locked by password policy/);
    assert.equal((await t.store.users.byUsername('user005@example.org'))!.status, 'deactivated');
  });
});
