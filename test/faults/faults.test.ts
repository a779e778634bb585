/**
 * The fault matrix: each fault against real servers, each asserting afterwards that every user is
 * either as before or fully updated, that nobody was deactivated because of the fault, and that
 * the run reports what happened. (A slapd killed mid-search is in test/sync/engine.test.ts.)
 */
import { after, before, describe, test } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, startSlapd, SYNC_DN, type Slapd } from '../support/slapd.ts';
import { storeVariants, databaseUrl, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { startProxy, type FaultProxy } from '../support/proxy.ts';
import { makeTestCa } from '../support/tls.ts';
import { bulkPeople, PEOPLE } from '../fixtures/people.ts';
import { runSync, SyncError, type SyncOptions } from '../../src/sync/engine.ts';
import { connect } from '../../src/directory/client.ts';
import { openStore, type Store } from '../../src/open-store.ts';

const USERS = 120;
let round = 0;

/** Renames every user's cn to a new round's value; a user is then either "before" or "after". */
function renameAll(slapd: Slapd, count = USERS): { before: string; after: string } {
  const before = round === 0 ? 'Bulk User' : `Round ${round}`;
  round++;
  let ldif = '';
  for (let i = 1; i <= count; i++) ldif += `dn: uid=user${String(i).padStart(3, '0')},${PEOPLE}\nchangetype: modify\nreplace: cn\ncn: Round ${round} ${String(i).padStart(3, '0')}\n\n`;
  slapd.modify(ldif);
  return { before, after: `Round ${round}` };
}

/** Every user is as before or fully updated, and active: nobody deactivated by the fault. */
async function assertConsistent(store: Store, domainId: number, names: { before: string; after: string }, count = USERS): Promise<{ updated: number }> {
  const { users } = await store.users.list({ domainId, limit: 10000, offset: 0 });
  assert.equal(users.length, count);
  let updated = 0;
  for (const u of users) {
    const n = /^user(\d+)@/.exec(u.username)![1];
    const ok = u.displayName === `${names.before} ${n}` || u.displayName === `${names.after} ${n}`;
    assert.ok(ok, `${u.username} is either as before or fully updated (${u.displayName})`);
    if (u.displayName.startsWith(names.after)) updated++;
    assert.equal(u.status, 'active', `${u.username} was not deactivated by the fault`);
  }
  return { updated };
}

describe('fault matrix', () => {
  let slapd: Slapd;
  let proxy: FaultProxy;
  let t: TestStore;
  let domainId: number;
  const sync = (options: Partial<SyncOptions> = {}, store: Store = t.store) =>
    runSync({ store, connect: (s) => connect(s) }, { domainId, importNew: false, lang: '', dryRun: false, full: true, ...options });
  const useSource = (overrides: Parameters<typeof sourceConfig>[1] = {}) => t.store.sources.set(0, sourceConfig(slapd, { connection: { server: proxy.url, timeout: 1 }, ...overrides }));

  before(async () => {
    slapd = await startSlapd({ entries: bulkPeople(USERS) });
    proxy = await startProxy(slapd.port);
    t = await storeVariants()[0]!.open();
    domainId = (await t.store.domains.create({ name: 'example.org' })).id;
    await useSource();
    const first = await sync({ importNew: true });
    assert.equal(first.counts.created, USERS);
  });
  after(async () => { await proxy?.close(); await slapd?.destroy(); await t?.cleanup(); });

  test('slapd stalling past the operation timeout: 503, nobody deactivated, each user whole', async () => {
    const names = renameAll(slapd);
    let pages = 0;
    const report = await sync({ onProgress: () => { if (++pages === 3) proxy.stall(); } });
    proxy.resume();
    assert.equal(report.status, 'failed');
    assert.equal(report.error?.code, 503);
    assert.match(report.error!.message, /timed out|timeout/i);
    const { updated } = await assertConsistent(t.store, domainId, names);
    assert.ok(updated > 0 && updated < USERS, `stopped part-way (${updated} updated)`);
    await sync();
    assert.equal((await assertConsistent(t.store, domainId, names)).updated, USERS, 'the next run completes it');
  });

  test('the connection cut between pages: 503, nobody deactivated, each user whole', async () => {
    const names = renameAll(slapd);
    let pages = 0;
    const report = await sync({ onProgress: () => { if (++pages === 2) proxy.cut(); } });
    assert.equal(report.status, 'failed');
    assert.equal(report.error?.code, 503);
    await assertConsistent(t.store, domainId, names);
    await sync();
  });

  test('the bind password changed on the server between two runs: 503 naming the bind, nothing changed', async () => {
    const names = renameAll(slapd);
    slapd.modify(`dn: ${SYNC_DN}\nchangetype: modify\nreplace: userPassword\nuserPassword: rotated-elsewhere\n\n`);
    try {
      const report = await sync();
      assert.equal(report.error?.code, 503);
      assert.match(report.error!.message, /bind refused: invalid credentials/);
      assert.equal((await assertConsistent(t.store, domainId, names)).updated, 0);
    } finally {
      slapd.modify(`dn: ${SYNC_DN}\nchangetype: modify\nreplace: userPassword\nuserPassword: syncsecret\n\n`);
    }
    await sync();
  });

  test('the CA no longer trusting the server certificate: 503 naming TLS, nothing changed', async () => {
    const names = renameAll(slapd);
    const otherCa = makeTestCa(join(slapd.dir, 'other-ca'));
    await useSource({ connection: { server: slapd.ldapsUrl, caFile: otherCa.caFile } });
    const report = await sync();
    assert.equal(report.error?.code, 503);
    assert.match(report.error!.message, /TLS/);
    assert.equal((await assertConsistent(t.store, domainId, names)).updated, 0);
    await useSource();
    await sync();
  });

  test('a server in the list down: the run fails over to the next and completes', async () => {
    const names = renameAll(slapd);
    await useSource({ connection: { server: `ldap://127.0.0.1:${await freePort()} ${proxy.url}`, timeout: 1 } });
    const report = await sync();
    assert.equal(report.status, 'completed');
    assert.equal((await assertConsistent(t.store, domainId, names)).updated, USERS);
    await useSource();
  });

  test('the store refusing a write mid-run (SQLite): the page rolls back whole, the run says 500', async () => {
    const names = renameAll(slapd);
    const raw = new DatabaseSync(join(t.dataDir, 'ldapsync.sqlite'));
    raw.exec(`CREATE TRIGGER refuse_user050 BEFORE UPDATE ON users WHEN NEW.username = 'user050@example.org' BEGIN SELECT RAISE(ABORT, 'disk refused the write'); END;`);
    try {
      const report = await sync();
      assert.equal(report.status, 'failed');
      assert.equal(report.error?.code, 500);
      assert.match(report.error!.message, /disk refused the write/);
      const { updated } = await assertConsistent(t.store, domainId, names);
      assert.ok(updated > 0 && updated < USERS, 'pages before the failing one were written whole, the failing page not at all');
      assert.equal(updated % 7, 0, `whole pages of 7 were written, no part of one (${updated})`);
      assert.equal((await t.store.users.byUsername('user050@example.org'))!.displayName.startsWith(names.before), true);
    } finally {
      raw.exec('DROP TRIGGER refuse_user050');
      raw.close();
    }
    await sync();
  });

  test('two runs of one domain at the same moment, from two processes\' stores: one runs, the other is refused', async () => {
    const second = await openStore({ dataDir: t.dataDir });
    try {
      const results = await Promise.allSettled([sync(), sync({}, second)]);
      const refused = results.filter((r) => r.status === 'rejected');
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      assert.equal(refused.length, 1);
      const reason = (refused[0] as PromiseRejectedResult).reason;
      assert.ok(reason instanceof SyncError && reason.code === 409, String(reason));
      assert.match(reason.message, /Another run of domain example.org is in progress/);
    } finally { await second.close(); }
  });
});

describe('fault matrix on PostgreSQL', { skip: databaseUrl ? false : 'DATABASE_URL is not set' }, () => {
  let slapd: Slapd;
  let t: TestStore;
  let domainId: number;
  let store: Store;

  before(async () => {
    slapd = await startSlapd({ entries: bulkPeople(USERS) });
    t = await storeVariants()[1]!.open();
    // Its own pool, named, so the test can terminate exactly its connections.
    store = await openStore({ dataDir: t.dataDir, databaseUrl: `${databaseUrl}${databaseUrl!.includes('?') ? '&' : '?'}application_name=ldapsync_fault`, schema: t.schema! });
    domainId = (await store.domains.create({ name: 'example.org' })).id;
    await store.sources.set(0, sourceConfig(slapd));
    await runSync({ store, connect: (s) => connect(s) }, { domainId, importNew: true, lang: '', dryRun: false });
  });
  after(async () => { await store?.close(); await slapd?.destroy(); await t?.cleanup(); });

  test('the PostgreSQL connections terminated mid-run: each user whole, nobody deactivated, the run says so', async () => {
    round = 0;
    const names = renameAll(slapd);
    const admin = new pg.Client({ connectionString: databaseUrl! });
    await admin.connect();
    let pages = 0;
    const report = await runSync({ store, connect: (s) => connect(s) }, {
      domainId, importNew: false, lang: '', dryRun: false, full: true,
      onProgress: () => { if (++pages === 4) void admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ldapsync_fault'`); },
    });
    await admin.end();
    // A lost database connection is the store being unavailable (503), as a full disk is.
    assert.ok(report.status === 'completed' || (report.status === 'failed' && report.error?.code === 503), `${report.status}: ${report.message}`);
    await assertConsistent(store, domainId, names);
    const again = await runSync({ store, connect: (s) => connect(s) }, { domainId, importNew: false, lang: '', dryRun: false, full: true });
    assert.equal(again.status, 'completed');
    assert.equal((await assertConsistent(store, domainId, names)).updated, USERS);
  });
});

describe('the process killed with SIGKILL mid-run, then started again', () => {
  const COUNT = 1500;
  let slapd: Slapd;
  let dataDir: string;
  let server: ChildProcess | null = null;
  let port: number;
  const base = () => `http://127.0.0.1:${port}/api/v1`;
  const startServer = async () => {
    server = spawn(process.execPath, [new URL('../../src/main.ts', import.meta.url).pathname, 'serve'], {
      env: { ...process.env, PORT: String(port), LDAPSYNC_DATA_DIR: dataDir, LDAPSYNC_ADMIN_USER: 'admin', LDAPSYNC_ADMIN_PASSWORD: 'correct-horse-battery', LOG_LEVEL: 'warn', DATABASE_URL: '' },
      stdio: 'ignore',
    });
    for (let i = 0; ; i++) { try { await fetch(`${base()}/openapi.json`); break; } catch { if (i > 200) throw new Error('no server'); await new Promise((r) => setTimeout(r, 50)); } }
    const r = await fetch(`${base()}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'user=admin&pass=correct-horse-battery' });
    const { grommunioAuthJwt, csrf } = (await r.json()) as { grommunioAuthJwt: string; csrf: string };
    return { cookie: `grommunioAuthJwt=${grommunioAuthJwt}`, 'x-csrf-token': csrf };
  };

  before(async () => {
    round = 0;
    slapd = await startSlapd({ entries: bulkPeople(COUNT) });
    dataDir = mkdtempSync(join(tmpdir(), 'ldapsync-kill-'));
    const store = await openStore({ dataDir });
    await store.domains.create({ name: 'example.org' });
    await store.sources.set(0, sourceConfig(slapd, { pageSize: 5 }));
    await store.close();
    port = await freePort();
  });
  after(async () => { server?.kill('SIGKILL'); await slapd?.destroy(); rmSync(dataDir, { recursive: true, force: true }); });

  test('no user is left half-written; the task ends with a reason; the next run completes', async () => {
    let headers = await startServer();
    const imported = await fetch(`${base()}/domains/1/ldap/downsync?import=true&timeout=120`, { method: 'POST', headers });
    assert.equal(imported.status, 200);
    const names = renameAll(slapd, COUNT);
    const queued = (await (await fetch(`${base()}/domains/1/ldap/downsync?timeout=0&full=true`, { method: 'POST', headers })).json()) as { taskID: number };
    for (let i = 0; i < 400; i++) {
      const task = (await (await fetch(`${base()}/tasq/tasks/${queued.taskID}?level=1`, { headers })).json()) as { state: number };
      if (task.state >= 2) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    server!.kill('SIGKILL');
    await new Promise((r) => server!.once('exit', r));

    const store = await openStore({ dataDir });
    try {
      const { updated } = await assertConsistent(store, 1, names, COUNT);
      assert.ok(updated < COUNT, `killed before the end (${updated} of ${COUNT} written)`);
    } finally { await store.close(); }

    headers = await startServer();
    const task = (await (await fetch(`${base()}/tasq/tasks/${queued.taskID}`, { headers })).json()) as { state: number; message: string };
    assert.equal(task.state, 4);
    assert.match(task.message, /Interrupted: the service stopped during the run/);
    const again = await fetch(`${base()}/domains/1/ldap/downsync?timeout=120&full=true`, { method: 'POST', headers });
    assert.equal(again.status, 200, 'the dead process\'s lock is taken over at once');
    server!.kill('SIGTERM');
    await new Promise((r) => server!.once('exit', r));
    server = null;
    const after = await openStore({ dataDir });
    try { assert.equal((await assertConsistent(after, 1, names, COUNT)).updated, COUNT); } finally { await after.close(); }
  });
});
