/**
 * RFC 4533 content synchronization, refreshOnly: what changed since a cookie, read in one search.
 * Changed entries carry the Sync State control (add/modify, with the entry's UUID); deletions come
 * as entries in the delete state, as syncIdSet intermediate messages (refreshDeletes), or - in
 * the present phase - as the absence of an entry's UUID from what the server named present.
 * e-syncRefreshRequired (4096) means the cookie is too old: only a full run can resume.
 */
import { BerWriter } from 'ldapts';
import type { RequestControl } from './ldap-requests.ts';
import { BerCursor, type LdapMessage, type ResponseControl } from './ldap-responses.ts';

export const SYNC_REQUEST = '1.3.6.1.4.1.4203.1.9.1.1';
const SYNC_STATE = '1.3.6.1.4.1.4203.1.9.1.2';
const SYNC_DONE = '1.3.6.1.4.1.4203.1.9.1.3';
const SYNC_INFO = '1.3.6.1.4.1.4203.1.9.1.4';
export const E_SYNC_REFRESH_REQUIRED = 4096;

export type SyncState = 'present' | 'add' | 'modify' | 'delete';
const STATES: SyncState[] = ['present', 'add', 'modify', 'delete'];

export function syncRequestControl(cookie: Buffer | null, mode: 'refreshOnly' | 'refreshAndPersist' = 'refreshOnly'): RequestControl {
  const w = new BerWriter();
  w.startSequence();
  w.writeEnumeration(mode === 'refreshOnly' ? 1 : 3);
  if (cookie) w.writeBuffer(cookie, 0x04);
  w.endSequence();
  return { oid: SYNC_REQUEST, critical: true, value: w.buffer };
}

export function parseSyncState(value: Buffer): { state: SyncState; uuid: Buffer; cookie: Buffer | null } {
  const c = new BerCursor(value).enter(0x30);
  const state = STATES[c.int()];
  if (!state) throw new Error('unknown sync state');
  const uuid = c.bytes();
  const cookie = c.more && c.peekTag() === 0x04 ? c.bytes() : null;
  return { state, uuid, cookie };
}

export function parseSyncDone(value: Buffer | null): { cookie: Buffer | null; refreshDeletes: boolean } {
  if (!value || value.length === 0) return { cookie: null, refreshDeletes: false };
  const c = new BerCursor(value).enter(0x30);
  let cookie: Buffer | null = null;
  let refreshDeletes = false;
  if (c.more && c.peekTag() === 0x04) cookie = c.bytes();
  if (c.more && c.peekTag() === 0x01) refreshDeletes = c.bool();
  return { cookie, refreshDeletes };
}

export type SyncInfo =
  | { kind: 'newcookie'; cookie: Buffer }
  | { kind: 'refreshDelete' | 'refreshPresent'; cookie: Buffer | null; refreshDone: boolean }
  | { kind: 'syncIdSet'; cookie: Buffer | null; refreshDeletes: boolean; uuids: Buffer[] };

export function parseSyncInfo(value: Buffer): SyncInfo {
  const top = new BerCursor(value);
  const tag = top.peekTag();
  if (tag === 0x80) return { kind: 'newcookie', cookie: top.bytes() };
  const c = top.enter();
  let cookie: Buffer | null = null;
  if (c.more && c.peekTag() === 0x04) cookie = c.bytes();
  if (tag === 0xa1 || tag === 0xa2) {
    const refreshDone = c.more && c.peekTag() === 0x01 ? c.bool() : true;
    return { kind: tag === 0xa1 ? 'refreshDelete' : 'refreshPresent', cookie, refreshDone };
  }
  if (tag === 0xa3) {
    const refreshDeletes = c.more && c.peekTag() === 0x01 ? c.bool() : false;
    const uuids: Buffer[] = [];
    const set = c.enter(0x31);
    while (set.more) uuids.push(set.bytes());
    return { kind: 'syncIdSet', cookie, refreshDeletes, uuids };
  }
  throw new Error(`unknown syncInfoValue tag 0x${tag.toString(16)}`);
}

/** What one refresh said. UUIDs are hex strings of the 16 bytes the server sent. */
export interface RefreshResult {
  /** Added or modified, with the entry (requested attributes only) as it is now. */
  changed: Map<string, { dn: string; attributes: ReadonlyMap<string, Array<string | Buffer>> }>;
  deleted: Set<string>;
  present: Set<string>;
  /**
   * True when deletions were sent explicitly (refreshDeletes); false after a present phase, where
   * every entry neither changed nor present is gone.
   */
  deletesExplicit: boolean;
  cookie: Buffer | null;
  references: string[];
  /** The server's result: 0, or 4096 when the cookie is too old. */
  code: number;
  message: string;
}

const stateOf = (controls: ResponseControl[]) => {
  const c = controls.find((x) => x.oid === SYNC_STATE);
  return c?.value ? parseSyncState(c.value) : null;
};

/** Folds a refresh's messages into one RefreshResult. */
export class RefreshCollector {
  readonly result: RefreshResult = { changed: new Map(), deleted: new Set(), present: new Set(), deletesExplicit: false, cookie: null, references: [], code: -1, message: '' };

  add(m: LdapMessage): void {
    const r = this.result;
    if (m.op === 'entry') {
      const s = stateOf(m.controls);
      if (!s) { r.changed.set(`dn:${m.entry.dn}`, m.entry); return; }
      const key = s.uuid.toString('hex');
      if (s.cookie) r.cookie = s.cookie;
      if (s.state === 'delete') { r.changed.delete(key); r.present.delete(key); r.deleted.add(key); }
      else if (s.state === 'present') r.present.add(key);
      else { r.deleted.delete(key); r.changed.set(key, m.entry); }
    } else if (m.op === 'reference') {
      r.references.push(...m.uris);
    } else if (m.op === 'intermediate' && m.name === SYNC_INFO && m.value) {
      const info = parseSyncInfo(m.value);
      if (info.cookie) r.cookie = info.cookie;
      if (info.kind === 'syncIdSet') {
        for (const u of info.uuids) {
          const key = u.toString('hex');
          if (info.refreshDeletes) { r.deleted.add(key); r.changed.delete(key); } else r.present.add(key);
        }
      }
    } else if (m.op === 'done') {
      r.code = m.result.code;
      r.message = m.result.message;
      r.references.push(...m.result.referrals);
      const done = parseSyncDone(m.controls.find((c) => c.oid === SYNC_DONE)?.value ?? null);
      if (done.cookie) r.cookie = done.cookie;
      // RFC 4533 3.3.2: refreshDeletes FALSE means a present phase was used.
      r.deletesExplicit = done.refreshDeletes;
    }
  }
}

/** RFC 4533 says the UUID is 16 bytes; the text form is the usual 8-4-4-4-12 hex. */
export function uuidText(hex: string): string {
  return hex.length === 32 ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` : hex;
}
