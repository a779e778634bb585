/**
 * A search result entry as it came off the wire, decoded only when its attributes are asked for.
 * Most entries of a full run are unchanged since the last one: their bytes say so (see
 * `sync/entry-key.ts`), and such an entry never becomes strings, arrays and a Map at all.
 */
import { isUtf8 } from 'node:buffer';
import { BerCursor, expectTag, readAttributeName, readElement, value } from './ber-cursor.ts';
import type { DirectoryEntry } from './entry.ts';
import type { AttributeLayouts, Values } from './entry-attributes.ts';


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

/** A value as text when it is valid UTF-8, else its bytes (as ldapts does): never a lossy decode. */
function textOrBytes(buf: Buffer, start: number, end: number): string | Buffer {
  const text = buf.toString('utf8', start, end);
  // Only a decode that met invalid bytes (or a real U+FFFD) holds U+FFFD: only then look closer.
  if (!text.includes('\uFFFD') || isUtf8(buf.subarray(start, end))) return text;
  return Buffer.from(buf.subarray(start, end));
}

export class WireEntry implements DirectoryEntry {
  readonly dn: string;
  /** The entry's bytes, DN and attribute list: a view into the page's buffer, not a copy. */
  readonly raw: Buffer;
  private readonly attributesAt: number;
  private readonly layouts: AttributeLayouts;
  private decoded: ReadonlyMap<string, Values> | null = null;

  /** `op`: the bounds of the SearchResultEntry's contents in `buf`. */
  constructor(buf: Buffer, start: number, end: number, layouts: AttributeLayouts) {
    this.raw = buf.subarray(start, end);
    const op = new BerCursor(this.raw);
    this.dn = op.string();
    this.attributesAt = op.pos;
    checkAttributes(this.raw, this.attributesAt, this.raw.length);
    this.layouts = layouts;
  }

  get attributes(): ReadonlyMap<string, Values> {
    this.decoded ??= this.layouts.decode(this.raw, this.attributesAt, this.raw.length, textOrBytes);
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
      const attributeEnd = readAttributeName(buf, at, listEnd);
      at = attributeEnd;
      if (!nameIs(buf, value.start, value.end, lowerAscii)) continue;
      readElement(buf, value.end, attributeEnd);
      if (value.start === value.end) return undefined;
      readElement(buf, value.start, value.end);
      return buf.subarray(value.start, value.end);
    }
    return undefined;
  }
}
