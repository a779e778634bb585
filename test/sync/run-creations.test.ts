/**
 * The users a run creates are kept as one bitmap per run, written with each batch: an import
 * writes no outcome row per user, and a run cut short still names every user it created.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { bulkPeople } from '../fixtures/people.ts';
import { runSync, type SyncOptions } from '../../src/sync/engine.ts';
import { connect } from '../../src/directory/client.ts';

for (const variant of storeVariants()) {
  describe(`run creations on ${variant.name}`, { skip: variant.skip }, () => {
    let slapd: Slapd;
    let t: TestStore;
    let domainId: number;
    const sync = (options: Partial<SyncOptions> = {}) => runSync({ store: t.store, connect: (s) => connect(s) }, { domainId, importNew: true, lang: '', dryRun: false, full: true, ...options });
    const stored = async () => (await t.store.users.list({ domainId, limit: 1000, offset: 0 })).users;

    before(async () => {
      slapd = await startSlapd({ entries: bulkPeople(100) });
      t = await variant.open();
      domainId = (await t.store.domains.create({ name: 'example.org' })).id;
      await t.store.sources.set(0, sourceConfig(slapd, { pageSize: 7, delta: 'off' }));
      // A local user of the same name as an entry: the import's one conflict.
      await t.store.users.insertMany([{ domainId, username: 'user050@example.org', externId: null, dn: null, displayName: 'Local', email: 'user050@example.org', aliases: [], lang: '', status: 'active', statusSource: null, statusReason: null, properties: {}, syncHash: null }]);
    });
    after(async () => { await slapd?.destroy(); await t?.cleanup(); });

    test('an import cut short names every user it created, and no more', async () => {
      let pages = 0;
      const report = await sync({ onProgress: () => { if (++pages === 3) slapd.kill(); } });
      assert.equal(report.status, 'failed');
      const created = (await stored()).filter((u) => u.externId);
      assert.ok(created.length >= 21 && created.length < 100, `${created.length} created before the directory died`);
      const outcomes = await t.store.runs.allOutcomes(report.runId!);
      assert.deepEqual(outcomes.map((o) => [o.ID, o.username, o.code, o.message]), created.sort((a, b) => a.id - b.id).map((u) => [u.id, u.username, 201, 'User created']));
      assert.equal(await t.store.runs.nextSeq(report.runId!), 0, 'no outcome row for any of them');
      await slapd.start();
    });

    test('the next import lists what it has to say first, then the users it created', async () => {
      const before = new Set((await stored()).map((u) => u.id));
      const report = await sync();
      assert.equal(report.status, 'completed', report.message);
      const outcomes = await t.store.runs.allOutcomes(report.runId!);
      assert.deepEqual([outcomes[0]!.username, outcomes[0]!.code], ['user050@example.org', 409]);
      const created = (await stored()).filter((u) => !before.has(u.id)).sort((a, b) => a.id - b.id);
      assert.equal(created.length, report.counts.created);
      const createdLines = outcomes.filter((o) => o.code === 201);
      assert.deepEqual(createdLines.map((o) => o.ID), created.map((u) => u.id));
      assert.ok(createdLines.every((o) => o.message === 'User created'));
      assert.equal(outcomes.length, 100, 'every entry once: the conflict, the created, the unchanged');
      assert.equal(await t.store.runs.nextSeq(report.runId!), 1, 'the conflict is the one row');
    });
  });
}
