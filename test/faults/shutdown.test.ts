/**
 * A graceful stop (SIGTERM) in the middle of a sync, with real server processes: the run stops
 * after the page in hand, its task is marked interrupted and queued again, the shutdown is
 * logged, and the run starts again by itself: when the embedded server is back, and in the
 * cluster mode at once on another worker.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, startSlapd, type Slapd } from '../support/slapd.ts';
import { sourceConfig } from '../support/source.ts';
import { databaseUrl } from '../support/stores.ts';
import { bulkPeople } from '../fixtures/people.ts';
import { openStore, type Store } from '../../src/open-store.ts';
import { createAdmin } from '../../src/auth/admins.ts';
import { TaskState, type Task } from '../../src/domain/task.ts';
import { waitFor } from '../support/wait-for.ts';

const COUNT = 1200;
const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Server { child: ChildProcess; port: number; log: () => string; exited: Promise<void> }

/** Every server started, so that `after` can stop them even when a start failed half-way. */
const started: Server[] = [];
process.on('exit', () => { for (const s of started) s.child.kill('SIGKILL'); });

/** A free port can be taken by another process before the server binds it: then a new one. */
async function startServer(env: Record<string, string>, args: string[] = []): Promise<Server> {
  for (let attempt = 1; ; attempt++) {
    try { return await startServerOnce(env, args); } catch (e) {
      if (attempt >= 3 || !/EADDRINUSE/.test((e as Error).message)) throw e;
    }
  }
}

async function startServerOnce(env: Record<string, string>, args: string[]): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN, 'serve', ...args], { env: { ...process.env, PORT: String(port), LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => { log += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const server = { child, port, log: () => log, exited };
  started.push(server);
  // A generous wait: on a loaded machine three processes setting up one queue take a while.
  for (let i = 0; ; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break; } catch { /* starting */ }
    if (i > 1200 || child.exitCode !== null) { child.kill('SIGKILL'); throw new Error(`the server did not start:\n${log}`); }
    await sleep(50);
  }
  return server;
}

const stopAll = async () => {
  for (const s of started) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await Promise.all(started.map((s) => s.exited));
};

async function signIn(port: number): Promise<Record<string, string>> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'user=admin&pass=correct-horse-battery' });
  const { grommunioAuthJwt, csrf } = (await r.json()) as { grommunioAuthJwt: string; csrf: string };
  return { cookie: `grommunioAuthJwt=${grommunioAuthJwt}`, 'x-csrf-token': csrf };
}

async function queueSync(port: number): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/domains/1/ldap/downsync?timeout=0&import=true`, { method: 'POST', headers: await signIn(port) });
  assert.equal(r.status, 202);
  return ((await r.json()) as { taskID: number }).taskID;
}

/** Every user either not there yet or whole: imported in one piece with its name and ID. */
async function assertWhole(store: Store): Promise<number> {
  const { users } = await store.users.list({ domainId: 1, limit: 10_000, offset: 0 });
  for (const u of users) assert.ok(u.externId && u.displayName === `Bulk User ${/^user(\d+)@/.exec(u.username)![1]}`, `${u.username} is whole`);
  return users.length;
}

async function interruptedRunOf(store: Store, task: Task) {
  const runs = await Promise.all((await store.runs.idsForTask(task.id)).map((id) => store.runs.get(id)));
  return runs[0]!;
}

describe('SIGTERM in the middle of a sync, embedded mode', () => {
  let slapd: Slapd;
  let dataDir: string;
  let server: Server | null = null;
  before(async () => {
    slapd = await startSlapd({ entries: bulkPeople(COUNT) });
    dataDir = mkdtempSync(join(tmpdir(), 'ldapsync-sigterm-'));
    const store = await openStore({ dataDir });
    await store.domains.create({ name: 'example.org' });
    await store.sources.set(0, sourceConfig(slapd, { pageSize: 3 }));
    await createAdmin(store, 'admin', 'correct-horse-battery');
    await store.close();
  });
  after(async () => { await stopAll(); await slapd?.destroy(); rmSync(dataDir, { recursive: true, force: true }); });

  test('the run stops after its page, the task waits interrupted, and runs again when the server is back', async () => {
    const env = { LDAPSYNC_DATA_DIR: dataDir, DATABASE_URL: '' };
    server = await startServer(env);
    const taskId = await queueSync(server.port);
    const store = await openStore({ dataDir });
    try {
      await waitFor('the run to write users', async () => (await store.users.list({ domainId: 1, limit: 1, offset: 0 })).total > 0);
      server.child.kill('SIGTERM');
      await server.exited;
      assert.equal(server.child.exitCode, 0, server.log());
      assert.match(server.log(), /shutting down on SIGTERM/);
      assert.match(server.log(), new RegExp(`tasks ${taskId} interrupted and queued again: they run again when the service starts`));

      const task = (await store.tasks.get(taskId))!;
      assert.equal(task.state, TaskState.queued, 'not cancelled: queued again');
      assert.match(task.message, /^Interrupted: the service stopped during the run/);
      const run = await interruptedRunOf(store, task);
      assert.equal(run.status, 'interrupted');
      const written = await assertWhole(store);
      assert.ok(written > 0 && written < COUNT, `stopped part-way (${written} of ${COUNT})`);
      assert.equal(written % 3, 0, 'the page in hand was finished: whole pages of 3 written');

      server = await startServer(env);
      const done = await waitFor('the task to finish after the restart', async () => {
        const t = (await store.tasks.get(taskId))!;
        return t.state >= TaskState.completed ? t : null;
      });
      assert.equal(done.state, TaskState.completed, done.message);
      assert.equal(await assertWhole(store), COUNT);
      server.child.kill('SIGTERM');
      await server.exited;
      assert.match(server.log(), /stopped; no sync was running/);
      server = null;
    } finally { await store.close(); }
  });
});

describe('SIGTERM to the worker running a sync, cluster mode', { skip: databaseUrl ? false : 'DATABASE_URL is not set' }, () => {
  let slapd: Slapd;
  let dataDir: string;
  let store: Store;
  const servers: Server[] = [];
  const schema = `sigterm_${process.pid}_${Date.now()}`;
  const url = `${databaseUrl}${databaseUrl?.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const env = () => ({ LDAPSYNC_DATA_DIR: dataDir, DATABASE_URL: url, LDAPSYNC_QUEUE_SCHEMA: `${schema}_queue`, LDAPSYNC_QUEUE_SUPERVISE_SECONDS: '2' });

  before(async () => {
    slapd = await startSlapd({ entries: bulkPeople(COUNT) });
    dataDir = mkdtempSync(join(tmpdir(), 'ldapsync-sigterm-cluster-'));
    store = await openStore({ dataDir, databaseUrl, schema });
    await store.domains.create({ name: 'example.org' });
    await store.sources.set(0, sourceConfig(slapd, { pageSize: 3 }));
    await createAdmin(store, 'admin', 'correct-horse-battery');
    for (const role of ['api', 'worker', 'worker']) servers.push(await startServer(env(), ['--role', role]));
  });
  after(async () => {
    await stopAll();
    await store?.close();
    await slapd?.destroy();
    const client = new pg.Client({ connectionString: databaseUrl! });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.query(`DROP SCHEMA IF EXISTS "${schema}_queue" CASCADE`);
    await client.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the run stops after its page and the other worker takes the task at once', async () => {
    const taskId = await queueSync(servers[0]!.port);
    const holder = await waitFor('the run to start', () => store.syncLocks.holder(1));
    await waitFor('the run to write users', async () => (await store.users.list({ domainId: 1, limit: 1, offset: 0 })).total > 0);
    const victim = servers.find((s) => s.child.pid === Number(holder.holder.split('|')[1]))!;
    assert.ok(victim && victim !== servers[0], 'a worker runs it');
    victim.child.kill('SIGTERM');
    await victim.exited;
    assert.equal(victim.child.exitCode, 0, victim.log());
    assert.match(victim.log(), new RegExp(`tasks ${taskId} interrupted and queued again: another worker takes them over`));
    const stoppedAt = Date.now();

    const done = await waitFor('the other worker to finish the task', async () => {
      const t = (await store.tasks.get(taskId))!;
      return t.state >= TaskState.completed ? t : null;
    });
    assert.equal(done.state, TaskState.completed, done.message);
    const runs = await Promise.all((await store.runs.idsForTask(taskId)).map((id) => store.runs.get(id)));
    assert.deepEqual(runs.map((r) => r!.status), ['interrupted', 'completed']);
    assert.equal(await assertWhole(store), COUNT);
    console.log(`shutdown: the interrupted task finished on the other worker ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after the stop`);
  });
});
