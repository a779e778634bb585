/**
 * A running process and a key rotation done by another: the store opened before the rotation
 * reads and writes secrets afterwards without a restart, on both stores (the embedded mode and
 * the cluster mode's PostgreSQL). And processes starting together on an empty folder agree on
 * one set of keys.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { openStore } from '../../src/open-store.ts';
import { keyRingPath, loadKeyRing, saveKeyRing } from '../../src/auth/keys.ts';

const SECRET = 'hunter2-very-secret-bind-password';
const config = (bindPass: string) => ({ connection: { server: 'ldap://127.0.0.1', bindUser: 'cn=x', bindPass }, baseDn: 'dc=x' });
const bindPass = (c: Record<string, unknown> | null | undefined) => (c!.connection as Record<string, unknown>).bindPass;

for (const variant of storeVariants()) {
  describe(`a rotated key ring reaches a running process on ${variant.name}`, { skip: variant.skip }, () => {
    let t: TestStore;
    before(async () => { t = await variant.open(); await t.store.sources.set(0, config(SECRET)); });
    after(async () => { await t?.cleanup(); });

    test('secrets re-encrypted and the old key retired elsewhere stay readable here; new ones use the new key', async () => {
      const file = keyRingPath(t.dataDir);
      // What `ldapsync keys rotate` does, from a store of its own (another process's view).
      const rotated = loadKeyRing(file).rotated();
      saveKeyRing(file, rotated);
      const other = await openStore({ dataDir: t.dataDir, databaseUrl: t.databaseUrl, schema: t.schema ?? undefined, cipher: rotated });
      try { assert.equal(await other.sources.reencrypt(), 1); } finally { await other.close(); }
      saveKeyRing(file, rotated.retire());

      assert.equal(bindPass(await t.store.sources.get(0)), SECRET, 'the running store reads the re-encrypted secret');
      await t.store.sources.set(0, config('a-new-password'));
      const fresh = await openStore({ dataDir: t.dataDir, databaseUrl: t.databaseUrl, schema: t.schema ?? undefined, cipher: rotated.retire() });
      try { assert.equal(bindPass(await fresh.sources.get(0)), 'a-new-password', 'sealed under the new key, which every process has'); } finally { await fresh.close(); }
    });
  });
}

describe('keys made by processes starting at once', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'ldapsync-keys-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  test('eight processes on an empty folder end with the same JWT, CSRF and secrets keys', async () => {
    const script = `import { loadKeys, loadKeyRing } from ${JSON.stringify(new URL('../../src/auth/keys.ts', import.meta.url).pathname)};
      const k = loadKeys(process.argv[1]); const ring = loadKeyRing(process.argv[1] + '/keys/secrets.json');
      process.stdout.write(JSON.stringify([Buffer.from(k.jwt).toString('hex'), Buffer.from(k.csrf).toString('hex'), ring.toJSON()]));`;
    const runs = await Promise.all(Array.from({ length: 8 }, () => new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
    })));
    assert.equal(new Set(runs).size, 1, 'every process read the same keys');
    const [jwt] = JSON.parse(runs[0]!) as [string];
    assert.equal(Buffer.from(readFileSync(join(dir, 'keys', 'jwt.key'), 'utf8').trim(), 'base64').toString('hex'), jwt);
  });
});
