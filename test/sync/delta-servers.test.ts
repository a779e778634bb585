/**
 * Delta sync on OpenLDAP as it is deployed: syncprov only (the stock replication set-up, with a
 * session log; and without one, where deletions come as a present phase), no overlay at all, and
 * syncprov with accesslog. `auto` asks the server and must pick RFC 4533
 * content sync, timestamps and content sync respectively; each gives five delta runs in a row
 * with exactly the changes made. A forced mechanism the server lacks stops the run with a reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_DN, startSlapd, type ChangeTracking, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { replaceLdif } from '../support/ldif.ts';
import { bulkPeople, PEOPLE } from '../fixtures/people.ts';
import { fiveDeltas, syncOnce, type DeltaStep } from '../support/delta-scenario.ts';
import { connect } from '../../src/directory/client.ts';
import { parseSource } from '../../src/directory/source.ts';
import { decodeCookie } from '../../src/sync/delta-syncrepl.ts';
import { LdapAdmin } from '../../src/sync/ldap-admin.ts';

const SERVICES = `ou=services,${BASE_DN}`;

function steps(slapd: () => Slapd): DeltaStep[] {
  return [
    { name: 'add', act: () => slapd().add([{ dn: `uid=newcomer,${PEOPLE}`, objectClass: ['inetOrgPerson'], uid: 'newcomer', cn: 'New Comer', sn: 'Comer', mail: 'newcomer@example.org' }]), expect: [['newcomer@example.org', 201]] },
    { name: 'change', act: () => slapd().modify(replaceLdif(`uid=user001,${PEOPLE}`, { cn: 'Changed One' })), expect: [['user001@example.org', 200]] },
    {
      name: 'rename', act: () => slapd().rename(`uid=user002,${PEOPLE}`, 'uid=user002-renamed'), expect: [['user002@example.org', 200]],
      check: async (t) => assert.equal((await t.store.users.byUsername('user002@example.org'))!.dn, `uid=user002-renamed,${PEOPLE}`),
    },
    {
      name: 'move out of scope', act: () => slapd().rename(`uid=user003,${PEOPLE}`, 'uid=user003', SERVICES), expect: [['user003@example.org', 404]],
      check: async (t) => assert.equal((await t.store.users.byUsername('user003@example.org'))!.status, 'deactivated'),
    },
    {
      name: 'delete', act: () => slapd().remove(`uid=user004,${PEOPLE}`), expect: [['user004@example.org', 404]],
      check: async (t) => assert.equal((await t.store.users.byUsername('user004@example.org'))!.status, 'deactivated'),
    },
  ];
}

const SERVERS: Array<{ tracking: ChangeTracking; mechanism: string }> = [
  { tracking: 'syncprov', mechanism: 'syncrepl' },
  { tracking: 'syncprov-nolog', mechanism: 'syncrepl' },
  { tracking: 'none', mechanism: 'timestamp' },
  { tracking: 'accesslog', mechanism: 'syncrepl' },
];

for (const { tracking, mechanism } of SERVERS) {
  describe(`delta sync on slapd with change tracking '${tracking}'`, () => {
    let slapd: Slapd;
    let t: TestStore;
    let domainId: number;

    before(async () => {
      slapd = await startSlapd({ entries: bulkPeople(20), tracking });
      t = await storeVariants()[0]!.open();
      domainId = (await t.store.domains.create({ name: 'example.org' })).id;
    });
    after(async () => { await slapd?.destroy(); await t?.cleanup(); });

    test(`auto picks ${mechanism}; five delta runs in a row give exactly the changes made`, async () => {
      await t.store.sources.set(0, sourceConfig(slapd, { baseDn: PEOPLE, clockSkewSeconds: 0 }));
      const reports = await fiveDeltas(t, domainId, mechanism, 20, steps(() => slapd), mechanism === 'timestamp' ? 1100 : 0);
      assert.ok(reports.slice(1).every((r) => r.entriesSeen <= 2), `delta runs read only what changed: ${reports.map((r) => r.entriesSeen).join(', ')}`);
      const idle = await syncOnce(t, domainId);
      assert.equal(idle.report.mode, `delta:${mechanism}`);
      assert.deepEqual(idle.outcomes, [], 'an idle delta reports nothing');
      if (mechanism === 'syncrepl') {
        // Which way the server told of deletions: a session log names them, without one a present phase.
        slapd.remove(`uid=user005,${PEOPLE}`);
        const directory = await connect(parseSource(sourceConfig(slapd, { baseDn: PEOPLE })));
        try {
          const refresh = await directory.contentSync(PEOPLE, '(objectClass=*)', ['1.1'], decodeCookie((await t.store.syncState.get(domainId))!.cookie));
          assert.equal(refresh.code, 0);
          assert.equal(refresh.deletesExplicit, tracking !== 'syncprov-nolog');
          if (tracking === 'syncprov-nolog') assert.ok(refresh.present.size >= 15, `${refresh.present.size} named present`);
          else assert.equal(refresh.deleted.size, 1);
        } finally { await directory.close(); }
        const gone = await syncOnce(t, domainId);
        assert.deepEqual(gone.outcomes.map((o) => [o.username, o.code]), [['user005@example.org', 404]]);
      }
    });

    if (tracking === 'syncprov') {
      test('runs without import stay deltas; the next run with import is full and imports what they left out', async () => {
        slapd.add([{ dn: `uid=later,${PEOPLE}`, objectClass: ['inetOrgPerson'], uid: 'later', cn: 'Later Comer', sn: 'Comer', mail: 'later@example.org' }]);
        for (let i = 0; i < 2; i++) {
          const without = await syncOnce(t, domainId, false);
          assert.equal(without.report.mode, 'delta:syncrepl', without.report.modeReason ?? '');
          assert.equal(await t.store.users.byUsername('later@example.org'), undefined);
        }
        const withImport = await syncOnce(t, domainId);
        assert.equal(withImport.report.mode, 'full');
        assert.equal(withImport.report.modeReason, 'a run without import left new entries out');
        assert.equal(withImport.report.counts.created, 1);
        assert.equal((await syncOnce(t, domainId)).report.mode, 'delta:syncrepl');
      });

      test('content sync over StartTLS and LDAPS, verified against the CA', async () => {
        for (const connection of [{ starttls: true }, { server: slapd.ldapsUrl }]) {
          const directory = await connect(parseSource(sourceConfig(slapd, { baseDn: PEOPLE, connection })));
          try {
            const refresh = await directory.contentSync(PEOPLE, '(uid=user010)', ['uid'], null);
            assert.equal(refresh.code, 0, JSON.stringify(connection));
            assert.equal(refresh.changed.size, 1);
          } finally { await directory.close(); }
        }
      });
    }

    if (tracking === 'accesslog') {
      test('forcing accesslog where it is readable keeps it', async () => {
        await t.store.sources.set(0, sourceConfig(slapd, { baseDn: PEOPLE, delta: 'accesslog' }));
        const switched = await syncOnce(t, domainId);
        assert.equal(switched.report.mode, 'full');
        assert.equal(switched.report.modeReason, 'change detection switched to accesslog');
        slapd.modify(replaceLdif(`uid=user006,${PEOPLE}`, { cn: 'Logged' }));
        const { report, outcomes } = await syncOnce(t, domainId);
        assert.equal(report.mode, 'delta:accesslog');
        assert.deepEqual(outcomes.map((o) => [o.username, o.code]), [['user006@example.org', 200]]);
      });
    } else {
      test('a forced mechanism the server lacks is an error, not a fallback', async () => {
        const forced = tracking === 'none' ? 'syncrepl' : 'accesslog';
        const config = sourceConfig(slapd, { baseDn: PEOPLE, delta: forced });
        // At save: the connection test the admin APIs run before storing a source refuses it.
        await assert.rejects(new LdapAdmin(t.store, (s) => connect(s)).test(config), new RegExp(`delta is set to '${forced}', but`));
        await t.store.sources.set(0, config);
        const { report } = await syncOnce(t, domainId);
        assert.equal(report.status, 'failed');
        assert.match(report.message, new RegExp(`delta is set to '${forced}', but`));
      });
    }
  });
}
