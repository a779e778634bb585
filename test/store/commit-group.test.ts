/**
 * Commits taken together on a sync's own SQLite connection (src/store/commit-group.ts), watched
 * from a second connection to the same file, as the API's thread reads it: what a holder's group
 * has written shows there only once the group commits, `afterCommit` says when that is, and no
 * one else's writes ride on the group.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openStore, type Store } from '../../src/open-store.ts';
import type { NewUser } from '../../src/store/repositories/users.ts';
import { waitFor } from '../support/wait-for.ts';

const person = (domainId: number, name: string): NewUser => ({
  domainId, username: `${name}@example.org`, externId: null, dn: null, displayName: name, email: `${name}@example.org`, aliases: [], lang: '',
  status: 'active', statusSource: null, statusReason: null, properties: {}, syncHash: null,
});

/** Grouping by count only, so that a slow machine's pauses commit nothing early. */
const BY_COUNT = { transactions: 5, openMs: 600_000, idleMs: 600_000 };

describe('a commit group on a sync\'s own SQLite connection', () => {
  let dataDir: string;
  let store: Store;
  let other: DatabaseSync;
  let domainId: number;
  let n = 0;
  /** Users as the other connection sees them. */
  const seen = (): number => Number((other.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n);
  const has = (username: string): boolean => other.prepare('SELECT 1 FROM users WHERE username = ?').get(username) !== undefined;
  const create = (s: Store = store) => s.transaction((tx) => tx.users.insertMany([person(domainId, `user${++n}`)]));
  const failing = () => store.transaction(async (tx) => {
    await tx.users.insertMany([person(domainId, `twice${++n}`)]);
    await tx.users.insertMany([person(domainId, `twice${n}`)]);
  });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ldapsync-group-'));
    store = await openStore({ dataDir, groupCommits: BY_COUNT });
    domainId = (await store.domains.create({ name: 'example.org' })).id;
    other = new DatabaseSync(join(dataDir, 'ldapsync.sqlite'));
    other.exec('PRAGMA busy_timeout = 5000');
  });
  after(async () => { other?.close(); await store?.close(); rmSync(dataDir, { recursive: true, force: true }); });

  test('five of the holder\'s transactions commit as one: nothing shows before the fifth, each is told after it', async () => {
    const before = seen();
    const hold = store.commitGroup!.hold();
    const told: number[] = [];
    await hold.run(async () => {
      for (let i = 1; i <= 4; i++) {
        await create();
        hold.afterCommit(() => told.push(i));
        assert.equal(seen(), before, `transaction ${i} waits for the group`);
      }
      assert.equal(told.length, 0);
      await create();
      hold.afterCommit(() => told.push(5));
    });
    assert.equal(seen(), before + 5);
    assert.deepEqual(told, [1, 2, 3, 4, 5]);
    hold.release();
    assert.equal(hold.failure, null);
  });

  test('letting go commits what waits; outside a hold each transaction commits by itself', async () => {
    const before = seen();
    const hold = store.commitGroup!.hold();
    let told = false;
    await hold.run(async () => { await create(); hold.afterCommit(() => { told = true; }); });
    assert.equal(seen(), before);
    hold.release();
    assert.deepEqual([seen(), told], [before + 1, true]);
    await create();
    assert.equal(seen(), before + 2, 'no hold, no group');
  });

  test('a failed transaction takes back the group: the holder is told, nothing shows, and it writes no more until it lets go', async () => {
    const before = seen();
    const hold = store.commitGroup!.hold();
    let told = 0;
    await hold.run(async () => {
      await create();
      hold.afterCommit(() => told++);
      await assert.rejects(failing(), /UNIQUE/);
      assert.match(hold.failure?.message ?? '', /taken back/);
      await assert.rejects(create(), /taken back/, 'a page half taken back is not followed by the rest of it');
      hold.afterCommit(() => told++);
    });
    hold.release();
    assert.equal(told, 0, 'what was taken back is never reported as written');
    assert.equal(seen(), before);
    await create();
    assert.equal(seen(), before + 1, 'once it let go, the connection writes as before');
  });

  test('a write outside the holder\'s work commits the group first and stands alone', async () => {
    const hold = store.commitGroup!.hold();
    let mine = '';
    await hold.run(async () => { await create(); mine = `user${n}@example.org`; });
    assert.equal(has(mine), false);
    // Another task's bookkeeping on the same connection, say.
    await create();
    const theirs = `user${n}@example.org`;
    assert.deepEqual([has(mine), has(theirs)], [true, true]);
    await hold.run(async () => { await create(); await assert.rejects(failing(), /UNIQUE/); });
    hold.release();
    assert.deepEqual([has(mine), has(theirs)], [true, true], 'the holder\'s failure takes back nothing that is not its own');
  });

  test('a second holder: the group commits at once, nothing is grouped while both hold, and one\'s failure is not the other\'s', async () => {
    const before = seen();
    const first = store.commitGroup!.hold();
    await first.run(() => create());
    assert.equal(seen(), before);
    const second = store.commitGroup!.hold();
    assert.equal(seen(), before + 1, 'the first holder\'s writes do not wait with the second\'s');
    await second.run(() => create());
    assert.equal(seen(), before + 2);
    await second.run(() => assert.rejects(failing(), /UNIQUE/));
    await first.run(() => create());
    assert.equal(seen(), before + 3);
    second.release();
    first.release();
    assert.deepEqual([first.failure, second.failure], [null, null], 'transactions alone fail alone');
  });

  test('a store that closes in the middle of a grouped transaction keeps none of that transaction', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ldapsync-group-close-'));
    const closing = await openStore({ dataDir: dir, groupCommits: BY_COUNT });
    const peer = new DatabaseSync(join(dir, 'ldapsync.sqlite'));
    try {
      const domain = (await closing.domains.create({ name: 'example.org' })).id;
      const hold = closing.commitGroup!.hold();
      await hold.run(async () => {
        await closing.transaction((tx) => tx.users.insertMany([person(domain, 'whole')]));
        await assert.rejects(closing.transaction(async (tx) => {
          await tx.users.insertMany([person(domain, 'half')]);
          await closing.close();
          await tx.users.insertMany([person(domain, 'never')]);
        }));
      });
      const names = (peer.prepare('SELECT username FROM users').all() as Array<{ username: string }>).map((r) => r.username);
      assert.deepEqual(names, [], 'the group went with the transaction it was in the middle of');
      assert.match(hold.failure?.message ?? '', /closed during a write/);
    } finally {
      peer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an idle group commits: a run waiting for its directory holds no lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ldapsync-group-idle-'));
    const idle = await openStore({ dataDir: dir, groupCommits: { transactions: 5, openMs: 600_000, idleMs: 30 } });
    const peer = new DatabaseSync(join(dir, 'ldapsync.sqlite'));
    peer.exec('PRAGMA busy_timeout = 5000');
    try {
      const domain = (await idle.domains.create({ name: 'example.org' })).id;
      const hold = idle.commitGroup!.hold();
      let told = false;
      await hold.run(async () => { await idle.transaction((tx) => tx.users.insertMany([person(domain, 'waiting')])); hold.afterCommit(() => { told = true; }); });
      await waitFor('the idle group to commit', async () => told, 5000);
      // Another writer gets the lock meanwhile.
      peer.prepare("UPDATE users SET display_name = 'Elsewhere' WHERE username = 'waiting@example.org'").run();
      hold.release();
      assert.equal(hold.failure, null);
    } finally {
      peer.close();
      await idle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a store opened for the API groups nothing', async () => {
    const api = await openStore({ dataDir });
    try {
      assert.equal(api.commitGroup, null);
    } finally {
      await api.close();
    }
  });
});
