/**
 * A search result entry as it came off the wire, decoded only when its attributes are asked for.
 * Most entries of a full run are unchanged since the last one: their bytes say so (see
 * `sync/entry-key.ts`), and such an entry never becomes strings, arrays and a Map at all.
 */
import { isUtf8 } from 'node:buffer';
import { BerCursor, expectTag, readElement, value } from './ber-cursor.ts';
import { lowerName, type DirectoryEntry } from './entry.ts';


/** True when the bytes buf[start, end) spell `lower` in any letter case (ASCII names). */
function nameIs(buf: Buffer, start: number, end: number, lower: Uint8Array): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = buf[start + i]!;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== lower[i]) return false;
  }
  return true;
}

/**
 * Walks the attribute list as decoding would, so a malformed entry fails where it arrives (in
 * the reader), not later in whoever first reads it.
 */
function checkAttributes(buf: Buffer, start: number, end: number): void {
  expectTag(readElement(buf, start, end), 0x30);
  const listEnd = value.end;
  let at = value.start;
  while (at < listEnd) {
    expectTag(readElement(buf, at, listEnd), 0x30);
    const attributeEnd = value.end;
    at = value.end;
    readElement(buf, value.start, attributeEnd);
    expectTag(readElement(buf, value.end, attributeEnd), 0x31);
    const valuesEnd = value.end;
    for (let v = value.start; v < valuesEnd; v = value.end) readElement(buf, v, valuesEnd);
  }
}

/**
 * The names of the attributes at each position of the last entries: entries of one search list
 * the same attributes in the same order, so a name is decoded and lower-cased once, not per entry.
 */
const namesAt: Array<{ bytes: Uint8Array; name: string }> = [];

function nameAt(buf: Buffer, start: number, end: number, position: number): string {
  const known = namesAt[position];
  if (known && known.bytes.length === end - start) {
    let same = true;
    for (let i = 0; i < known.bytes.length && same; i++) same = known.bytes[i] === buf[start + i];
    if (same) return known.name;
  }
  const name = lowerName(buf.toString('utf8', start, end));
  if (position < 64) namesAt[position] = { bytes: Uint8Array.prototype.slice.call(buf, start, end), name };
  return name;
}

/** A value as text when it is valid UTF-8, else its bytes (as ldapts does): never a lossy decode. */
function textOrBytes(buf: Buffer, start: number, end: number): string | Buffer {
  const text = buf.toString('utf8', start, end);
  // Only a decode that met invalid bytes (or a real U+FFFD) holds U+FFFD: only then look closer.
  if (!text.includes('\uFFFD') || isUtf8(buf.subarray(start, end))) return text;
  return Buffer.from(buf.subarray(start, end));
}

/**
 * The attribute list of an entry (`attributes` of a SearchResultEntry), decoded; its layout was
 * checked when the entry arrived. Bytes of binary attributes are views of the entry, not copies.
 */
export function decodeAttributes(buf: Buffer, start: number, end: number, binary: ReadonlySet<string>): Map<string, Array<string | Buffer>> {
  const attributes = new Map<string, Array<string | Buffer>>();
  readElement(buf, start, end);
  const listEnd = value.end;
  let position = 0;
  for (let at = value.start; at < listEnd; position++) {
    readElement(buf, at, listEnd);
    const attributeEnd = value.end;
    at = value.end;
    readElement(buf, value.start, attributeEnd);
    const name = nameAt(buf, value.start, value.end, position);
    readElement(buf, value.end, attributeEnd);
    const valuesEnd = value.end;
    if (value.start === valuesEnd) continue;
    // `;binary` (RFC 4522) asks for the bytes themselves, whatever the attribute.
    const asBytes = binary.has(name) || name.endsWith(';binary');
    let values: Array<string | Buffer> | null = null;
    for (let v = value.start; v < valuesEnd;) {
      readElement(buf, v, valuesEnd);
      v = value.end;
      const decoded = asBytes ? buf.subarray(value.start, value.end) : textOrBytes(buf, value.start, value.end);
      // Most attributes have one value: an array of exactly one, not one grown for more.
      if (values === null) values = [decoded];
      else values.push(decoded);
    }
    attributes.set(name, values!);
  }
  return attributes;
}

export class WireEntry implements DirectoryEntry {
  readonly dn: string;
  /** The entry's bytes, DN and attribute list: a view into the page's buffer, not a copy. */
  readonly raw: Buffer;
  private readonly attributesAt: number;
  private readonly binary: ReadonlySet<string>;
  private decoded: Map<string, Array<string | Buffer>> | null = null;

  /** `op`: the bounds of the SearchResultEntry's contents in `buf`. */
  constructor(buf: Buffer, start: number, end: number, binary: ReadonlySet<string>) {
    this.raw = buf.subarray(start, end);
    const op = new BerCursor(this.raw);
    this.dn = op.string();
    this.attributesAt = op.pos;
    checkAttributes(this.raw, this.attributesAt, this.raw.length);
    this.binary = binary;
  }

  get attributes(): Map<string, Array<string | Buffer>> {
    this.decoded ??= decodeAttributes(this.raw, this.attributesAt, this.raw.length, this.binary);
    return this.decoded;
  }

  /**
   * The bytes of an attribute's first value (a view, not a copy), found without decoding the
   * entry; `lowerAscii`: the name in lower case, as bytes.
   */
  firstValue(lowerAscii: Uint8Array): Buffer | undefined {
    const buf = this.raw;
    readElement(buf, this.attributesAt, buf.length);
    const listEnd = value.end;
    for (let at = value.start; at < listEnd;) {
      readElement(buf, at, listEnd);
      const attributeEnd = value.end;
      at = value.end;
      readElement(buf, value.start, attributeEnd);
      if (!nameIs(buf, value.start, value.end, lowerAscii)) continue;
      readElement(buf, value.end, attributeEnd);
      if (value.start === value.end) return undefined;
      readElement(buf, value.start, value.end);
      return buf.subarray(value.start, value.end);
    }
    return undefined;
  }
}
