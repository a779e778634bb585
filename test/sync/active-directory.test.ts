/**
 * Active Directory for real: a Samba AD DC provisioned by the harness. objectGUID identity,
 * sAMAccountName and UPN mapping, disabled accounts, nested groups, a 2,001-member group read
 * through range retrieval, paging, continuation references, and uSNChanged deltas with deletions.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AD_ADMIN, AD_ADMIN_PW, AD_BASE, AD_USER_PW, sambaUnavailable, startSamba, unicodePwd, type SambaDc } from '../support/samba.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { runSync, type SyncOptions } from '../../src/sync/engine.ts';
import { connect } from '../../src/directory/client.ts';
import { parseSource } from '../../src/directory/source.ts';
import type { Outcome } from '../../src/domain/outcome.ts';

const unavailable = await sambaUnavailable();
const STAFF = `OU=Staff,${AD_BASE}`;
const CONTACTS = `OU=Contacts,${AD_BASE}`;

const adUser = (sam: string, name: string, extra: string[] = [], uac = 512) => [
  `dn: CN=${name},${STAFF}`, 'objectClass: user', `sAMAccountName: ${sam}`, `userPrincipalName: ${sam}@example.test`,
  `displayName: ${name}`, `givenName: ${name.split(' ')[0]}`, `mail: ${sam.replace('ad.', '')}@example.test`,
  `unicodePwd:: ${unicodePwd(AD_USER_PW)}`, `userAccountControl: ${uac}`, ...extra, '',
].join('\n');

describe('Active Directory (Samba AD DC)', { skip: unavailable ?? false }, () => {
  let dc: SambaDc;
  let t: TestStore;
  let domainId: number;
  let config: Record<string, unknown>;

  const sync = async (options: Partial<SyncOptions> = {}) => {
    const report = await runSync({ store: t.store, connect: (s) => connect(s) }, { domainId, importNew: true, lang: '', dryRun: false, ...options });
    const outcomes: Outcome[] = report.runId === null ? report.outcomes : await t.store.runs.allOutcomes(report.runId);
    return { report, outcomes, byName: new Map(outcomes.map((o) => [o.username, o])) };
  };
  const user = async (name: string) => (await t.store.users.byUsername(name))!;

  before(async () => {
    dc = await startSamba();
    const ldif: string[] = [`dn: ${STAFF}\nobjectClass: organizationalUnit\n`, `dn: ${CONTACTS}\nobjectClass: organizationalUnit\n`];
    ldif.push(adUser('ad.alice', 'Alice Äbel', ['proxyAddresses: SMTP:alice@example.test', 'proxyAddresses: smtp:al@example.test']));
    ldif.push(adUser('ad.bob', 'Bob Builder'));
    ldif.push(adUser('ad.carol', 'Carol Disabled', [], 514));
    for (let i = 1; i <= 12; i++) ldif.push(adUser(`ad.u${String(i).padStart(3, '0')}`, `Bulk Person ${i}`));
    const contacts = Array.from({ length: 2000 }, (_, i) => `CN=Contact ${i},${CONTACTS}`);
    for (const dn of contacts) ldif.push(`dn: ${dn}\nobjectClass: contact\n`);
    ldif.push(`dn: CN=Inner,${STAFF}\nobjectClass: group\nsAMAccountName: inner\nmember: CN=Alice Äbel,${STAFF}\n`);
    ldif.push(`dn: CN=Outer,${STAFF}\nobjectClass: group\nsAMAccountName: outer\nmember: CN=Inner,${STAFF}\n`);
    ldif.push([`dn: CN=Big group,${STAFF}`, 'objectClass: group', 'sAMAccountName: biggroup', ...contacts.map((c) => `member: ${c}`), `member: CN=Bob Builder,${STAFF}`, ''].join('\n'));
    dc.add(ldif.join('\n'));
    t = await storeVariants()[0]!.open();
    domainId = (await t.store.domains.create({ name: 'example.test' })).id;
    config = {
      vendor: 'activedirectory',
      connection: { server: dc.ldapsUrl, bindUser: AD_ADMIN, bindPass: AD_ADMIN_PW, caFile: dc.caFile },
      baseDn: AD_BASE,
      users: {},
      groups: { roleMap: { Outer: 'outer-role', 'Big group': 'big' } },
      pageSize: 5,
      // Disabled accounts count toward the threshold like absences: the delta below disables one
      // and deletes one of 15 (13 %), which is meant to go through.
      threshold: { percent: 20 },
      // This file exercises the uSNChanged reader; `auto` picks DirSync for Administrator (delta-samba.test.ts).
      delta: 'usn',
    };
    await t.store.sources.set(0, config);
  });
  after(async () => { await dc?.destroy(); await t?.cleanup(); });

  test('a full import: objectGUID identity, AD names mapped, disabled account deactivated, paged past references', async () => {
    const { report, byName } = await sync();
    assert.equal(report.status, 'completed', report.message);
    assert.equal(report.mode, 'full');
    assert.equal(report.counts.created, 15);
    const alice = await user('alice@example.test');
    assert.equal(alice.externId?.length, 16, 'objectGUID is 16 bytes');
    assert.equal(alice.displayName, 'Alice Äbel');
    assert.deepEqual(alice.aliases, ['al@example.test']);
    assert.equal(alice.properties.altname, 'ad.alice');
    assert.equal(alice.properties.userprincipalname, 'ad.alice@example.test');
    const carol = await user('carol@example.test');
    assert.equal(carol.status, 'deactivated');
    assert.equal(carol.statusReason, 'account disabled in Active Directory (userAccountControl)');
    assert.equal(byName.get('carol@example.test')?.code, 201);
  });

  test('nested groups and a 2,001-member group are resolved in full', async () => {
    const alice = await user('alice@example.test');
    assert.deepEqual(alice.groups, ['Inner', 'Outer']);
    assert.deepEqual(alice.roles, ['outer-role']);
    const bob = await user('bob@example.test');
    assert.ok(bob.groups.includes('Big group'));
    assert.deepEqual(bob.roles, ['big']);
    const directory = await connect(parseSource(config));
    try {
      let big = null;
      for await (const page of directory.groups()) big ??= page.find((g) => g.name === 'Big group');
      assert.equal(big?.members.length, 2001, 'every range of member values was read');
    } finally { await directory.close(); }
  });

  test('a uSNChanged delta gives exactly the changes: change, add, disable, delete', async () => {
    dc.modify(`dn: CN=Alice Äbel,${STAFF}\nchangetype: modify\nreplace: displayName\ndisplayName: Alice Changed\n\n`);
    dc.modify(`dn: CN=Bulk Person 4,${STAFF}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 514\n\n`);
    dc.remove(`CN=Bulk Person 3,${STAFF}`);
    dc.add(adUser('ad.dave', 'Dave Delta'));
    const { report, outcomes, byName } = await sync();
    assert.equal(report.mode, 'delta:usn', report.modeReason ?? '');
    assert.equal(report.status, 'completed', report.message);
    assert.deepEqual(outcomes.map((o) => [o.username, o.code]).sort(), [
      ['alice@example.test', 200], ['dave@example.test', 201], ['u003@example.test', 404], ['u004@example.test', 200],
    ]);
    assert.equal((await user('alice@example.test')).displayName, 'Alice Changed');
    assert.equal((await user('u003@example.test')).status, 'deactivated');
    assert.equal((await user('u004@example.test')).status, 'deactivated');
    assert.match(byName.get('u004@example.test')!.message, /userAccountControl/);
    const idle = await sync();
    assert.equal(idle.report.mode, 'delta:usn');
    assert.deepEqual(idle.outcomes, []);
  });

  test('a membership change reaches the members through a delta', async () => {
    dc.modify(`dn: CN=Inner,${STAFF}\nchangetype: modify\nadd: member\nmember: CN=Bulk Person 5,${STAFF}\n\n`);
    const { report } = await sync();
    assert.equal(report.mode, 'delta:usn');
    assert.deepEqual((await user('u005@example.test')).groups, ['Inner', 'Outer']);
  });
});
