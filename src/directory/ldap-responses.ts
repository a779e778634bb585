/**
 * LDAP responses on the wire (RFC 4511), read by a small decoder of our own. ldapts drops what
 * change detection needs (the IntermediateResponse, 0x79, makes it throw; controls on entries are
 * thrown away), so this reader keeps every message whole: entries with their controls,
 * references, intermediate messages, and the result with its controls. It decodes an entry
 * straight into the engine's DirectoryEntry shape, so a full search uses the same reader.
 * Writing the requests is `ldap-requests.ts`.
 */
import type { DirectoryEntry } from './entry.ts';
import { BerCursor, ProtocolError } from './ber-cursor.ts';
import { WireEntry } from './wire-entry.ts';
import { AttributeLayouts } from './entry-attributes.ts';

export { BerCursor };

export interface ResponseControl { oid: string; critical: boolean; value: Buffer | null }
export interface LdapResult { code: number; matchedDn: string; message: string; referrals: string[] }

export type LdapMessage =
  | { id: number; op: 'entry'; entry: DirectoryEntry; controls: ResponseControl[] }
  | { id: number; op: 'reference'; uris: string[]; controls: ResponseControl[] }
  | { id: number; op: 'intermediate'; name: string | null; value: Buffer | null; controls: ResponseControl[] }
  | { id: number; op: 'done' | 'bind' | 'extended'; result: LdapResult; name: string | null; value: Buffer | null; controls: ResponseControl[] }
  | { id: number; op: 'other'; tag: number; controls: ResponseControl[] };

function readControls(c: BerCursor): ResponseControl[] {
  const out: ResponseControl[] = [];
  if (!c.more || c.peekTag() !== 0xa0) return out;
  const list = c.enter(0xa0);
  while (list.more) {
    const ctl = list.enter(0x30);
    const oid = ctl.string();
    let critical = false;
    let value: Buffer | null = null;
    if (ctl.more && ctl.peekTag() === 0x01) critical = ctl.bool();
    if (ctl.more && ctl.peekTag() === 0x04) value = ctl.bytes();
    out.push({ oid, critical, value });
  }
  return out;
}

function readResult(op: BerCursor): LdapResult {
  const code = op.int();
  const matchedDn = op.string();
  const message = op.string();
  const referrals: string[] = [];
  if (op.more && op.peekTag() === 0xa3) { const r = op.enter(0xa3); while (r.more) referrals.push(r.string()); }
  return { code, matchedDn, message, referrals };
}

/** The optional OID and value an extended or intermediate response ends with, by their tags. */
function nameAndValue(op: BerCursor, nameTag: number, valueTag: number): { name: string | null; value: Buffer | null } {
  let name: string | null = null;
  let value: Buffer | null = null;
  while (op.more) {
    const part = op.next();
    if (part.tag === nameTag) name = op.buf.toString('ascii', part.start, part.end);
    else if (part.tag === valueTag) value = Buffer.from(op.buf.subarray(part.start, part.end));
  }
  return { name, value };
}

/** Decodes one complete LDAPMessage; `layouts`: the connection's, which know its binary attributes. */
export function decodeMessage(buf: Buffer, start: number, end: number, layouts: AttributeLayouts): LdapMessage {
  const msg = new BerCursor(buf, start, end).enter(0x30);
  const id = msg.int();
  const e = msg.next();
  const op = new BerCursor(buf, e.start, e.end);
  const controls = (): ResponseControl[] => readControls(msg);
  switch (e.tag) {
    case 0x64: { const entry = new WireEntry(buf, e.start, e.end, layouts); return { id, op: 'entry', entry, controls: controls() }; }
    case 0x73: { const uris: string[] = []; while (op.more) uris.push(op.string()); return { id, op: 'reference', uris, controls: controls() }; }
    case 0x79: {
      const { name, value } = nameAndValue(op, 0x80, 0x81);
      return { id, op: 'intermediate', name, value, controls: controls() };
    }
    case 0x61: case 0x65: case 0x78: {
      const result = readResult(op);
      const { name, value } = nameAndValue(op, 0x8a, 0x8b);
      const kind = e.tag === 0x61 ? 'bind' : e.tag === 0x65 ? 'done' : 'extended';
      return { id, op: kind, result, name, value, controls: controls() };
    }
    default: return { id, op: 'other', tag: e.tag, controls: controls() };
  }
}

/**
 * Cuts a byte stream into whole messages. Bytes of an unfinished message wait for the next
 * chunk; a message is decoded once, when its last byte has arrived.
 */
export class MessageReader {
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  /** Bytes the first unfinished message needs in all, once its header is known. */
  private needed = 0;
  /** The attribute layouts of this connection's entries, and the attributes it reads as bytes. */
  private readonly layouts: AttributeLayouts;
  constructor(binaryAttributes: Iterable<string> = []) {
    this.layouts = new AttributeLayouts(new Set([...binaryAttributes].map((a) => a.toLowerCase())));
  }

  push(chunk: Buffer): LdapMessage[] {
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    // A large entry arrives in many chunks: join them once it is complete, not at every chunk.
    if (this.bufferedBytes < this.needed) return [];
    const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bufferedBytes);
    const out: LdapMessage[] = [];
    let pos = 0;
    for (;;) {
      const size = wholeMessageLength(buf, pos);
      if (size === null) break;
      out.push(decodeMessage(buf, pos, pos + size, this.layouts));
      pos += size;
    }
    const rest = pos < buf.length ? buf.subarray(pos) : null;
    this.chunks = rest ? [rest] : [];
    this.bufferedBytes = rest?.length ?? 0;
    this.needed = rest ? messageLength(rest) ?? 0 : 0;
    return out;
  }

  /** Bytes waiting for the rest of their message. */
  get buffered(): number { return this.bufferedBytes; }
}

/** The full length of the message starting at `pos`, once its header has arrived. */
function messageLength(buf: Buffer, pos = 0): number | null {
  if (pos + 2 > buf.length) return null;
  if (buf[pos] !== 0x30) throw new ProtocolError(`not an LDAP message (tag 0x${buf[pos]!.toString(16)})`);
  let length = buf[pos + 1]!;
  let header = 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new ProtocolError('unsupported BER length');
    if (pos + 2 + bytes > buf.length) return null;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + buf[pos + 2 + i]!;
    header += bytes;
  }
  if (length > MAX_MESSAGE) throw new ProtocolError(`a message of ${length} bytes is more than any entry needs`);
  return header + length;
}

/** A hostile or broken server could announce a length it never sends, or one too large to hold. */
const MAX_MESSAGE = 256 * 1024 * 1024;

/** The length of the message starting at `pos` (tag and length included) if all of it is here. */
function wholeMessageLength(buf: Buffer, pos: number): number | null {
  const length = messageLength(buf, pos);
  return length !== null && pos + length <= buf.length ? length : null;
}
