/**
 * What the server log says about syncs and sign-ins, read from the log file a real server wrote:
 * each run's start (domain, trigger, mode and why) and end (counts, duration, held), a failure
 * with its cause, a scheduled run skipped because its domain is busy, and failed sign-ins with
 * the name and address but never the password.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { startApi, type Session, type TestApi } from '../support/api.ts';
import { sourceConfig } from '../support/source.ts';
import { bulkPeople } from '../fixtures/people.ts';
import { queueScheduledSyncs } from '../../src/tasks/schedule.ts';
import { EmbeddedQueue } from '../../src/tasks/embedded-queue.ts';
import { SYNC_COMMAND } from '../../src/tasks/sync-task.ts';
import type { Log } from '../../src/logger.ts';

type Line = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('the server log tells what syncs and sign-ins did', () => {
  let slapd: Slapd;
  let t: TestStore;
  let api: TestApi;
  let admin: Session;
  const lines = (): Line[] => readFileSync(join(t.dataDir, 'server.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
  const events = (event: string) => lines().filter((l) => l.event === event);

  before(async () => {
    slapd = await startSlapd({ entries: bulkPeople(12) });
    t = await storeVariants()[0]!.open();
    await t.store.domains.create({ name: 'example.org' });
    await t.store.sources.set(0, sourceConfig(slapd));
    api = await startApi(t, { LOG_LEVEL: 'info' });
    admin = await api.login('admin', 'correct-horse-battery');
  });
  after(async () => { await api?.close(); await slapd?.destroy(); await t?.cleanup(); });

  test('a run logs its start with trigger and mode, and its end with counts and duration', async () => {
    const r = await api.call('POST', '/domains/1/ldap/downsync?import=true&timeout=30', { session: admin });
    assert.equal(r.status, 200);
    const start = events('sync.start')[0]!;
    assert.equal(start.domain, 'example.org');
    assert.equal(start.trigger, 'admin admin');
    assert.equal(start.mode, 'full');
    assert.equal(start.modeReason, 'first run');
    assert.match(start.msg, /sync of example\.org started .*by admin admin\): full because first run/);
    const end = events('sync.end')[0]!;
    assert.equal(end.status, 'completed');
    assert.equal(end.counts.created, 12);
    assert.equal(end.held, 0);
    assert.equal(typeof end.ms, 'number');
    assert.match(end.msg, /sync of example\.org completed in \d+\.\d s/);
  });

  test('a failed run is logged as an error with its cause', async () => {
    await slapd.stop();
    try {
      const r = await api.call('POST', '/domains/1/ldap/downsync?timeout=30', { session: admin });
      assert.equal(r.status, 503);
      const failed = events('sync.end').filter((l) => l.status === 'failed');
      assert.equal(failed.length, 1);
      assert.equal(failed[0]!.level, 50, 'level error');
      assert.equal(failed[0]!.errorCode, 503);
      assert.match(failed[0]!.cause, /Directory unavailable/);
    } finally { await slapd.start(); }
  });

  test('failed sign-ins are logged with the name and address, without the password', async () => {
    const wrong = 'not-the-password-4711';
    const r = await api.call('POST', '/login', { form: { user: 'admin', pass: wrong } });
    assert.equal(r.status, 401);
    const failure = events('signin.failed')[0]!;
    assert.equal(failure.user, 'admin');
    assert.equal(failure.address, '127.0.0.1');
    assert.equal(failure.failures, 1);
    assert.ok(!readFileSync(join(t.dataDir, 'server.log'), 'utf8').includes(wrong), 'the password is in no log line');
    api.ctx.throttle.succeeded(['user:admin', 'ip:127.0.0.1']);
  });

  test('a scheduled run of a busy domain is logged as skipped', async () => {
    const seen: Line[] = [];
    const capture = (level: string) => (obj: Line, msg: string) => { seen.push({ ...obj, level, msg }); };
    const log = { info: capture('info'), warn: capture('warn'), error: capture('error'), debug: capture('debug') } as unknown as Log;
    // A queue that is not started keeps its task queued: the domain is busy when the schedule fires.
    const queue = new EmbeddedQueue(t.store, {});
    const { task } = await queue.submit({ command: SYNC_COMMAND, params: { domainID: 1, import: false, lang: '' }, domainId: 1, orgId: null, owner: 'admin' });
    await queueScheduledSyncs(t.store, queue, 0, '2026-12-01T10:00:00.000Z', log);
    const skipped = seen.find((l) => l.event === 'schedule.skipped');
    assert.ok(skipped, JSON.stringify(seen));
    assert.equal(skipped.level, 'warn');
    assert.equal(skipped.busyTask, task.id);
    assert.match(skipped.msg, new RegExp(`scheduled sync of example\\.org skipped for 2026-12-01T10:00:00.000Z: task ${task.id} of this domain is still queued`));
    await t.store.tasks.update(task.id, { state: 5, message: 'test over' });
  });
});
