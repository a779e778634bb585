/** The image check reads headers only: each format's dimensions, and what it refuses. Pure logic. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectImage } from '../../src/sync/avatar.ts';
import { PHOTO } from '../fixtures/people.ts';

const limits = { maxBytes: 1024 * 1024, maxPixels: 4096 * 4096 };

test('JPEG, PNG, GIF and the three WebP kinds give their type and declared size', () => {
  const png = Buffer.alloc(33); Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(png); png.write('IHDR', 12, 'latin1');
  png.writeUInt32BE(640, 16); png.writeUInt32BE(480, 20);
  const gif = Buffer.from('GIF89a\x40\x01\xf0\x00\x00\x00', 'latin1');
  const riff = (kind: string, body: number[]) => { const b = Buffer.alloc(30); b.write('RIFF', 0, 'latin1'); b.write('WEBP', 8, 'latin1'); b.write(kind, 12, 'latin1'); Buffer.from(body).copy(b, 20); return b; };
  const vp8x = riff('VP8X', [0, 0, 0, 0, 0x7f, 0x02, 0x00, 0xdf, 0x01, 0x00]); // 640 × 480
  const vp8 = riff('VP8 ', [0, 0, 0, 0, 0, 0, 0x80, 0x02, 0xe0, 0x01]);
  const vp8l = riff('VP8L', [0, 0x7f, 0xc2, 0x77, 0x00]); // (639) | (479 << 14)
  assert.deepEqual(inspectImage(PHOTO, limits), { contentType: 'image/jpeg', width: 48, height: 48 });
  assert.deepEqual(inspectImage(png, limits), { contentType: 'image/png', width: 640, height: 480 });
  assert.deepEqual(inspectImage(gif, limits), { contentType: 'image/gif', width: 320, height: 240 });
  for (const webp of [vp8x, vp8, vp8l]) assert.deepEqual(inspectImage(webp, limits), { contentType: 'image/webp', width: 640, height: 480 });
});

test('refusals: empty, unknown, truncated, zero-sized, too many pixels, too many bytes', () => {
  const reason = (b: Buffer, l = limits) => { const r = inspectImage(b, l); return 'rejected' in r ? r.rejected : 'accepted'; };
  assert.equal(reason(Buffer.alloc(0)), 'an empty value');
  assert.equal(reason(Buffer.from('%PDF-1.7')), 'not a JPEG, PNG, GIF or WebP image');
  assert.equal(reason(Buffer.from([0xff, 0xd8, 0xff, 0xd9])), 'a JPEG without a frame header');
  assert.equal(reason(Buffer.from('GIF89a\x00\x00\x10\x00', 'latin1')), 'an image of 0×16 pixels');
  assert.equal(reason(Buffer.from('GIF89a\xff\xff\xff\xff', 'latin1')), '65535×65535 pixels, over the limit of 16777216');
  assert.equal(reason(PHOTO, { maxBytes: 100, maxPixels: 1e6 }), `${PHOTO.length} bytes, over the limit of 100`);
});
