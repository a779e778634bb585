/** Every repository, on node:sqlite and on PostgreSQL: same calls, same answers. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { TaskState } from '../../src/domain/task.ts';
import { emptyCounts } from '../../src/domain/outcome.ts';
import type { NewUser } from '../../src/store/repositories/users.ts';

const newUser = (domainId: number, username: string, externId: number[] | null): NewUser => ({
  domainId, username, externId: externId && new Uint8Array(externId), dn: externId ? `uid=${username},dc=x` : null, displayName: username.toUpperCase(),
  email: username, aliases: [`alias.${username}`], lang: 'en', status: 'active', statusSource: null, statusReason: null,
  properties: { title: 'Ünïcødé ✓' }, syncHash: null,
});

for (const variant of storeVariants()) {
  describe(`store on ${variant.name}`, { skip: variant.skip }, () => {
    let t: TestStore;
    before(async () => { t = await variant.open(); });
    after(async () => { await t?.cleanup(); });

    test('organizations and domains', async () => {
      const org = await t.store.organizations.create('Acme', 'the usual');
      assert.ok(org.id > 0);
      assert.deepEqual((await t.store.organizations.list()).map((o) => o.name), ['Acme']);
      const d = await t.store.domains.create({ name: 'Acme.Example', orgId: org.id });
      assert.equal(d.name, 'acme.example');
      assert.equal((await t.store.domains.byName('ACME.example'))?.id, d.id);
      assert.deepEqual((await t.store.domains.list({ orgId: org.id })).map((x) => x.id), [d.id]);
      assert.deepEqual(await t.store.domains.list({ ids: [] }), []);
      assert.equal((await t.store.domains.update(d.id, { title: 'Acme' }))?.title, 'Acme');
      await assert.rejects(t.store.domains.create({ name: 'acme.example' }), 'names are unique');
      assert.equal((await t.store.organizations.update(org.id, { description: 'changed' }))?.description, 'changed');
      assert.equal(await t.store.organizations.delete(0), false, 'org 0 stays');
    });

    test('directory sources: the organization override wins, else the default', async () => {
      assert.equal(await t.store.sources.effective(5), undefined);
      await t.store.sources.set(0, { baseDn: 'dc=default' });
      await t.store.sources.set(7, { baseDn: 'dc=seven' });
      assert.deepEqual(await t.store.sources.effective(7), { orgId: 7, config: { baseDn: 'dc=seven' } });
      assert.deepEqual(await t.store.sources.effective(5), { orgId: 0, config: { baseDn: 'dc=default' } });
      await t.store.sources.set(7, { baseDn: 'dc=seven2' });
      assert.deepEqual(await t.store.sources.get(7), { baseDn: 'dc=seven2' });
      assert.deepEqual(await t.store.sources.orgIds(), [0, 7]);
      assert.equal(await t.store.sources.delete(7), true);
    });

    test('users: bytes, JSON fields and unicode round-trip; lookups by stable ID and name', async () => {
      const d = await t.store.domains.create({ name: 'users.example' });
      const rows = await t.store.users.insertMany([newUser(d.id, 'a@users.example', [0, 0x5c, 0xff, 0x28]), newUser(d.id, 'b@users.example', null)]);
      assert.equal(rows.length, 2);
      const a = (await t.store.users.byUsername('A@users.example'))!;
      assert.deepEqual([...a.externId!], [0, 0x5c, 0xff, 0x28]);
      assert.deepEqual(a.aliases, ['alias.a@users.example']);
      assert.deepEqual(a.properties, { title: 'Ünïcødé ✓' });
      const byId = await t.store.users.byExternIds([new Uint8Array([0, 0x5c, 0xff, 0x28]), new Uint8Array([9])]);
      assert.deepEqual(byId.map((u) => u.username), ['a@users.example']);
      assert.deepEqual((await t.store.users.byUsernames(['b@users.example'])).map((u) => u.externId), [null]);
      const linked: number[] = [];
      for await (const chunk of t.store.users.linkedInDomain(d.id, 1)) linked.push(...chunk.map((u) => u.id));
      assert.deepEqual(linked, [a.id]);
      await t.store.users.setStatus([a.id], 'deactivated', 'admin', 'by hand');
      assert.deepEqual(await t.store.users.countByStatus(d.id), { active: 1, deactivated: 1 });
      const page = await t.store.users.list({ domainId: d.id, query: 'b@', limit: 10, offset: 0 });
      assert.equal(page.total, 1);
      await t.store.users.detach(a.id);
      assert.equal((await t.store.users.get(a.id))?.externId, null);
      assert.ok((await t.store.users.maxId()) >= a.id);
      await assert.rejects(t.store.users.insertMany([newUser(d.id, 'a@users.example', null)]), 'usernames are unique');
    });

    test('a failed transaction writes nothing', async () => {
      const d = await t.store.domains.create({ name: 'tx.example' });
      await assert.rejects(t.store.transaction(async (tx) => {
        await tx.users.insertMany([newUser(d.id, 'one@tx.example', [1])]);
        await tx.users.insertMany([newUser(d.id, 'one@tx.example', [2])]);
      }));
      assert.equal((await t.store.users.list({ domainId: d.id, limit: 10, offset: 0 })).total, 0);
    });

    test('many new users: each gets the ID stored for it; a name taken late writes none of them', async () => {
      const d = await t.store.domains.create({ name: 'many.example' });
      const names = Array.from({ length: 1200 }, (_, i) => `u${i}@many.example`);
      const rows = await t.store.users.insertMany(names.map((n, i) => newUser(d.id, n, [i >> 8, i & 0xff])));
      assert.deepEqual(rows.map((r) => r.username), names);
      const stored = new Map((await t.store.users.byUsernames(names)).map((u) => [u.username, u.id]));
      assert.deepEqual(rows.map((r) => r.id), names.map((n) => stored.get(n)));
      // The last row collides: the rows before it are not left behind, alone or in a transaction.
      const late = [newUser(d.id, 'first@many.example', null), newUser(d.id, 'second@many.example', null), newUser(d.id, names[0]!, null)];
      await assert.rejects(t.store.users.insertMany(late));
      await assert.rejects(t.store.transaction((tx) => tx.users.insertMany(late)));
      assert.deepEqual(await t.store.users.byUsernames(['first@many.example', 'second@many.example']), []);
      assert.equal((await t.store.users.list({ domainId: d.id, limit: 1, offset: 0 })).total, names.length);
    });

    test('tasks: create, compare-and-set transitions, scoped listing', async () => {
      const task = await t.store.tasks.create({ command: 'ldapSync', params: { domainID: 3, import: true }, domainId: 3, orgId: null, owner: 'admin' });
      assert.equal(task.state, TaskState.queued);
      assert.equal((await t.store.tasks.activeFor('ldapSync', 3))?.id, task.id);
      assert.equal(await t.store.tasks.transition(task.id, [TaskState.queued], TaskState.running), true);
      assert.equal(await t.store.tasks.transition(task.id, [TaskState.queued], TaskState.running), false, 'only one caller wins');
      await t.store.tasks.update(task.id, { progress: 50, message: 'half', result: [{ ID: 1 }] });
      const got = (await t.store.tasks.get(task.id))!;
      assert.deepEqual([got.progress, got.message, got.result], [50, 'half', [{ ID: 1 }]]);
      assert.deepEqual((await t.store.tasks.list({ all: false, domainIds: [4] }, 10, 0)).length, 0);
      assert.deepEqual((await t.store.tasks.list({ all: false, domainIds: [3] }, 10, 0)).map((x) => x.id), [task.id]);
      assert.deepEqual((await t.store.tasks.inStates([TaskState.running])).map((x) => x.id), [task.id]);
      assert.equal(await t.store.tasks.delete(task.id), true);
    });

    test('sync runs keep their outcomes in order', async () => {
      const runId = await t.store.runs.start({ taskId: null, domainId: 1, dryRun: false, importNew: true });
      const outcomes = Array.from({ length: 2500 }, (_, i) => ({ ID: i, username: `u${i}`, code: 200 as const, message: 'ok' }));
      await t.store.runs.addOutcomes(runId, 0, outcomes);
      await t.store.runs.finish(runId, { status: 'completed', counts: { ...emptyCounts(), unchanged: 2500 }, entriesSeen: 2500, errorCode: null, message: 'done' });
      const run = (await t.store.runs.get(runId))!;
      assert.equal(run.status, 'completed');
      assert.equal(run.counts.unchanged, 2500);
      assert.deepEqual(await t.store.runs.allOutcomes(runId), outcomes);
      assert.equal((await t.store.runs.lastForDomain(1))?.id, runId);
    });

    test('audit events record before and after', async () => {
      await t.store.audit.record({ actor: 'admin', action: 'domain.update', targetType: 'domain', targetId: '1', before: { title: 'a' }, after: { title: 'b' } });
      const [event] = await t.store.audit.list(1);
      assert.deepEqual([event?.actor, event?.before, event?.after], ['admin', { title: 'a' }, { title: 'b' }]);
    });
  });
}
