/**
 * Avatars from directory photos against a real slapd, on both stores: stored once per hash,
 * skipped when unchanged, replaced and cleared with the directory, refused when not an image, too
 * large, or a decompression bomb (with the user still synced and the refusal in the outcome).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { replaceLdif } from '../support/ldif.ts';
import { namedPeople, OTHER_PHOTO, PHOTO, SALES, ENGINEERING } from '../fixtures/people.ts';
import { runSync, type SyncOptions } from '../../src/sync/engine.ts';
import { connect } from '../../src/directory/client.ts';
import type { Outcome } from '../../src/domain/outcome.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A real PNG bomb: 20,000 × 20,000 pixels (400 million) in a file of a few dozen kilobytes. */
export function pngBomb(): Buffer {
  const side = 20_000;
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4); length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0); ihdr.writeUInt32BE(side, 4); ihdr[8] = 1; ihdr[9] = 0; // 1-bit greyscale
  const raw = Buffer.alloc((side / 8 + 1) * side); // every row: filter byte 0, then zero pixels
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

for (const variant of storeVariants()) {
  describe(`avatars on ${variant.name}`, { skip: variant.skip }, () => {
    let slapd: Slapd;
    let t: TestStore;
    let domainId: number;
    const WANG = `uid=wangfang,${SALES}`;
    const MUELLER = `uid=mueller,${ENGINEERING}`;

    const sync = async (options: Partial<SyncOptions> = {}) => {
      const report = await runSync({ store: t.store, connect: (s) => connect(s) }, { domainId, importNew: true, lang: '', dryRun: false, full: true, ...options });
      const outcomes: Outcome[] = report.runId === null ? report.outcomes : await t.store.runs.allOutcomes(report.runId);
      return { report, byName: new Map(outcomes.map((o) => [o.username, o])) };
    };
    const user = async (name: string) => (await t.store.users.byUsername(name))!;

    before(async () => {
      slapd = await startSlapd({ entries: namedPeople });
      t = await variant.open();
      domainId = (await t.store.domains.create({ name: 'example.org' })).id;
      await t.store.sources.set(0, sourceConfig(slapd));
    });
    after(async () => { await slapd?.destroy(); await t?.cleanup(); });

    test('an import stores the photo once, as the avatar of its user, by its SHA-256', async () => {
      const { report } = await sync();
      assert.equal(report.status, 'completed');
      const wang = await user('wang.fang@example.org');
      assert.equal(wang.avatarHash, sha256(PHOTO));
      const image = (await t.store.avatars.get(wang.avatarHash!))!;
      assert.equal(image.contentType, 'image/jpeg');
      assert.deepEqual([image.width, image.height], [48, 48]);
      assert.deepEqual(Buffer.from(image.data), PHOTO);
      assert.equal((await user('juergen.mueller@example.org')).avatarHash, null, 'no photo, no avatar');
      assert.equal(await t.store.avatars.count(), 1);
    });

    test('an unchanged photo is not written again; the same photo on two users is stored once', async () => {
      const before = await user('wang.fang@example.org');
      const { byName } = await sync();
      assert.equal(byName.get('wang.fang@example.org')!.message, 'Synchronization successful');
      assert.equal((await user('wang.fang@example.org')).updatedAt, before.updatedAt);
      slapd.modify(replaceLdif(MUELLER, { jpegPhoto: PHOTO }));
      const second = await sync();
      assert.match(second.byName.get('juergen.mueller@example.org')!.message, /updated avatar/);
      assert.equal((await user('juergen.mueller@example.org')).avatarHash, sha256(PHOTO));
      assert.equal(await t.store.avatars.count(), 1, 'one image, two users');
    });

    test('a changed photo replaces the avatar, and the old image goes once nobody shows it', async () => {
      slapd.modify(replaceLdif(WANG, { jpegPhoto: OTHER_PHOTO }) + replaceLdif(MUELLER, { jpegPhoto: [] }));
      const { byName } = await sync();
      assert.match(byName.get('wang.fang@example.org')!.message, /updated avatar/);
      assert.equal((await user('wang.fang@example.org')).avatarHash, sha256(OTHER_PHOTO));
      assert.equal((await user('juergen.mueller@example.org')).avatarHash, null, 'photo removed in the directory: avatar cleared');
      assert.equal(await t.store.avatars.count(), 1);
      assert.ok(await t.store.avatars.get(sha256(OTHER_PHOTO)));
    });

    test('refused photos leave the user synced, the avatar as it was, and say why', async () => {
      const cases: Array<[string, Buffer, RegExp]> = [
        ['not an image', Buffer.from('<svg onload="alert(1)"></svg>'), /photo ignored: jpegPhoto is not a JPEG, PNG, GIF or WebP image/],
        ['a decompression bomb', pngBomb(), /photo ignored: jpegPhoto is 20000×20000 pixels, over the limit of 16777216/],
        ['too large', Buffer.concat([PHOTO, Buffer.alloc(1024 * 1024)]), /photo ignored: jpegPhoto is \d+ bytes, over the limit of 1048576/],
        ['an empty PNG header', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), /photo ignored: jpegPhoto is a PNG without its IHDR header/],
      ];
      for (const [label, bytes, message] of cases) {
        slapd.modify(replaceLdif(WANG, { jpegPhoto: bytes, cn: `Wang ${label}` }));
        const { byName } = await sync();
        const outcome = byName.get('wang.fang@example.org')!;
        assert.equal(outcome.code, 200, label);
        assert.match(outcome.message, message, label);
        const wang = await user('wang.fang@example.org');
        assert.equal(wang.displayName, `Wang ${label}`, `${label}: the rest of the entry still syncs`);
        assert.equal(wang.avatarHash, sha256(OTHER_PHOTO), `${label}: the avatar stays as it was`);
      }
      assert.equal(await t.store.avatars.count(), 1, 'nothing refused was stored');
    });

    test('the configured avatar attribute wins over jpegPhoto; switching avatars off leaves them alone', async () => {
      slapd.modify(replaceLdif(WANG, { jpegPhoto: OTHER_PHOTO, audio: PHOTO }));
      await t.store.sources.set(0, sourceConfig(slapd, { avatarAttribute: 'audio' }));
      await sync();
      assert.equal((await user('wang.fang@example.org')).avatarHash, sha256(PHOTO));
      await t.store.sources.set(0, sourceConfig(slapd, { syncAvatars: false }));
      slapd.modify(replaceLdif(WANG, { audio: [], jpegPhoto: [] }));
      const { report } = await sync();
      assert.equal(report.status, 'completed');
      assert.equal((await user('wang.fang@example.org')).avatarHash, sha256(PHOTO), 'avatar sync off: kept as it was');
    });

    test('a dry run names the avatar change and writes no image', async () => {
      await t.store.sources.set(0, sourceConfig(slapd));
      slapd.modify(replaceLdif(WANG, { jpegPhoto: OTHER_PHOTO }));
      const { report } = await sync({ dryRun: true });
      const item = report.plan.find((p) => p.kind === 'update' && p.username === 'wang.fang@example.org');
      assert.ok(item && item.kind === 'update' && item.changes.some((c) => c.field === 'avatar' && c.to === sha256(OTHER_PHOTO)));
      assert.equal(await t.store.avatars.get(sha256(OTHER_PHOTO)), undefined);
    });
  });
}
