/**
 * Delta sync on a Samba AD DC as deployed: `auto` asks the DC and picks DirSync for an account
 * allowed to use it, uSNChanged for one that is not;
 * five delta runs in a row - add, change, rename, move out of scope, delete - give exactly those
 * changes. The users live in one OU, the source's base, so moving one elsewhere leaves the scope.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AD_ADMIN, AD_ADMIN_PW, AD_BASE, AD_USER_PW, sambaUnavailable, startSamba, unicodePwd, type SambaDc } from '../support/samba.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { fiveDeltas, syncOnce, type DeltaStep } from '../support/delta-scenario.ts';

const unavailable = await sambaUnavailable();
const TEAM = `OU=Team,${AD_BASE}`;
const ELSEWHERE = `OU=Elsewhere,${AD_BASE}`;

const adUser = (sam: string, name: string) => [
  `dn: CN=${name},${TEAM}`, 'objectClass: user', `sAMAccountName: ${sam}`, `userPrincipalName: ${sam}@example.test`,
  `displayName: ${name}`, `mail: ${sam}@example.test`, `unicodePwd:: ${unicodePwd(AD_USER_PW)}`, 'userAccountControl: 512', '',
].join('\n');

describe('delta sync on Samba AD DC', { skip: unavailable ?? false }, () => {
  let dc: SambaDc;
  let t: TestStore;
  let domainId: number;

  before(async () => {
    dc = await startSamba();
    const ldif = [`dn: ${TEAM}\nobjectClass: organizationalUnit\n`, `dn: ${ELSEWHERE}\nobjectClass: organizationalUnit\n`];
    for (let i = 1; i <= 10; i++) ldif.push(adUser(`p${String(i).padStart(2, '0')}`, `Person ${i}`));
    ldif.push(`dn: CN=Crew,${TEAM}\nobjectClass: group\nsAMAccountName: crew\nmember: CN=Person 5,${TEAM}\n`);
    dc.add(ldif.join('\n'));
    t = await storeVariants()[0]!.open();
    domainId = (await t.store.domains.create({ name: 'example.test' })).id;
    await t.store.sources.set(0, {
      vendor: 'activedirectory',
      connection: { server: dc.ldapsUrl, bindUser: AD_ADMIN, bindPass: AD_ADMIN_PW, caFile: dc.caFile },
      baseDn: TEAM,
      users: {},
      groups: { roleMap: { Crew: 'crew' } },
      pageSize: 4,
    });
  });
  after(async () => { await dc?.destroy(); await t?.cleanup(); });

  test('auto asks the DC; five delta runs in a row give exactly the changes made', async () => {
    const modrdn = (name: string, newRdn: string, parent?: string) =>
      dc.modify(`dn: CN=${name},${TEAM}\nchangetype: modrdn\nnewrdn: ${newRdn}\ndeleteoldrdn: 1\n${parent ? `newsuperior: ${parent}\n` : ''}\n`);
    const steps: DeltaStep[] = [
      { name: 'add', act: () => dc.add(adUser('newcomer', 'New Comer')), expect: [['newcomer@example.test', 201]] },
      { name: 'change', act: () => dc.modify(`dn: CN=Person 1,${TEAM}\nchangetype: modify\nreplace: displayName\ndisplayName: Changed One\n\n`), expect: [['p01@example.test', 200]] },
      {
        name: 'rename', act: () => modrdn('Person 2', 'CN=Person Two'), expect: [['p02@example.test', 200]],
        check: async () => assert.equal((await t.store.users.byUsername('p02@example.test'))!.dn, `CN=Person Two,${TEAM}`),
      },
      { name: 'move out of scope', act: () => modrdn('Person 3', 'CN=Person 3', ELSEWHERE), expect: [['p03@example.test', 404]] },
      { name: 'delete', act: () => dc.remove(`CN=Person 4,${TEAM}`), expect: [['p04@example.test', 404]] },
    ];
    const reports = await fiveDeltas(t, domainId, 'dirsync', 10, steps);
    assert.match(reports[0]!.mechanismReason ?? '', /Active Directory/);
    for (const gone of ['p03@example.test', 'p04@example.test']) assert.equal((await t.store.users.byUsername(gone))!.status, 'deactivated');
    const idle = await syncOnce(t, domainId);
    assert.equal(idle.report.mode, 'delta:dirsync');
    assert.deepEqual(idle.outcomes, []);
  });

  test('a membership change reaches the member through DirSync', async () => {
    assert.deepEqual((await t.store.users.byUsername('p05@example.test'))!.roles, ['crew']);
    dc.modify(`dn: CN=Crew,${TEAM}\nchangetype: modify\nadd: member\nmember: CN=Person 6,${TEAM}\n\n`);
    const { report, outcomes } = await syncOnce(t, domainId);
    assert.equal(report.mode, 'delta:dirsync');
    assert.deepEqual(outcomes.map((o) => [o.username, o.code]), [['p06@example.test', 200]]);
    assert.deepEqual((await t.store.users.byUsername('p06@example.test'))!.groups, ['Crew']);
  });

  test('an account without the right to DirSync gets uSNChanged, and delta runs', async () => {
    await t.store.sources.set(0, {
      vendor: 'activedirectory',
      connection: { server: dc.ldapsUrl, bindUser: 'p05@example.test', bindPass: AD_USER_PW, caFile: dc.caFile },
      baseDn: TEAM, users: {}, pageSize: 4,
    });
    const first = await syncOnce(t, domainId);
    assert.equal(first.report.modeReason, 'the source configuration changed');
    assert.equal(first.report.mechanism, 'usn', first.report.mechanismReason ?? '');
    assert.match(first.report.mechanismReason ?? '', /may not use DirSync/);
    dc.modify(`dn: CN=Person 6,${TEAM}\nchangetype: modify\nreplace: displayName\ndisplayName: Changed Six\n\n`);
    const { report, outcomes } = await syncOnce(t, domainId);
    assert.equal(report.mode, 'delta:usn');
    assert.deepEqual(outcomes.map((o) => [o.username, o.code]), [['p06@example.test', 200]]);
  });
});
