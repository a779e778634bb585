/**
 * The API under load: a real `ldapsync serve` in its own process, task status asked at a fixed
 * rate from a process of its own (`status-load.ts`). Three windows: no sync at all (what the load driver and the
 * machine give by themselves), full resyncs run back to back for the whole window (the goal's
 * figure), and the downsync's answer time with `timeout=T` while the load runs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type Slapd } from '../test/support/slapd.ts';
import { sourceConfig } from '../test/support/source.ts';
import { openStore } from '../src/open-store.ts';

export interface ApiFigures {
  users: number;
  statusRate: number;
  statusP50Ms: number;
  /** During full resyncs that run to completion, one after another, for the whole window. */
  statusP99Ms: number;
  /** The same load with no sync running: the floor of this machine and load driver. */
  statusP99IdleMs: number;
  /** Full resyncs that ran to completion inside the window, and the share of it they covered. */
  fullSyncsCompleted: number;
  syncCoverage: number;
  /** Status p99 while the timeout=T downsyncs are started and cancelled. */
  statusP99TimeoutWindowMs: number;
  statusErrors: number;
  timeoutSeconds: number;
  downsyncAnswerMs: number[];
  downsyncOverTimeoutMaxMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface LoadFigures { p50: number; p99: number; average: number; errors: number; non2xx: number }

/** The status load from a process of its own (`status-load.ts`). */
function load(url: string, headers: Record<string, string>, rate: number, seconds: number): Promise<LoadFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [new URL('./status-load.ts', import.meta.url).pathname, url, JSON.stringify(headers), String(rate), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadFigures) : reject(new Error(`status load exited with ${code}`))));
  });
}

/** Polls a task until it has ended (completed, error or cancelled; states 3 to 5). */
async function waitForTask(base: string, headers: Record<string, string>, taskId: number): Promise<void> {
  for (;;) {
    const task = (await (await fetch(`${base}/tasq/tasks/${taskId}?level=1`, { headers })).json()) as { state: number };
    if (task.state >= 3 && task.state <= 5) return;
    await sleep(50);
  }
}

export async function apiBench(slapd: Slapd, users: number, rate = 500, timeoutSeconds = 0.5): Promise<ApiFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ldapsync-apibench-'));
  const store = await openStore({ dataDir });
  const domain = await store.domains.create({ name: 'example.org' });
  await store.sources.set(0, sourceConfig(slapd, { pageSize: 1000, users: { filter: '(objectClass=inetOrgPerson)' } }));
  await store.close();
  const port = await freePort();
  const server = spawn(process.execPath, [new URL('../src/main.ts', import.meta.url).pathname, 'serve'], {
    env: { ...process.env, PORT: String(port), LDAPSYNC_DATA_DIR: dataDir, LDAPSYNC_ADMIN_USER: 'bench', LDAPSYNC_ADMIN_PASSWORD: 'bench-password-1', LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}/api/v1`;
  try {
    for (let i = 0; ; i++) {
      try { await fetch(`${base}/openapi.json`); break; } catch { if (i > 200) throw new Error('server did not start'); await sleep(50); }
    }
    const login = await fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'user=bench&pass=bench-password-1' });
    const { grommunioAuthJwt: jwt, csrf } = (await login.json()) as { grommunioAuthJwt: string; csrf: string };
    const headers = { cookie: `grommunioAuthJwt=${jwt}`, 'x-csrf-token': csrf };
    const post = (path: string) => fetch(`${base}${path}`, { method: 'POST', headers });
    const first = (await (await post(`/domains/${domain.id}/ldap/downsync?import=true&timeout=300`)).json()) as { data: unknown[] };
    if (first.data.length !== users) throw new Error(`import gave ${first.data.length} outcomes, not ${users}`);
    const { taskID } = (await (await post(`/domains/${domain.id}/ldap/downsync?timeout=0`)).json()) as { taskID: number };
    await waitForTask(base, headers, taskID);
    const statusLoad = (seconds: number) => load(`${base}/tasq/tasks/${taskID}?level=1`, headers, rate, seconds);

    await statusLoad(2); // warm-up: the server's first requests compile its routes
    const idle = await statusLoad(6);

    // Full resyncs back to back while the load runs: every moment of the window has a sync in it.
    const busySeconds = 12;
    const busy = statusLoad(busySeconds);
    const windowStart = performance.now();
    let syncing = 0;
    let fullSyncsCompleted = 0;
    while (performance.now() - windowStart < busySeconds * 1000 - 500) {
      const started = performance.now();
      const r = (await (await post(`/domains/${domain.id}/ldap/downsync?full=true&timeout=0`)).json()) as { taskID: number };
      await waitForTask(base, headers, r.taskID);
      syncing += Math.min(performance.now(), windowStart + busySeconds * 1000) - started;
      fullSyncsCompleted++;
    }
    const during = await busy;

    const timed = statusLoad(8);
    await sleep(500);
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const r = await post(`/domains/${domain.id}/ldap/downsync?full=true&timeout=${timeoutSeconds}`);
      const body = (await r.json()) as { taskID?: number };
      answers.push(performance.now() - started);
      if (r.status === 202 && body.taskID) {
        await post(`/tasq/tasks/${body.taskID}/cancel`);
        await waitForTask(base, headers, body.taskID);
      }
      await sleep(300);
    }
    const timeoutWindow = await timed;
    return {
      users, statusRate: during.average, statusP50Ms: during.p50, statusP99Ms: during.p99,
      statusP99IdleMs: idle.p99, fullSyncsCompleted, syncCoverage: Math.round((syncing / (busySeconds * 1000)) * 100) / 100,
      statusP99TimeoutWindowMs: timeoutWindow.p99,
      statusErrors: during.errors + during.non2xx + idle.errors + idle.non2xx, timeoutSeconds, downsyncAnswerMs: answers.map((a) => Math.round(a)),
      downsyncOverTimeoutMaxMs: Math.round(Math.max(...answers) - timeoutSeconds * 1000),
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
