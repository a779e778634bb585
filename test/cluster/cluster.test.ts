/**
 * Many tenants, many processes, on the real PostgreSQL: two API processes and three worker
 * processes on loopback, fifty domains each synced from its own subtree with its own source.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { BASE_DN, freePort, startSlapd, type Slapd } from '../support/slapd.ts';
import { databaseUrl } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { openStore, type Store } from '../../src/open-store.ts';
import { createAdmin } from '../../src/auth/admins.ts';
import { TaskState } from '../../src/domain/task.ts';
import { waitFor } from '../support/wait-for.ts';
import { MIN_GAP_MS } from '../../src/tasks/schedule.ts';

const TENANTS = 50;
const USERS_PER_TENANT = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tenant = (i: number) => `t${String(i).padStart(2, '0')}`;
/** A tenant's directory: a slapd server of its own. */
function tenantLdif(t: number): string {
  const lines: string[] = [];
  for (let u = 1; u <= USERS_PER_TENANT; u++) lines.push(`dn: uid=u${u},ou=people,${BASE_DN}\nobjectClass: inetOrgPerson\nuid: u${u}\ncn: User ${u} of ${tenant(t)}\nsn: U${u}\nmail: u${u}@${tenant(t)}.example\n`);
  return lines.join('\n') + '\n';
}

const BIG = 1500;

function tenantsLdif(): string {
  const out: string[] = [`dn: ou=big,ou=people,${BASE_DN}\nobjectClass: organizationalUnit\nou: big\n`];
  for (let u = 1; u <= BIG; u++) out.push(`dn: uid=big${u},ou=big,ou=people,${BASE_DN}\nobjectClass: inetOrgPerson\nuid: big${u}\ncn: Big ${u}\nsn: B\nmail: u${u}@big.example\n`);
  return out.join('\n') + '\n';
}

interface Proc { child: ChildProcess; port: number; role: string }

describe('cluster: 2 API processes, 3 workers, 50 domains (each its own slapd server) on PostgreSQL', { skip: databaseUrl ? false : 'DATABASE_URL is not set' }, () => {
  let slapd: Slapd;
  const tenantServers: Slapd[] = [];
  let dataDir: string;
  let store: Store;
  const schema = `cluster_${process.pid}_${Date.now()}`;
  const queueSchema = `${schema}_queue`;
  const url = `${databaseUrl}${databaseUrl!.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const procs: Proc[] = [];
  const session = new Map<number, Record<string, string>>();
  /** Until the task's run has its record: its worker is then in the run, not before it. */
  const runStarted = (taskId: number) => waitFor(`a run of task ${taskId}`, async () => (await store.runs.idsForTask(taskId)).length > 0, 10_000, 5);

  async function startProc(role: 'api' | 'worker'): Promise<Proc> {
    const port = await freePort();
    const child = spawn(process.execPath, [new URL('../../src/main.ts', import.meta.url).pathname, 'serve', '--role', role], {
      env: { ...process.env, PORT: String(port), LDAPSYNC_DATA_DIR: dataDir, DATABASE_URL: url, LDAPSYNC_QUEUE_SCHEMA: queueSchema, LDAPSYNC_QUEUE_SUPERVISE_SECONDS: '2', LDAPSYNC_WORKER_CONCURRENCY: '2', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const proc = { child, port, role };
    procs.push(proc);
    for (let i = 0; ; i++) {
      try { if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return proc; } catch { /* starting */ }
      if (i > 300 || child.exitCode !== null) throw new Error(`${role} process did not become ready`);
      await sleep(50);
    }
  }

  const api = async (proc: Proc, method: string, path: string) => {
    if (!session.has(proc.port)) {
      const r = await fetch(`http://127.0.0.1:${proc.port}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'user=admin&pass=correct-horse-battery' });
      const { grommunioAuthJwt, csrf } = (await r.json()) as { grommunioAuthJwt: string; csrf: string };
      session.set(proc.port, { cookie: `grommunioAuthJwt=${grommunioAuthJwt}`, 'x-csrf-token': csrf });
    }
    const r = await fetch(`http://127.0.0.1:${proc.port}/api/v1${path}`, { method, headers: session.get(proc.port) });
    return { status: r.status, body: (await r.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  async function syncAll(apis: Proc[], query: string): Promise<{ taskIds: number[]; seconds: number }> {
    const started = performance.now();
    const taskIds: number[] = [];
    for (let d = 1; d <= TENANTS; d++) {
      const r = await api(apis[d % apis.length]!, 'POST', `/domains/${d}/ldap/downsync?timeout=0&${query}`);
      assert.equal(r.status, 202, JSON.stringify(r.body));
      taskIds.push(r.body.taskID);
    }
    for (;;) {
      const states = await Promise.all(taskIds.map(async (id) => (await store.tasks.get(id))!.state));
      if (states.every((s) => s >= TaskState.completed)) break;
      await sleep(100);
    }
    return { taskIds, seconds: (performance.now() - started) / 1000 };
  }

  before(async () => {
    slapd = await startSlapd({ bulkLdif: tenantsLdif() });
    for (let t = 1; t <= TENANTS; t += 5) {
      tenantServers.push(...(await Promise.all(Array.from({ length: Math.min(5, TENANTS - t + 1) }, (_, k) => startSlapd({ bulkLdif: tenantLdif(t + k) })))));
    }
    dataDir = mkdtempSync(join(tmpdir(), 'ldapsync-cluster-'));
    store = await openStore({ dataDir, databaseUrl, schema });
    for (let t = 1; t <= TENANTS; t++) {
      const org = await store.organizations.create(`org ${tenant(t)}`);
      await store.domains.create({ name: `${tenant(t)}.example`, orgId: org.id });
      await store.sources.set(org.id, sourceConfig(tenantServers[t - 1]!, { pageSize: 3 }));
    }
    const bigOrg = await store.organizations.create('org big');
    await store.domains.create({ name: 'big.example', orgId: bigOrg.id });
    await store.sources.set(bigOrg.id, sourceConfig(slapd, { baseDn: `ou=big,ou=people,${BASE_DN}`, pageSize: 2 }));
    await createAdmin(store, 'admin', 'correct-horse-battery');
    await Promise.all([startProc('api'), startProc('api'), startProc('worker'), startProc('worker'), startProc('worker')]);
  });

  after(async () => {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.child.exitCode !== null ? undefined : new Promise((r) => p.child.once('exit', r)))));
    await store?.close();
    await slapd?.destroy();
    await Promise.all(tenantServers.map((s) => s.destroy()));
    const client = new pg.Client({ connectionString: databaseUrl! });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.query(`DROP SCHEMA IF EXISTS "${queueSchema}" CASCADE`);
    await client.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('every domain is synced exactly once, by the workers, whichever API process took it', async () => {
    const apis = procs.filter((p) => p.role === 'api');
    const { taskIds, seconds } = await syncAll(apis, 'import=true');
    for (const id of taskIds) { const t = (await store.tasks.get(id))!; assert.equal(t.state, TaskState.completed, t.message); }
    for (let d = 1; d <= TENANTS; d++) {
      const users = await store.users.list({ domainId: d, limit: 100, offset: 0 });
      assert.equal(users.total, USERS_PER_TENANT, `domain ${d} has its users`);
      assert.ok(users.users.every((u) => u.username.endsWith(`@${tenant(d)}.example`)), 'each domain got only its own tenant');
      assert.equal((await store.runs.idsForTask(taskIds[d - 1]!)).length, 1, `domain ${d} ran exactly once`);
    }
    console.log(`cluster: 50 domains imported by 3 workers in ${seconds.toFixed(2)} s`);
  });

  test('the task endpoints answer the same from either API process', async () => {
    const [a, b] = procs.filter((p) => p.role === 'api');
    const id = (await store.tasks.list({ all: true, domainIds: [] }, 1, 0))[0]!.id;
    const fromA = await api(a!, 'GET', `/tasq/tasks/${id}`);
    const fromB = await api(b!, 'GET', `/tasq/tasks/${id}`);
    assert.equal(fromA.status, 200);
    assert.deepEqual(fromA.body, fromB.body);
    assert.deepEqual((await api(a!, 'GET', '/tasq/tasks?limit=100')).body, (await api(b!, 'GET', '/tasq/tasks?limit=100')).body);
  });

  test('a second downsync of a domain from the other API process answers with the running task', async () => {
    const [a, b] = procs.filter((p) => p.role === 'api');
    const first = await api(a!, 'POST', '/domains/1/ldap/downsync?timeout=0&full=true');
    const second = await api(b!, 'POST', '/domains/1/ldap/downsync?timeout=0&full=true');
    if (second.body.taskID === first.body.taskID) assert.match(second.body.message, /already running/);
    else assert.equal((await store.tasks.get(first.body.taskID))!.state >= TaskState.completed, true, 'only when the first had already finished');
  });

  test('workers expose health, readiness and metrics', async () => {
    const worker = procs.find((p) => p.role === 'worker')!;
    const ready = (await (await fetch(`http://127.0.0.1:${worker.port}/readyz`)).json()) as { status: string; role: string };
    assert.deepEqual([ready.status, ready.role], ['ready', 'worker']);
    const metrics = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
    assert.match(metrics, /ldapsync_tasks\{state="completed"\} \d+/);
    assert.match(metrics, /ldapsync_queue_depth \d+/);
    const all = await Promise.all(procs.filter((p) => p.role === 'worker').map(async (p) => (await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text())));
    const ran = all.map((m) => Number(/ldapsync_sync_runs_total\{status="completed",mode="full"\} (\d+)/.exec(m)?.[1] ?? 0));
    assert.ok(ran.reduce((x, y) => x + y, 0) >= TENANTS, `the workers ran the 50 imports between them (${ran.join(' + ')})`);
    assert.ok(ran.filter((n) => n > 0).length >= 2, 'the work was spread over more than one worker');
  });

  test('a worker killed with SIGKILL mid-run: its task is taken over elsewhere, every user whole', async () => {
    const [a] = procs.filter((p) => p.role === 'api');
    const queued = await api(a!, 'POST', `/domains/${TENANTS + 1}/ldap/downsync?timeout=0&import=true`);
    // Mid-run means its run record is written: the lock is taken a moment before it.
    await runStarted(queued.body.taskID);
    const holder = (await store.syncLocks.holder(TENANTS + 1))!;
    assert.ok(holder, 'the run holds the lock');
    const victim = procs.find((p) => p.child.pid === Number(holder.holder.split('|')[1]))!;
    assert.equal(victim.role, 'worker');
    victim.child.kill('SIGKILL');
    await new Promise((r) => victim.child.once('exit', r));
    procs.splice(procs.indexOf(victim), 1);
    const started = Date.now();
    let task;
    for (;;) {
      task = (await store.tasks.get(queued.body.taskID))!;
      if (task.state >= TaskState.completed || Date.now() - started > 120_000) break;
      await sleep(200);
    }
    assert.equal(task.state, TaskState.completed, task.message);
    const users = await store.users.list({ domainId: TENANTS + 1, limit: 5000, offset: 0 });
    assert.equal(users.total, BIG);
    assert.ok(users.users.every((u) => u.displayName === `Big ${/^u(\d+)@/.exec(u.username)![1]}` && u.externId), 'every user whole');
    const runs = await Promise.all((await store.runs.idsForTask(task.id)).map((id) => store.runs.get(id)));
    assert.deepEqual(runs.map((r) => r!.status), ['failed', 'completed']);
    assert.match(runs[0]!.message, /The worker running it stopped/);
    console.log(`cluster: the killed worker's task finished elsewhere ${((Date.now() - started) / 1000).toFixed(1)} s after the kill`);
  });

  test('a cancel asked of one API process stops the run on whichever worker has it', async () => {
    const [a, b] = procs.filter((p) => p.role === 'api');
    // A long run: the big tenant (imported by the test before) one entry per page.
    await store.sources.set(TENANTS + 1, sourceConfig(slapd, { baseDn: `ou=big,ou=people,${BASE_DN}`, pageSize: 1 }));
    const queued = await api(a!, 'POST', `/domains/${TENANTS + 1}/ldap/downsync?timeout=0&full=true`);
    await runStarted(queued.body.taskID);
    const cancel = await api(b!, 'POST', `/tasq/tasks/${queued.body.taskID}/cancel`);
    assert.equal(cancel.status, 200);
    for (let i = 0; i < 200 && (await store.tasks.get(queued.body.taskID))!.state < TaskState.completed; i++) await sleep(100);
    const task = (await store.tasks.get(queued.body.taskID))!;
    assert.equal(task.state, TaskState.cancelled, task.message);
    const [runId] = await store.runs.idsForTask(task.id);
    assert.equal((await store.runs.get(runId!))!.status, 'cancelled');
  });

  test('a schedule fires once per occurrence across all the processes', async () => {
    const [a] = procs.filter((p) => p.role === 'api');
    const orgId = 2;
    const current = (await api(a!, 'GET', `/system/orgs/${orgId}/ldap`)).body.data;
    const on = await fetch(`http://127.0.0.1:${a!.port}/api/v1/system/orgs/${orgId}/ldap?force=true`, { method: 'PUT', headers: { ...session.get(a!.port), 'content-type': 'application/json' }, body: JSON.stringify({ ...current, schedule: 'FREQ=SECONDLY;INTERVAL=4' }) });
    assert.equal(on.status, 200);
    const fired = async () => (await store.audit.list(1000)).filter((e) => e.action === 'schedule.fire' && e.targetId === String(orgId)).length;
    const since = Date.now();
    // pg-boss checks schedules every few seconds; under load the first firing can take longer.
    while ((await fired()) < 2 && Date.now() - since < 60_000) await sleep(500);
    const window = (Date.now() - since) / 1000;
    const off = await fetch(`http://127.0.0.1:${a!.port}/api/v1/system/orgs/${orgId}/ldap?force=true`, { method: 'PUT', headers: { ...session.get(a!.port), 'content-type': 'application/json' }, body: JSON.stringify(current) });
    assert.equal(off.status, 200);
    const events = (await store.audit.list(1000)).filter((e) => e.action.startsWith('schedule.') && e.targetId === String(orgId));
    const fireEvents = events.filter((e) => e.action === 'schedule.fire');
    const fires = fireEvents.map((e) => Date.parse((e.after as { at: string }).at)).sort((x, y) => x - y);
    assert.ok(fires.length >= 1 && fires.length <= Math.ceil(window / 4) + 1, `fired ${fires.length} times in ${window.toFixed(0)} s at one occurrence per 4 s`);
    const all = events.map((e) => [e.action, (e.after as { at: string }).at]);
    // pg-boss sends a rule's occurrences one per minute slot when its pass runs, so two of them can
    // fire closer than the rule's 4 s; a repeat of one occurrence is what must not get through.
    for (let i = 1; i < fires.length; i++) assert.ok(fires[i]! - fires[i - 1]! > MIN_GAP_MS, `one sync per occurrence: ${JSON.stringify(all)}`);
    const occurrences = fireEvents.map((e) => (e.after as { occurrence: string }).occurrence);
    assert.equal(new Set(occurrences).size, occurrences.length, `no occurrence fired twice: ${JSON.stringify(occurrences)}`);
    const scheduled = (await store.tasks.list({ all: false, domainIds: [2] }, 1000, 0)).filter((x) => x.owner === 'schedule');
    assert.equal(scheduled.length, fires.length, 'each occurrence queued one sync of the domain, however many processes saw it');
    await sleep(5000);
    const after = (await store.audit.list(1000)).filter((e) => e.action === 'schedule.fire' && e.targetId === String(orgId)).length;
    assert.equal(after, fires.length, 'removing the schedule stops it');
    console.log(`cluster: schedule fired ${fires.length} times in ${window.toFixed(0)} s (one occurrence per 4 s), 5 processes`);
  });

  test('throughput: one worker next to three', async () => {
    while (procs.filter((p) => p.role === 'worker').length < 3) await startProc('worker');
    const three = await syncAll(procs.filter((p) => p.role === 'api'), 'full=true');
    const workers = procs.filter((p) => p.role === 'worker');
    for (const w of workers.slice(1)) { w.child.kill('SIGTERM'); await new Promise((r) => w.child.once('exit', r)); }
    const one = await syncAll(procs.filter((p) => p.role === 'api'), 'full=true');
    console.log(`cluster throughput, 50 domains x ${USERS_PER_TENANT} users, full runs: 3 workers ${three.seconds.toFixed(2)} s, 1 worker ${one.seconds.toFixed(2)} s`);
    assert.ok(one.seconds > 0 && three.seconds > 0);
  });
});
