/** Secrets at rest: the bind password never sits in the database in the clear; keys rotate. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { openStore } from '../../src/open-store.ts';
import { KeyRing } from '../../src/auth/secret-box.ts';
import { keyRingPath, loadKeyRing } from '../../src/auth/keys.ts';

const SECRET = 'hunter2-very-secret-bind-password';
const config = { connection: { server: 'ldap://127.0.0.1', bindUser: 'cn=x', bindPass: SECRET }, baseDn: 'dc=x' };

for (const variant of storeVariants()) {
  describe(`secrets at rest on ${variant.name}`, { skip: variant.skip }, () => {
    let t: TestStore;
    before(async () => { t = await variant.open(); await t.store.sources.set(0, config); });
    after(async () => { await t?.cleanup(); });

    test('the stored row holds ciphertext; the repository gives the password back', async () => {
      assert.equal(((await t.store.sources.get(0))!.connection as Record<string, unknown>).bindPass, SECRET);
      let raw: string;
      if (variant.name === 'sqlite') {
        raw = readdirSync(t.dataDir).filter((f) => f.startsWith('ldapsync.sqlite')).map((f) => readFileSync(join(t.dataDir, f)).toString('latin1')).join('');
      } else {
        const client = new pg.Client({ connectionString: t.databaseUrl!, options: `-c search_path=${t.schema}` });
        await client.connect();
        raw = JSON.stringify((await client.query('SELECT config FROM directory_sources')).rows);
        await client.end();
      }
      assert.ok(!raw.includes(SECRET), 'no plaintext password in the database');
      assert.match(raw, /enc:v1:/);
    });

    test('a store opened with another key cannot read it', async () => {
      const other = await openStore({ dataDir: t.dataDir, databaseUrl: t.databaseUrl, schema: t.schema ?? undefined, cipher: KeyRing.fresh() });
      try { await assert.rejects(other.sources.get(0), /cannot decrypt a stored secret/); } finally { await other.close(); }
    });
  });
}

describe('key rotation from the CLI', () => {
  let t: TestStore;
  before(async () => { t = await storeVariants()[0]!.open(); await t.store.sources.set(0, config); await t.store.close(); });
  after(async () => { await t?.cleanup().catch(() => undefined); });

  test('ldapsync keys rotate re-encrypts every secret under a new key and retires the old one', async () => {
    const file = keyRingPath(t.dataDir);
    const before = loadKeyRing(file);
    const r = spawnSync(process.execPath, [new URL('../../bin/ldapsync.js', import.meta.url).pathname, 'keys', 'rotate'], { env: { ...process.env, LDAPSYNC_DATA_DIR: t.dataDir, DATABASE_URL: '' }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /1 secrets re-encrypted/);
    const after = loadKeyRing(file);
    assert.notEqual(after.currentId, before.currentId);
    assert.deepEqual(after.ids, [after.currentId], 'the old key is gone');
    const store = await openStore({ dataDir: t.dataDir });
    try { assert.equal(((await store.sources.get(0))!.connection as Record<string, unknown>).bindPass, SECRET); } finally { await store.close(); }
  });
});
