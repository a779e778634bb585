/**
 * Commits taken together on a sync's own SQLite connection (src/store/commit-group.ts), watched
 * from a second connection to the same file, as the API's thread reads it: what a held group has
 * written shows there only once the group commits, and `afterCommit` says when that is.
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

describe('a commit group on a sync\'s own SQLite connection', () => {
  let dataDir: string;
  let store: Store;
  let other: DatabaseSync;
  let domainId: number;
  let n = 0;
  /** What the other connection sees of the users written here. */
  const seen = (): number => Number((other.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n);
  const create = (s: Store = store) => s.transaction((tx) => tx.users.insertMany([person(domainId, `user${++n}`)]));

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ldapsync-group-'));
    store = await openStore({ dataDir, groupCommits: true });
    domainId = (await store.domains.create({ name: 'example.org' })).id;
    other = new DatabaseSync(join(dataDir, 'ldapsync.sqlite'));
    other.exec('PRAGMA busy_timeout = 5000');
  });
  after(async () => { other?.close(); await store?.close(); rmSync(dataDir, { recursive: true, force: true }); });

  test('five transactions held commit as one: nothing shows before the fifth, each is told after it', async () => {
    const before = seen();
    const hold = store.commitGroup!.hold();
    const told: number[] = [];
    for (let i = 1; i <= 4; i++) {
      await create();
      hold.afterCommit(() => told.push(i));
      assert.equal(seen(), before, `transaction ${i} waits for the group`);
    }
    assert.equal(told.length, 0);
    await create();
    hold.afterCommit(() => told.push(5));
    assert.equal(seen(), before + 5);
    assert.deepEqual(told, [1, 2, 3, 4, 5]);
    hold.release();
    assert.equal(hold.failure, null);
  });

  test('letting go commits what waits; without a hold each transaction commits by itself', async () => {
    const before = seen();
    const hold = store.commitGroup!.hold();
    await create();
    let told = false;
    hold.afterCommit(() => { told = true; });
    assert.equal(seen(), before);
    hold.release();
    assert.equal(seen(), before + 1);
    assert.equal(told, true);
    await create();
    assert.equal(seen(), before + 2, 'no hold, no group');
  });

  test('a connection left idle commits the group: a run waiting for its directory holds no lock', async () => {
    const before = seen();
    const hold = store.commitGroup!.hold();
    await create();
    await waitFor('the idle group to commit', async () => seen() === before + 1, 2000);
    // Another writer gets the lock meanwhile.
    other.prepare("UPDATE users SET display_name = 'Elsewhere' WHERE username = ?").run(`user${n}@example.org`);
    await create();
    hold.release();
    assert.equal(seen(), before + 2);
    assert.equal(hold.failure, null);
  });

  test('a transaction that fails takes back the group: its holder is told, nothing of it shows, the next one commits', async () => {
    const before = seen();
    const hold = store.commitGroup!.hold();
    let told = 0;
    await create();
    hold.afterCommit(() => told++);
    await assert.rejects(store.transaction(async (tx) => {
      await tx.users.insertMany([person(domainId, 'taken-twice')]);
      await tx.users.insertMany([person(domainId, 'taken-twice')]);
    }), /UNIQUE/);
    assert.match(hold.failure?.message ?? '', /taken back/);
    assert.equal(told, 0, 'what was taken back is never reported as written');
    hold.release();
    assert.equal(seen(), before);
    assert.equal(await store.users.byUsername(`user${n}@example.org`), undefined);
    await create();
    assert.equal(seen(), before + 1);
  });

  test('a second holder: the group commits at once, and nothing is grouped while both hold', async () => {
    const before = seen();
    const first = store.commitGroup!.hold();
    await create();
    assert.equal(seen(), before);
    const second = store.commitGroup!.hold();
    assert.equal(seen(), before + 1, 'the first holder\'s writes do not wait with the second\'s');
    await create();
    assert.equal(seen(), before + 2);
    second.release();
    await create();
    first.release();
    assert.equal(seen(), before + 3);
    assert.deepEqual([first.failure, second.failure], [null, null]);
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
