/** A BER reader over a buffer (the subset of X.690 LDAP uses), without copying values. */

export class ProtocolError extends Error {}

/** The bounds of the value of the element `readElement` read last: a walk allocates nothing. */
export const value = { start: 0, end: 0 };

/** Reads the BER element at `pos` (within `end`): returns its tag, sets `value` to its value's bounds. */
export function readElement(buf: Buffer, pos: number, end: number): number {
  if (pos + 2 > end) throw new ProtocolError('truncated BER element');
  const tag = buf[pos++]!;
  let length = buf[pos++]!;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new ProtocolError('unsupported BER length');
    if (pos + bytes > end) throw new ProtocolError('truncated BER element');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + buf[pos++]!;
  }
  if (pos + length > end) throw new ProtocolError('BER element runs past its container');
  value.start = pos;
  value.end = pos + length;
  return tag;
}

/**
 * Reads the attribute (LDAP's PartialAttribute) at `pos` in an entry's attribute list: leaves the
 * bounds of its name in `value` (its SET of values follows the name) and returns where it ends,
 * which is where the next attribute starts. Every walk of an entry's attributes steps by it.
 */
export function readAttributeName(buf: Buffer, pos: number, listEnd: number): number {
  readElement(buf, pos, listEnd);
  const attributeEnd = value.end;
  readElement(buf, value.start, attributeEnd);
  return attributeEnd;
}

export function expectTag(tag: number, expected: number): void {
  if (tag !== expected) throw new ProtocolError(`expected tag 0x${expected.toString(16)}, got 0x${tag.toString(16)}`);
}

/** A cursor over one BER element's contents: tag, length, value, without copying. */
export class BerCursor {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;
  constructor(buf: Buffer, start = 0, end = buf.length) { this.buf = buf; this.pos = start; this.end = end; }

  get more(): boolean { return this.pos < this.end; }
  peekTag(): number { return this.buf[this.pos]!; }

  /** Reads a tag and length; returns the tag and the bounds of the value, and moves past it. */
  next(): { tag: number; start: number; end: number } {
    const tag = readElement(this.buf, this.pos, this.end);
    this.pos = value.end;
    return { tag, start: value.start, end: value.end };
  }

  enter(expected?: number): BerCursor {
    const e = this.next();
    if (expected !== undefined) expectTag(e.tag, expected);
    return new BerCursor(this.buf, e.start, e.end);
  }

  string(): string { const e = this.next(); return this.buf.toString('utf8', e.start, e.end); }
  bytes(): Buffer { const e = this.next(); return Buffer.from(this.buf.subarray(e.start, e.end)); }
  int(): number {
    const e = this.next();
    let v = e.end > e.start && (this.buf[e.start]! & 0x80) ? -1 : 0;
    for (let i = e.start; i < e.end; i++) v = v * 256 + this.buf[i]!;
    return v;
  }
  bool(): boolean { const e = this.next(); return e.end > e.start && this.buf[e.start] !== 0; }
}
