/**
 * The embedded mode runs its syncs on a thread of their own, against a real slapd: the run's
 * work is not done on the API's thread (its CPU time and its log lines say so), a single-user
 * sync on the API's thread is refused while the sync thread holds the domain, and a sync thread
 * that dies mid-run leaves its run, task and lock ended with the reason, and the next run starts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { startApi, type Session, type TestApi } from '../support/api.ts';
import { sourceConfig } from '../support/source.ts';
import { bulkPeople } from '../fixtures/people.ts';
import { TaskState, type Task } from '../../src/domain/task.ts';
import type { TaskSpec } from '../../src/tasks/queue.ts';
import { EmbeddedQueue } from '../../src/tasks/embedded-queue.ts';
import { SyncThread } from '../../src/tasks/sync-thread.ts';
import { SYNC_COMMAND } from '../../src/tasks/sync-task.ts';
import { lockDomain } from '../../src/sync/run-lock.ts';
import { silentLog } from '../../src/logger.ts';
import { waitFor } from '../support/wait-for.ts';

type Line = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const USERS = 1500;
const cpuMs = (u: { user: number; system: number }) => (u.user + u.system) / 1000;

describe('syncs of the embedded mode run off the API\'s thread', () => {
  let slapd: Slapd;
  let t: TestStore;
  let api: TestApi;
  let admin: Session;
  let domainId: number;
  const lines = (): Line[] => readFileSync(join(t.dataDir, 'server.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);

  before(async () => {
    slapd = await startSlapd({ entries: bulkPeople(USERS) });
    t = await storeVariants()[0]!.open();
    domainId = (await t.store.domains.create({ name: 'example.org' })).id;
    await t.store.sources.set(0, sourceConfig(slapd, { pageSize: 50 }));
    api = await startApi(t, { LOG_LEVEL: 'info' });
    admin = await api.login('admin', 'correct-horse-battery');
  });
  after(async () => { await api?.close(); await slapd?.destroy(); await t?.cleanup(); });

  test('an import of many users costs the API\'s thread a small part of the process\'s CPU; its log lines name the sync thread', async () => {
    const processBefore = process.cpuUsage();
    const mainBefore = process.threadCpuUsage();
    const r = await api.call('POST', `/domains/${domainId}/ldap/downsync?import=true&timeout=120`, { session: admin });
    const mainMs = cpuMs(process.threadCpuUsage(mainBefore));
    const processMs = cpuMs(process.cpuUsage(processBefore));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.data.length, USERS);
    // The API's thread still answers with every user's outcome; mapping, planning and writing
    // 1500 users in 30 pages are the sync thread's.
    assert.ok(mainMs < processMs * 0.5, `API thread ${mainMs.toFixed(0)} ms of the process's ${processMs.toFixed(0)} ms CPU`);
    const start = lines().find((l) => l.event === 'sync.start')!;
    const end = lines().find((l) => l.event === 'sync.end')!;
    assert.ok(start && end, 'the run is logged');
    assert.equal(typeof start.threadId, 'number');
    assert.notEqual(start.threadId, threadId, 'logged from the sync thread, not the API\'s');
    assert.equal(end.threadId, start.threadId);
    assert.equal(end.counts.created, USERS);
    assert.match(start.msg, /^sync of example.org started/, 'the same line as before, in the same log');
  });

  test('while the sync thread runs a domain, a run on the API\'s thread is refused, not let in', async () => {
    const queued = await api.call('POST', `/domains/${domainId}/ldap/downsync?timeout=0&full=true`, { session: admin });
    assert.equal(queued.status, 202);
    await waitFor('the sync thread to hold the domain', () => t.store.syncLocks.holder(domainId), 120_000, 5);
    /** The run writes its record's end before it frees the lock (sync/engine.ts); the task's end comes after. */
    const runEnded = async () => {
      const runs = await Promise.all((await t.store.runs.idsForTask(queued.body.taskID)).map((id) => t.store.runs.get(id)));
      return runs.length > 0 && runs.every((r) => r?.finishedAt);
    };
    const lock = await lockDomain(t.store, domainId);
    if (!('busy' in lock)) {
      // Taken after the run ended: only then may it be free.
      await lock.release();
      assert.ok(await runEnded(), 'the lock was free only because the run had ended');
    } else {
      // Held by this process's sync thread; the answer names no host or process (a tenant may read it).
      assert.ok(!lock.busy.includes(hostname()) && !lock.busy.includes(' pid '), lock.busy);
      const holder = await t.store.syncLocks.holder(domainId);
      // Read after the refusal: a short run may have ended between the two, and freed the lock.
      if (holder) assert.match(holder.holder, new RegExp(`\\|${process.pid}\\|`));
      else assert.ok(await runEnded(), 'the lock was freed only because the run had ended');
    }
    await waitFor('the run to end', async () => ((await t.store.tasks.get(queued.body.taskID))!.state >= TaskState.completed), 120_000, 5);
  });
});

describe('a sync thread that dies mid-run', () => {
  let slapd: Slapd;
  let t: TestStore;
  let domainId: number;

  before(async () => {
    slapd = await startSlapd({ entries: bulkPeople(USERS) });
    t = await storeVariants()[0]!.open();
    domainId = (await t.store.domains.create({ name: 'example.org' })).id;
    await t.store.sources.set(0, sourceConfig(slapd, { pageSize: 3 }));
  });
  after(async () => { await slapd?.destroy(); await t?.cleanup(); });

  test('its run, task and lock end with the reason; the next run starts on a new thread and completes', async () => {
    const errors: Line[] = [];
    const log = { ...silentLog, error: (obj: object) => { errors.push(obj); } } as typeof silentLog;
    const thread = new SyncThread(t.store, t.store.location!, log);
    const queue = new EmbeddedQueue(t.store, {}, 2, undefined, thread.run);
    await thread.start();
    await queue.start();
    try {
      const spec: TaskSpec = { command: SYNC_COMMAND, params: { domainID: domainId, import: true, lang: '' }, domainId, orgId: null, owner: 'admin' };
      const { task } = await queue.submit(spec);
      await waitFor('the run to write users', async () => (await t.store.users.list({ domainId, limit: 1, offset: 0 })).total > 0, 120_000, 5);
      await thread.terminate();

      const ended = (await queue.wait(task.id, 10_000))!;
      assert.equal(ended.state, TaskState.error);
      assert.match(ended.message, /the sync thread stopped during the run \(.+\)/);
      const [runId] = await t.store.runs.idsForTask(task.id);
      const run = (await t.store.runs.get(runId!))!;
      assert.equal(run.status, 'failed');
      assert.equal(run.message, ended.message);
      assert.equal(await t.store.syncLocks.holder(domainId), undefined, 'the lock is free');
      assert.equal(errors.filter((e) => e.event === 'sync.thread-ended').length, 1, 'the end is logged');
      const written = (await t.store.users.list({ domainId, limit: 1, offset: 0 })).total;
      assert.ok(written < USERS, `stopped part-way (${written} of ${USERS})`);

      const next = await queue.submit(spec);
      assert.equal(next.existing, false);
      const done: Task = (await queue.wait(next.task.id, 120_000))!;
      assert.equal(done.state, TaskState.completed, done.message);
      assert.equal((await t.store.users.list({ domainId, limit: 1, offset: 0 })).total, USERS);
    } finally {
      await queue.stop();
      await thread.close();
    }
  });
});
