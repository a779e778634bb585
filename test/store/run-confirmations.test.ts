/**
 * The users a run found unchanged are kept as one bitmap, not a row each: their outcome lines and
 * last-synced times are generated from it, on node:sqlite and on PostgreSQL alike.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { emptyCounts } from '../../src/domain/outcome.ts';
import { IdBitmap } from '../../src/domain/id-bitmap.ts';
import type { NewUser } from '../../src/store/repositories/users.ts';

const newUser = (domainId: number, n: number): NewUser => ({
  domainId, username: `u${n}@example.org`, externId: new Uint8Array([n, n + 1]), dn: `uid=u${n},dc=x`, displayName: `U${n}`,
  email: `u${n}@example.org`, aliases: [], lang: '', status: 'active', statusSource: null, statusReason: null, properties: {}, syncHash: 'h',
});

const finish = (t: TestStore, runId: number) => t.store.runs.finish(runId, { status: 'completed', counts: emptyCounts(), entriesSeen: 0, errorCode: null, message: '' });

test('an IdBitmap round-trips through its bytes', () => {
  const bits = new IdBitmap();
  for (const id of [0, 7, 8, 9000, 3]) bits.add(id);
  bits.add(7);
  assert.equal(bits.size, 5);
  const back = new IdBitmap(bits.bytes());
  assert.deepEqual([...back.ids()], [0, 3, 7, 8, 9000]);
  assert.equal(back.size, 5);
  assert.equal(back.has(9001), false);
});

test('an IdBitmap from its first ID holds no bit below it, and takes a lower ID by moving its start', () => {
  const bits = IdBitmap.fromFirst();
  assert.equal(bits.has(5), false);
  for (const id of [8_000_003, 8_000_100, 8_000_009]) bits.add(id);
  assert.ok(bits.bytes().length <= 13, `${bits.bytes().length} bytes for IDs 8,000,003 to 8,000,100`);
  assert.equal(bits.base, 8_000_000);
  const back = new IdBitmap(bits.bytes(), bits.base);
  assert.deepEqual([...back.ids()], [8_000_003, 8_000_009, 8_000_100]);
  bits.add(7_999_990);
  assert.deepEqual([...bits.ids()], [7_999_990, 8_000_003, 8_000_009, 8_000_100]);
  assert.equal(bits.size, 4);
  assert.equal(bits.has(7_999_991), false);
  const copy = bits.copy();
  assert.deepEqual([copy.size, copy.base, [...copy.ids()]], [4, bits.base, [...bits.ids()]]);
  copy.add(1);
  assert.equal(bits.has(1), false, 'a copy is its own');
  assert.deepEqual([copy.size, bits.size], [5, 4]);
  assert.deepEqual([...IdBitmap.fromFirst().copy().ids()], []);
});

for (const variant of storeVariants()) {
  describe(`run confirmations on ${variant.name}`, { skip: variant.skip }, () => {
    let t: TestStore;
    let domainId: number;
    let ids: number[];
    before(async () => {
      t = await variant.open();
      domainId = (await t.store.domains.create({ name: 'example.org' })).id;
      ids = (await t.store.users.insertMany([1, 2, 3, 4].map((n) => newUser(domainId, n)), '2026-01-01T00:00:00.000Z')).map((u) => u.id).sort((a, b) => a - b);
    });
    after(async () => { await t?.cleanup(); });

    test('outcomes list the changes, then every user the run confirmed', async () => {
      const runId = await t.store.runs.start({ taskId: null, domainId, dryRun: false, importNew: false });
      await t.store.runs.addOutcomes(runId, 0, [{ ID: ids[1]!, username: 'u2@example.org', code: 200, message: 'Synchronization successful (displayName: U2 → V2)' }]);
      const confirmed = new IdBitmap();
      for (const id of [ids[0]!, ids[2]!, ids[3]!]) confirmed.add(id);
      await t.store.transaction((tx) => tx.runs.confirm(runId, domainId, confirmed));
      await finish(t, runId);
      const outcomes = await t.store.runs.allOutcomes(runId);
      assert.deepEqual(outcomes.map((o) => o.username), ['u2@example.org', 'u1@example.org', 'u3@example.org', 'u4@example.org']);
      assert.deepEqual(outcomes.slice(1).map((o) => [o.code, o.message]), Array(3).fill([200, 'Synchronization successful']));
      const started = (await t.store.runs.get(runId))!.startedAt;
      assert.equal((await t.store.users.get(ids[0]!))!.lastSyncedAt, started);
      assert.equal((await t.store.users.get(ids[1]!))!.lastSyncedAt, '2026-01-01T00:00:00.000Z', 'not confirmed: as stored');
      assert.deepEqual((await t.store.users.list({ domainId, limit: 10, offset: 0 })).users.map((u) => u.lastSyncedAt === started), [true, false, true, true]);
    });

    test('a bitmap that starts at its first ID gives the same outcome lines and last-synced times', async () => {
      const runId = await t.store.runs.start({ taskId: null, domainId, dryRun: false, importNew: false });
      const confirmed = IdBitmap.fromFirst();
      for (const id of [ids[2]!, ids[3]!]) confirmed.add(id);
      assert.ok(confirmed.bytes().length <= 2, 'no bit for the users before the first');
      await t.store.transaction((tx) => tx.runs.confirm(runId, domainId, confirmed));
      await finish(t, runId);
      assert.deepEqual((await t.store.runs.allOutcomes(runId)).map((o) => o.username), ['u3@example.org', 'u4@example.org']);
      const started = (await t.store.runs.get(runId))!.startedAt;
      assert.equal((await t.store.users.get(ids[3]!))!.lastSyncedAt, started);
      assert.notEqual((await t.store.users.get(ids[1]!))!.lastSyncedAt, started);
    });

    test('a later run keeps what the earlier one confirmed of the users it did not', async () => {
      const first = (await t.store.runs.lastForDomain(domainId))!;
      const runId = await t.store.runs.start({ taskId: null, domainId, dryRun: false, importNew: false });
      const confirmed = new IdBitmap();
      confirmed.add(ids[0]!);
      await t.store.transaction((tx) => tx.runs.confirm(runId, domainId, confirmed));
      await finish(t, runId);
      const second = (await t.store.runs.get(runId))!.startedAt;
      assert.equal((await t.store.users.get(ids[0]!))!.lastSyncedAt, second);
      assert.equal((await t.store.users.get(ids[2]!))!.lastSyncedAt, first.startedAt, 'confirmed by the first run only');
      assert.deepEqual((await t.store.runs.allOutcomes(runId)).map((o) => o.username), ['u1@example.org']);
    });
  });
}
