/** Users are looked up by a key made from their stable ID: on both stores, never a wrong match. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { openStore } from '../../src/open-store.ts';
import { externKey } from '../../src/store/extern-key.ts';
import type { NewUser } from '../../src/store/repositories/users.ts';

const newUser = (domainId: number, username: string, externId: string): NewUser => ({
  domainId, username, externId: new Uint8Array(Buffer.from(externId)), dn: `uid=${username},dc=x`, displayName: username,
  email: username, aliases: [], lang: '', status: 'active', statusSource: null, statusReason: null, properties: {}, syncHash: 'h',
});

test('the key is the same for the same bytes forever, 48 bits, and spread over them', () => {
  // Pinned: keys are stored, so the function may never change.
  assert.equal(externKey(Buffer.from('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0')), externKey(new Uint8Array(Buffer.from('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'))));
  assert.equal(externKey(Buffer.from('user0000001')), 117099608333803);
  assert.equal(externKey(Buffer.from([0, 0x5c, 0xff, 0x28])), 196879661218419);
  const keys = new Set<number>();
  for (let i = 0; i < 100_000; i++) {
    const key = externKey(Buffer.from(`user${String(i).padStart(7, '0')}`));
    assert.ok(Number.isSafeInteger(key) && key >= 0 && key < 2 ** 48);
    keys.add(key);
  }
  assert.equal(keys.size, 100_000, 'IDs that differ in one character have keys of their own');
});

/** Runs SQL on the store's own database, beside the store. */
async function rawSql(t: TestStore, statements: string[]): Promise<void> {
  if (t.databaseUrl) {
    const client = new pg.Client({ connectionString: t.databaseUrl, options: `-c search_path=${t.schema}` });
    await client.connect();
    try { for (const s of statements) await client.query(s); } finally { await client.end(); }
  } else {
    const db = new DatabaseSync(join(t.dataDir, 'ldapsync.sqlite'));
    try { for (const s of statements) db.exec(s); } finally { db.close(); }
  }
}

for (const variant of storeVariants()) {
  describe(`ID keys on ${variant.name}`, { skip: variant.skip }, () => {
    let t: TestStore;
    before(async () => { t = await variant.open(); });
    after(async () => { await t?.cleanup(); });

    test('two IDs that share a key: each lookup finds its own user only', async () => {
      const d = await t.store.domains.create({ name: 'keys.example' });
      const [a, b] = await t.store.users.insertMany([newUser(d.id, 'a@keys.example', 'id-a'), newUser(d.id, 'b@keys.example', 'id-b')]);
      // As if id-b's key were id-a's: a collision, made on purpose.
      await rawSql(t, [`UPDATE users SET extern_key = ${externKey(Buffer.from('id-a'))} WHERE id = ${b!.id}`]);
      assert.deepEqual((await t.store.users.byExternIds([Buffer.from('id-a')])).map((u) => u.id), [a!.id]);
      assert.deepEqual((await t.store.users.syncStatesByExternIds([Buffer.from('id-a')])).map((u) => u.id), [a!.id]);
      assert.deepEqual((await t.store.users.byExternIds([Buffer.from('id-x')])).map((u) => u.id), []);
      // A link sets the key again, a detach clears it.
      await t.store.users.updateSynced(b!.id, { username: 'b@keys.example', dn: 'uid=b,dc=x', displayName: 'b', email: 'b@keys.example', aliases: [], properties: {}, syncHash: 'h', groups: [], roles: [], entryKey: null, externId: new Uint8Array(Buffer.from('id-b2')) });
      assert.deepEqual((await t.store.users.byExternIds([Buffer.from('id-b2')])).map((u) => u.id), [b!.id]);
      await t.store.users.detach(b!.id);
      assert.deepEqual((await t.store.users.byExternIds([Buffer.from('id-b2')])).map((u) => u.id), []);
    });

    test('a user written without its key (by hand, by an older instance) is given it, and found again', async () => {
      const d = await t.store.domains.create({ name: 'nokey.example' });
      const [c] = await t.store.users.insertMany([newUser(d.id, 'c@nokey.example', 'id-c')]);
      await rawSql(t, [`UPDATE users SET extern_key = NULL WHERE id = ${c!.id}`]);
      assert.deepEqual(await t.store.users.byExternIds([Buffer.from('id-c')]), []);
      assert.equal(await t.store.users.fillMissingExternKeys(), 1);
      assert.deepEqual((await t.store.users.byExternIds([Buffer.from('id-c')])).map((u) => u.id), [c!.id]);
      assert.equal(await t.store.users.fillMissingExternKeys(), 0);
    });

    test('users linked before keys existed get theirs when the store opens', async () => {
      const d = await t.store.domains.create({ name: 'before.example' });
      const users = Array.from({ length: 12_000 }, (_, i) => newUser(d.id, `u${i}@before.example`, `before-${i}`));
      await t.store.users.insertMany(users);
      await t.store.close();
      // The store as it was before: no key column, the index on the ID's bytes, and none of the
      // migrations from that one on recorded (those after it run again, as on such a store).
      await rawSql(t, ['DROP INDEX users_extern_key', 'DROP INDEX users_extern_key_missing', 'ALTER TABLE users DROP COLUMN extern_key', 'CREATE INDEX users_extern ON users (extern_id)', `DELETE FROM kysely_migration WHERE name >= '017-extern-keys'`]);
      t.store = await openStore({ dataDir: t.dataDir, databaseUrl: t.databaseUrl, ...(t.schema ? { schema: t.schema } : {}) });
      const found = await t.store.users.byExternIds([Buffer.from('before-0'), Buffer.from('before-5000'), Buffer.from('before-11999')]);
      assert.deepEqual(found.map((u) => u.username).sort(), ['u0@before.example', 'u11999@before.example', 'u5000@before.example']);
      await t.store.close();
    });
  });
}
