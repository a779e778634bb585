/**
 * A sync from the command line is a task: a running server lists it (owner cli), a run it held
 * for approval is approved through the API as the console does it, and the task ends with it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { startApi, type Session, type TestApi } from '../support/api.ts';
import { sourceConfig } from '../support/source.ts';
import { bulkPeople, PEOPLE } from '../fixtures/people.ts';

const BIN = new URL('../../bin/ldapsync.js', import.meta.url).pathname;

describe('command-line runs under Tasks', () => {
  let slapd: Slapd;
  let t: TestStore;
  let api: TestApi;
  let admin: Session;
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, LDAPSYNC_DATA_DIR: t.dataDir, DATABASE_URL: '' }, encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  before(async () => {
    slapd = await startSlapd({ entries: bulkPeople(12) });
    t = await storeVariants()[0]!.open();
    await t.store.domains.create({ name: 'example.org' });
    await t.store.sources.set(0, sourceConfig(slapd, { threshold: { count: 1, percent: 100 } }));
    api = await startApi(t);
    admin = await api.login('admin', 'correct-horse-battery');
  });
  after(async () => { await api?.close(); await slapd?.destroy(); await t?.cleanup(); });

  test('a run from the shell is listed as a task, with its counts and final entry count', async () => {
    const r = cli('sync', '--domain', '1', '--import');
    assert.equal(r.code, 0, r.err);
    const list = await api.call('GET', '/tasq/tasks', { session: admin });
    const mine = list.body.data.find((x: { owner: string }) => x.owner === 'cli');
    assert.ok(mine, JSON.stringify(list.body.data));
    assert.equal(mine.state, 3);
    const task = await api.call('GET', `/tasq/tasks/${mine.ID}`, { session: admin });
    assert.equal(task.body.params.result.length, 12, 'its outcomes, as for any task');
    assert.equal((await t.store.tasks.get(mine.ID))!.progress, 12);
    assert.equal(cli('sync', '--domain', '1', '--dry-run').code, 0);
    assert.equal((await api.call('GET', '/tasq/tasks', { session: admin })).body.data.filter((x: { owner: string }) => x.owner === 'cli').length, 1, 'a dry run is no task');
  });

  test('deactivations a shell run holds are approved from the API, as the console does', async () => {
    slapd.remove(`uid=user011,${PEOPLE}`);
    slapd.remove(`uid=user012,${PEOPLE}`);
    const held = cli('sync', '--domain', '1');
    assert.equal(held.code, 1, held.err);
    const taskId = Number(/or task (\d+) under Tasks in the console/.exec(held.out)?.[1]);
    assert.ok(taskId, held.out);
    const waiting = await api.call('GET', `/tasq/tasks/${taskId}`, { session: admin });
    assert.equal(waiting.body.state, 6, 'waiting for approval, as an API run would');
    const approved = await api.call('POST', `/tasq/tasks/${taskId}/approve`, { session: admin });
    assert.equal(approved.status, 200, approved.text);
    assert.equal((await t.store.users.byUsername('user011@example.org'))!.status, 'deactivated');
    assert.equal((await api.call('GET', `/tasq/tasks/${taskId}`, { session: admin })).body.state, 3);
  });
});
