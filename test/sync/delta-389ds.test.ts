/**
 * Delta sync on 389 Directory Server with its Content Synchronization plugin: `auto` finds RFC
 * 4533 content sync, the vendor preset's nsUniqueId is the stable ID (the sync UUID is its 16
 * bytes), and five delta runs in a row give exactly the changes made.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DS_ADMIN, DS_ADMIN_PW, DS_BASE, dirsrvUnavailable, startDirsrv, type Dirsrv } from '../support/dirsrv.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { replaceLdif, type LdifEntry } from '../support/ldif.ts';
import { fiveDeltas, syncOnce, type DeltaStep } from '../support/delta-scenario.ts';
import { TEST_FILTER } from '../fixtures/people.ts';

const unavailable = dirsrvUnavailable();
const PEOPLE = `ou=people,${DS_BASE}`;
const ELSEWHERE = `ou=elsewhere,${DS_BASE}`;

const person = (uid: string, cn: string): LdifEntry => ({ dn: `uid=${uid},${PEOPLE}`, objectClass: ['top', 'inetOrgPerson'], uid, cn, sn: cn.split(' ').at(-1)!, mail: `${uid}@example.org` });

describe('delta sync on 389 Directory Server (content sync plugin)', { skip: unavailable ?? false }, () => {
  let ds: Dirsrv;
  let t: TestStore;
  let domainId: number;

  before(async () => {
    const users = Array.from({ length: 12 }, (_, i) => person(`user${String(i + 1).padStart(3, '0')}`, `Person ${i + 1}`));
    ds = await startDirsrv([
      { dn: PEOPLE, objectClass: ['top', 'organizationalUnit'], ou: 'people' },
      { dn: ELSEWHERE, objectClass: ['top', 'organizationalUnit'], ou: 'elsewhere' },
      ...users,
    ]);
    t = await storeVariants()[0]!.open();
    domainId = (await t.store.domains.create({ name: 'example.org' })).id;
    await t.store.sources.set(0, {
      vendor: '389ds',
      connection: { server: ds.url, bindUser: DS_ADMIN, bindPass: DS_ADMIN_PW },
      baseDn: PEOPLE,
      users: { filter: TEST_FILTER },
      pageSize: 5,
    });
  });
  after(async () => { await ds?.destroy(); await t?.cleanup(); });

  test('auto picks content sync; five delta runs in a row give exactly the changes made', async () => {
    const steps: DeltaStep[] = [
      { name: 'add', act: () => ds.add([person('newcomer', 'New Comer')]), expect: [['newcomer@example.org', 201]] },
      { name: 'change', act: () => ds.modify(replaceLdif(`uid=user001,${PEOPLE}`, { cn: 'Changed One' })), expect: [['user001@example.org', 200]] },
      {
        name: 'rename', act: () => ds.rename(`uid=user002,${PEOPLE}`, 'uid=user002-renamed'), expect: [['user002@example.org', 200]],
        check: async () => assert.equal((await t.store.users.byUsername('user002@example.org'))!.dn?.toLowerCase(), `uid=user002-renamed,${PEOPLE}`),
      },
      { name: 'move out of scope', act: () => ds.rename(`uid=user003,${PEOPLE}`, 'uid=user003', ELSEWHERE), expect: [['user003@example.org', 404]] },
      { name: 'delete', act: () => ds.remove(`uid=user004,${PEOPLE}`), expect: [['user004@example.org', 404]] },
    ];
    const reports = await fiveDeltas(t, domainId, 'syncrepl', 12, steps);
    assert.match(reports[0]!.mechanismReason ?? '', /^389 Project .*; the server does RFC 4533 content sync on the base$/);
    assert.ok(reports.slice(1).every((r) => r.entriesSeen <= 2), `delta runs read only what changed: ${reports.map((r) => r.entriesSeen).join(', ')}`);
    for (const gone of ['user003@example.org', 'user004@example.org']) assert.equal((await t.store.users.byUsername(gone))!.status, 'deactivated');
    const idle = await syncOnce(t, domainId);
    assert.equal(idle.report.mode, 'delta:syncrepl');
    assert.deepEqual(idle.outcomes, []);
  });

  test('a cookie the server refuses gives a full run that says why, then deltas again', async () => {
    const state = (await t.store.syncState.get(domainId))!;
    await t.store.syncState.set({ ...state, cookie: Buffer.from('elsewhere:389#cn=nobody:dc=other:(objectClass=*)#7').toString('base64') });
    const refused = await syncOnce(t, domainId);
    assert.equal(refused.report.status, 'completed', refused.report.message);
    assert.equal(refused.report.mode, 'full');
    assert.match(refused.report.modeReason ?? '', /refused the stored cookie|e-syncRefreshRequired/);
    assert.equal(refused.report.mechanism, 'syncrepl');
    ds.modify(replaceLdif(`uid=user005,${PEOPLE}`, { cn: 'After Refusal' }));
    const next = await syncOnce(t, domainId);
    assert.equal(next.report.mode, 'delta:syncrepl');
    assert.deepEqual(next.outcomes.map((o) => [o.username, o.code]), [['user005@example.org', 200]]);
  });
});
