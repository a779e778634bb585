/**
 * LDAP requests on the wire (RFC 4511), written with ldapts' BerWriter: the bind, extended,
 * search, abandon and unbind operations our own connection (`ldap-session.ts`) sends, each in its
 * LDAPMessage envelope with its controls. Reading the answers is `ldap-responses.ts`.
 */
import { BerWriter, FilterParser, type Filter } from 'ldapts';

export interface RequestControl { oid: string; critical: boolean; value: Buffer | null }

function envelope(id: number, write: (w: BerWriter) => void, controls: RequestControl[] = []): Buffer {
  const w = new BerWriter();
  w.startSequence();
  w.writeInt(id);
  write(w);
  if (controls.length) {
    w.startSequence(0xa0);
    for (const c of controls) {
      w.startSequence();
      w.writeString(c.oid);
      if (c.critical) w.writeBoolean(true);
      if (c.value) w.writeBuffer(c.value, 0x04);
      w.endSequence();
    }
    w.endSequence();
  }
  w.endSequence();
  return w.buffer;
}

export function bindRequest(id: number, dn: string, password: string): Buffer {
  return envelope(id, (w) => {
    w.startSequence(0x60);
    w.writeInt(3);
    w.writeString(dn);
    w.writeBuffer(Buffer.from(password, 'utf8'), 0x80);
    w.endSequence();
  });
}

export function extendedRequest(id: number, oid: string, value?: Buffer): Buffer {
  return envelope(id, (w) => {
    w.startSequence(0x77);
    w.writeBuffer(Buffer.from(oid, 'ascii'), 0x80);
    if (value) w.writeBuffer(value, 0x81);
    w.endSequence();
  });
}

export function unbindRequest(id: number): Buffer {
  // [APPLICATION 2] NULL: tag 0x42, length 0.
  return envelope(id, (w) => { w.writeByte(0x42); w.writeByte(0x00); });
}

export function abandonRequest(id: number, target: number): Buffer {
  return envelope(id, (w) => w.writeInt(target, 0x50));
}

export interface SearchRequest {
  base: string;
  scope: 'base' | 'one' | 'sub';
  /** A filter string, or one already built (with its values escaped). */
  filter: string | Filter;
  attributes: string[];
  sizeLimit?: number;
  timeLimitSeconds?: number;
  controls?: RequestControl[];
}

const SCOPES = { base: 0, one: 1, sub: 2 } as const;

export function searchRequest(id: number, r: SearchRequest): Buffer {
  const filter = typeof r.filter === 'string' ? FilterParser.parseString(r.filter) : r.filter;
  return envelope(id, (w) => {
    w.startSequence(0x63);
    w.writeString(r.base);
    w.writeEnumeration(SCOPES[r.scope]);
    w.writeEnumeration(0); // never dereference aliases
    w.writeInt(r.sizeLimit ?? 0);
    w.writeInt(r.timeLimitSeconds ?? 0);
    w.writeBoolean(false);
    filter.write(w);
    w.startSequence();
    for (const a of r.attributes) w.writeString(a);
    w.endSequence();
    w.endSequence();
  }, r.controls);
}
