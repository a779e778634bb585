/**
 * A stored sync task runs only what its own scope names: a row scoped to one domain whose params
 * name another domain, or none (which means "every domain"), is refused before any run starts, so
 * the domain's admins, who see and approve that task, never see another domain's outcomes in it.
 * A thread's crash is named to a tenant without its cause (paths, errors of this server).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { syncTaskHandler, SYNC_COMMAND } from '../../src/tasks/sync-task.ts';
import { TaskFailure } from '../../src/tasks/queue.ts';
import { Caller } from '../../src/auth/permissions.ts';
import { causeFor } from '../../src/services/test-answers.ts';
import { IdBitmap } from '../../src/domain/id-bitmap.ts';
import { emptyCounts } from '../../src/domain/outcome.ts';
import type { NewUser } from '../../src/store/repositories/users.ts';

const newUser = (domainId: number, n: number, host: string): NewUser => ({
  domainId, username: `u${n}@${host}`, externId: new Uint8Array([n, n + 1]), dn: `uid=u${n},dc=x`, displayName: `U${n}`,
  email: null, aliases: [], lang: '', status: 'active', statusSource: null, statusReason: null, properties: {}, syncHash: 'h',
});

const context = { signal: new AbortController().signal, progress: () => undefined };

for (const variant of storeVariants()) {
  describe(`a sync task's scope on ${variant.name}`, { skip: variant.skip }, () => {
    let t: TestStore;
    let mine: number;
    let theirs: number;
    before(async () => {
      t = await variant.open();
      mine = (await t.store.domains.create({ name: 'mine.example' })).id;
      theirs = (await t.store.domains.create({ name: 'theirs.example' })).id;
    });
    after(async () => { await t?.cleanup(); });

    const connect = () => Promise.reject(new Error('no directory may be reached'));

    for (const [what, params] of [['another domain', () => ({ domainID: theirs, import: true, lang: '' })], ['no domain at all', () => ({ import: true, lang: '' })]] as const) {
      test(`params naming ${what} in a task scoped to one domain: refused, nothing run`, async () => {
        const task = await t.store.tasks.create({ command: SYNC_COMMAND, params: params(), domainId: mine, orgId: null, owner: 'admin' });
        const handler = syncTaskHandler({ store: t.store, connect });
        await assert.rejects(handler(task, context), (e: unknown) => e instanceof TaskFailure && e.code === 400 && /scoped to domain/.test(e.message));
        assert.deepEqual(await t.store.runs.idsForTask(task.id), [], 'no run was started');
      });
    }

    test('a run\'s confirmed users are listed only from its own domain', async () => {
      const [own, other] = await t.store.users.insertMany([newUser(mine, 1, 'mine.example'), newUser(theirs, 2, 'theirs.example')], '2026-01-01T00:00:00.000Z');
      const runId = await t.store.runs.start({ taskId: null, domainId: mine, dryRun: false, importNew: false });
      const confirmed = new IdBitmap();
      confirmed.add(own!.id);
      confirmed.add(other!.id);
      await t.store.transaction((tx) => tx.runs.confirm(runId, mine, confirmed));
      await t.store.runs.finish(runId, { status: 'completed', counts: emptyCounts(), entriesSeen: 0, errorCode: null, message: '' });
      assert.deepEqual((await t.store.runs.allOutcomes(runId)).map((o) => o.username), ['u1@mine.example']);
    });
  });
}

test('a sync thread that died tells a tenant admin that it did, and only a system admin why', () => {
  const tenant = new Caller(2, 'tenant', [{ permission: 'DomainAdmin', param: '1' }]);
  const system = new Caller(1, 'root', [{ permission: 'SystemAdmin', param: '' }]);
  const message = 'the sync thread stopped during the run (Error: ENOENT: no such file or directory, open /srv/ldapsync/keys/secrets.json)';
  assert.equal(causeFor(tenant, message), 'the sync thread stopped during the run; a system admin finds the cause in the service log');
  assert.equal(causeFor(system, message), message);
  assert.equal(causeFor(tenant, 'the sync thread could not start: out of memory'), 'the sync thread could not start; a system admin finds the cause in the service log');
  const unexpected = "Synchronization failed: TypeError: Cannot read properties of undefined (reading 'dn') at /srv/ldapsync/src/sync/planner.ts:88";
  assert.equal(causeFor(tenant, unexpected), 'Synchronization failed; a system admin finds the cause in the service log');
  assert.equal(causeFor(system, unexpected), unexpected);
  const store = 'The database could not be written (connect ECONNREFUSED 10.1.2.3:5432 (db-primary)); users already written are whole, the rest are as before';
  assert.equal(causeFor(tenant, store), 'The database could not be written (a system admin finds the cause in the service log); users already written are whole, the rest are as before');
  assert.equal(causeFor(tenant, 'Synchronization failed: the sync thread stopped during the run (Error: EIO)'), 'Synchronization failed: the sync thread stopped during the run; a system admin finds the cause in the service log');
});
