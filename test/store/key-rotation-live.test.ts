/**
 * `ldapsync keys rotate` while a server runs, with real processes: the server's next sync reads
 * the re-encrypted bind password without a restart (it used to fail every sync with "secret
 * encrypted with unknown key" until restarted).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startSlapd, type Slapd } from '../support/slapd.ts';
import { sourceConfig } from '../support/source.ts';
import { bulkPeople } from '../fixtures/people.ts';
import { openStore } from '../../src/open-store.ts';
import { createAdmin } from '../../src/auth/admins.ts';
import { keyRingPath, loadKeyRing } from '../../src/auth/keys.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('a key rotation reaches a running server', () => {
  let slapd: Slapd;
  let dataDir: string;
  let server: ChildProcess | null = null;
  let port: number;
  const env = () => ({ ...process.env, LDAPSYNC_DATA_DIR: dataDir, DATABASE_URL: '', PORT: String(port), LOG_LEVEL: 'warn' });

  before(async () => {
    slapd = await startSlapd({ entries: bulkPeople(5) });
    dataDir = mkdtempSync(join(tmpdir(), 'ldapsync-rotate-live-'));
    const store = await openStore({ dataDir });
    await store.domains.create({ name: 'example.org' });
    await store.sources.set(0, sourceConfig(slapd));
    await createAdmin(store, 'admin', 'correct-horse-battery');
    await store.close();
    port = await freePort();
    server = spawn(process.execPath, [join(ROOT, 'src/main.ts'), 'serve'], { env: env(), stdio: 'ignore' });
    for (let i = 0; ; i++) {
      try { if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break; } catch { /* starting */ }
      if (i > 600 || server.exitCode !== null) throw new Error('the server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  after(async () => {
    if (server && server.exitCode === null) { server.kill('SIGTERM'); await new Promise((r) => server!.once('exit', r)); }
    await slapd?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('sync, rotate from the shell, sync again: both succeed, no restart', async () => {
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'user=admin&pass=correct-horse-battery' });
    const { grommunioAuthJwt, csrf } = (await login.json()) as { grommunioAuthJwt: string; csrf: string };
    const headers = { cookie: `grommunioAuthJwt=${grommunioAuthJwt}`, 'x-csrf-token': csrf };
    const sync = () => fetch(`http://127.0.0.1:${port}/api/v1/domains/1/ldap/downsync?import=true&timeout=30`, { method: 'POST', headers });
    assert.equal((await sync()).status, 200);
    const before = loadKeyRing(keyRingPath(dataDir)).currentId;
    const rotate = spawnSync(process.execPath, [join(ROOT, 'bin/ldapsync.js'), 'keys', 'rotate'], { env: env(), encoding: 'utf8' });
    assert.equal(rotate.status, 0, rotate.stderr);
    assert.notEqual(loadKeyRing(keyRingPath(dataDir)).currentId, before);
    const again = await sync();
    assert.equal(again.status, 200, await again.clone().text());
    assert.doesNotMatch(await again.text(), /unknown key/);
  });
});
