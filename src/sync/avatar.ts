/**
 * Avatars from directory photos: which attribute to read, and whether its bytes are an image we
 * will keep. Only the header is read, never the pixels: a photo whose header declares more
 * pixels than the limit (a decompression bomb) is refused before anyone decodes it. Pure: no I/O.
 */
import { hash as digest } from 'node:crypto';
import { first, type DirectoryEntry } from '../directory/port.ts';
import type { AvatarCandidate } from '../domain/user.ts';

export interface AvatarLimits { maxBytes: number; maxPixels: number }

type Inspected = { contentType: string; width: number; height: number } | { rejected: string };

const u16be = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u16le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u24le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const u32be = (b: Uint8Array, at: number) => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
const ascii = (b: Uint8Array, at: number, length: number) => Buffer.from(b.subarray(at, at + length)).toString('latin1');

function png(b: Uint8Array): Inspected {
  if (b.length < 24 || ascii(b, 12, 4) !== 'IHDR') return { rejected: 'a PNG without its IHDR header' };
  return { contentType: 'image/png', width: u32be(b, 16), height: u32be(b, 20) };
}

/** Walks the JPEG markers to the first start-of-frame, which holds the dimensions. */
function jpeg(b: Uint8Array): Inspected {
  let at = 2;
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) return { rejected: 'a JPEG with a broken marker sequence' };
    const marker = b[at + 1]!;
    if (marker === 0xff) { at++; continue; }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { at += 2; continue; }
    const length = u16be(b, at + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return { contentType: 'image/jpeg', height: u16be(b, at + 5), width: u16be(b, at + 7) };
    if (marker === 0xd9 || marker === 0xda || length < 2) break;
    at += 2 + length;
  }
  return { rejected: 'a JPEG without a frame header' };
}

function gif(b: Uint8Array): Inspected {
  if (b.length < 10) return { rejected: 'a truncated GIF' };
  return { contentType: 'image/gif', width: u16le(b, 6), height: u16le(b, 8) };
}

function webp(b: Uint8Array): Inspected {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8X' && b.length >= 30) return { contentType: 'image/webp', width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  if (chunk === 'VP8 ' && b.length >= 30) return { contentType: 'image/webp', width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  if (chunk === 'VP8L' && b.length >= 25) {
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    return { contentType: 'image/webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  return { rejected: 'a WebP file of an unknown kind' };
}

/** The image's type and declared size, or why it is refused. */
export function inspectImage(bytes: Uint8Array, limits: AvatarLimits): Inspected {
  if (bytes.length === 0) return { rejected: 'an empty value' };
  if (bytes.length > limits.maxBytes) return { rejected: `${bytes.length} bytes, over the limit of ${limits.maxBytes}` };
  let found: Inspected;
  if (bytes.length >= 8 && u32be(bytes, 0) === 0x89504e47 && u32be(bytes, 4) === 0x0d0a1a0a) found = png(bytes);
  else if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) found = jpeg(bytes);
  else if (bytes.length >= 6 && (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a')) found = gif(bytes);
  else if (bytes.length >= 16 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') found = webp(bytes);
  else return { rejected: 'not a JPEG, PNG, GIF or WebP image' };
  if ('rejected' in found) return found;
  if (found.width === 0 || found.height === 0) return { rejected: `an image of ${found.width}×${found.height} pixels` };
  if (found.width * found.height > limits.maxPixels) return { rejected: `${found.width}×${found.height} pixels, over the limit of ${limits.maxPixels}` };
  return found;
}

/** The photo an entry carries, checked; the first attribute with a value decides. */
export function avatarFrom(entry: DirectoryEntry, attributes: string[], limits: AvatarLimits): AvatarCandidate {
  for (const attribute of attributes) {
    const value = first(entry, attribute);
    if (value === undefined) continue;
    const bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
    const found = inspectImage(bytes, limits);
    if ('rejected' in found) return { rejected: `${attribute} is ${found.rejected}` };
    return { ...found, hash: digest('sha256', bytes, 'hex'), bytes };
  }
  return null;
}
