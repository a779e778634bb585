/**
 * A batch of synced users written in one statement (PostgreSQL's JSON document) leaves every
 * user exactly as one UPDATE each would: the fields a sync owns, and the link, the photo and the
 * status only where the update says so. On both stores, against real servers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { storeVariants, type TestStore } from '../support/stores.ts';
import type { NewUser, SyncedFields } from '../../src/store/repositories/users.ts';

const NOW = '2026-12-02T10:00:00.000Z';
const LATER = '2026-12-02T11:00:00.000Z';

const newUser = (domainId: number, username: string, externId: number[] | null, extra: Partial<NewUser> = {}): NewUser => ({
  domainId, username, externId: externId && new Uint8Array(externId), dn: `uid=${username},dc=x`, displayName: username,
  email: username, aliases: [], lang: 'en', status: 'active', statusSource: null, statusReason: null, properties: {}, syncHash: 'before', ...extra,
});

/** Each case: the user as stored, and what the sync writes of it (its name kept). */
const CASES: Array<{ name: string; externId: number[] | null; stored?: Partial<NewUser>; fields: Omit<SyncedFields, 'username'> }> = [
  { name: 'fields', externId: [1], fields: { dn: 'uid=new,dc=x', displayName: 'Ünïcødé "quoted" \\ ✓', email: null, aliases: ['a@x', 'b@x'], properties: { title: "O'Brien", n: '1' }, syncHash: 'after', groups: ['g'], roles: ['r'], entryKey: 'key' } },
  { name: 'link', externId: null, fields: { dn: null, displayName: 'linked', email: 'l@x', aliases: [], properties: {}, syncHash: 'after', groups: [], roles: [], entryKey: null, externId: new Uint8Array([0, 0x5c, 0xff, 0x27]) } },
  { name: 'photo-set', externId: [2], fields: { dn: null, displayName: 'p', email: null, aliases: [], properties: {}, syncHash: 'after', groups: [], roles: [], entryKey: null, avatarHash: 'hash-new' } },
  { name: 'photo-removed', externId: [3], stored: { avatarHash: 'hash-old' }, fields: { dn: null, displayName: 'p', email: null, aliases: [], properties: {}, syncHash: 'after', groups: [], roles: [], entryKey: null, avatarHash: null } },
  { name: 'photo-kept', externId: [4], stored: { avatarHash: 'hash-old' }, fields: { dn: null, displayName: 'p', email: null, aliases: [], properties: {}, syncHash: 'after', groups: [], roles: [], entryKey: null } },
  { name: 'deactivated', externId: [5], fields: { dn: null, displayName: 'd', email: null, aliases: [], properties: {}, syncHash: 'after', groups: [], roles: [], entryKey: null, status: 'deactivated', statusSource: 'sync', statusReason: 'disabled in the directory' } },
  // What a cut between the halves of an emoji would leave; PostgreSQL's JSON parser refuses it.
  { name: 'lone-surrogate', externId: [7], fields: { dn: null, displayName: 'cut \ud83d', email: null, aliases: [], properties: {}, syncHash: 'after', groups: [], roles: [], entryKey: null, status: 'deactivated', statusSource: 'sync', statusReason: 'reason \udbff' } },
  { name: 'status-kept', externId: [6], stored: { status: 'deactivated', statusSource: 'admin', statusReason: 'by hand' }, fields: { dn: null, displayName: 's', email: null, aliases: [], properties: {}, syncHash: 'after', groups: [], roles: [], entryKey: null } },
];

for (const variant of storeVariants()) {
  describe(`synced users written together on ${variant.name}`, { skip: variant.skip }, () => {
    let t: TestStore;
    before(async () => { t = await variant.open(); });
    after(async () => { await t?.cleanup(); });

    test('one statement for many users writes what one UPDATE each writes', async () => {
      const d = await t.store.domains.create({ name: 'updates.example' });
      const made = await t.store.users.insertMany(CASES.flatMap((c) => ['one', 'many'].map((how) =>
        newUser(d.id, `${c.name}-${how}@x`, c.externId && [...c.externId, how === 'one' ? 1 : 2], c.stored))), NOW);
      const id = new Map(made.map((m) => [m.username, m.id]));
      const fieldsOf = (c: (typeof CASES)[number], how: string): SyncedFields => ({ ...c.fields, username: `${c.name}-${how}@x`, ...(c.fields.externId ? { externId: new Uint8Array([...c.fields.externId, how === 'one' ? 1 : 2]) } : {}) });
      for (const c of CASES) await t.store.users.updateSynced(id.get(`${c.name}-one@x`)!, fieldsOf(c, 'one'), LATER);
      await t.store.users.updateSyncedMany(CASES.map((c) => ({ id: id.get(`${c.name}-many@x`)!, fields: fieldsOf(c, 'many') })), LATER);

      for (const c of CASES) {
        const one = (await t.store.users.get(id.get(`${c.name}-one@x`)!))!;
        const many = (await t.store.users.get(id.get(`${c.name}-many@x`)!))!;
        const comparable = (u: typeof one) => ({ ...u, id: 0, username: u.username.replace(/-(one|many)@/, '@'), email: u.email?.replace(/-(one|many)@/, '@') ?? null, externId: u.externId && [...u.externId.slice(0, -1)] });
        assert.deepEqual(comparable(many), comparable(one), c.name);
        assert.equal(many.lastSyncedAt, LATER, c.name);
      }
      const cut = (await t.store.users.get(id.get('lone-surrogate-many@x')!))!;
      assert.deepEqual([cut.displayName, cut.statusReason], ['cut \ufffd', 'reason \ufffd'], 'a lone surrogate is stored as U+FFFD, as a single UPDATE stores it');
      const removed = (await t.store.users.get(id.get('photo-removed-many@x')!))!;
      assert.equal(removed.avatarHash, null);
      assert.equal((await t.store.users.get(id.get('photo-kept-many@x')!))!.avatarHash, 'hash-old');
      const kept = (await t.store.users.get(id.get('status-kept-many@x')!))!;
      assert.deepEqual([kept.status, kept.statusSource, kept.statusReason], ['deactivated', 'admin', 'by hand']);
      const linked = (await t.store.users.byExternIds([new Uint8Array([0, 0x5c, 0xff, 0x27, 2])])).map((u) => u.username);
      assert.deepEqual(linked, ['link-many@x'], 'a linked user is found by its new ID');
      await t.store.users.updateSyncedMany([], LATER);
    });
  });
}
