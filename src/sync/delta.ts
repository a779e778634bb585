/**
 * Change detection. Every mechanism answers the same question: which stable IDs changed since
 * the cookie, which were deleted, and where the stream stands now. The engine re-reads the
 * changed entries through the user filter, so an entry that left the scope is seen as gone.
 * Which one a source uses is decided by asking the server (delta-choice.ts).
 *
 * - syncrepl: RFC 4533 content sync (delta-syncrepl.ts).
 * - dirsync: Active Directory's DirSync control (delta-dirsync.ts).
 * - accesslog: OpenLDAP's accesslog database (what delta-syncrepl consumers read), by reqStart.
 * - usn: Active Directory's uSNChanged, with the DC's invocationId (a changed or restored DC
 *   forces a full run), and deleted objects through the Show Deleted control.
 * - timestamp: modifyTimestamp with a margin for clock skew; deletions by a scan of IDs alone.
 */
import { Control, type BerWriter } from 'ldapts';
import type { DirectoryEntry, DirectoryPort } from '../directory/port.ts';
import { first } from '../directory/port.ts';
import type { DirectorySource } from '../directory/source.ts';
import { externIdHex } from '../domain/user.ts';
import { isRefusal } from '../directory/errors.ts';
import { presetFor } from '../directory/presets.ts';

export type Mechanism = 'syncrepl' | 'accesslog' | 'dirsync' | 'usn' | 'timestamp';
export const MECHANISMS: readonly Mechanism[] = ['syncrepl', 'accesslog', 'dirsync', 'usn', 'timestamp'];

export interface ChangeSet {
  changedIds: Uint8Array[];
  deletedIds: Uint8Array[];
  /** Deletions can only be found by scanning every ID in scope. */
  scanForDeletions: boolean;
  /** When deletions need a scan and the mechanism named every ID still there (RFC 4533 present phase). */
  presentIds?: Uint8Array[];
  cookie: string;
  /** Referrals and continuation references the server answered with instead of entries. */
  references?: string[];
  /** Entries (or log records) the mechanism read. */
  read?: number;
}

/** The cookie no longer fits the directory (restored DC, purged log): a full run is needed. */
export class FullRunRequired extends Error {}

export interface DeltaMechanism {
  readonly name: Mechanism;
  /** Null when the server offers this mechanism to this bind; else why not. */
  unavailable(directory: DirectoryPort): Promise<string | null>;
  /** Where the change stream stands now; a full run records this before it reads. */
  position(directory: DirectoryPort): Promise<string>;
  /** Entries the last position() read, where finding the position means reading (RFC 4533, DirSync). */
  readonly positionRead?: number;
  changes(directory: DirectoryPort, cookie: string): Promise<ChangeSet>;
}

/** Generalized time (YYYYMMDDHHMMSS.ffffffZ) from a Date. */
export function generalizedTime(date: Date, fraction = true): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const base = `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`;
  return fraction ? `${base}.${p(date.getUTCMilliseconds(), 3)}000Z` : `${base}Z`;
}

export function parseGeneralizedTime(text: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?Z$/.exec(text);
  if (!m) return null;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
}

const collectIds = async (pages: AsyncIterable<DirectoryEntry[]>, attribute: string): Promise<Uint8Array[]> => {
  const out = new Map<string, Uint8Array>();
  for await (const page of pages) for (const e of page) {
    const id = first(e, attribute);
    if (id !== undefined) { const bytes = new Uint8Array(Buffer.from(id)); out.set(externIdHex(bytes), bytes); }
  }
  return [...out.values()];
};

/** OpenLDAP's accesslog: every write, with the entry's entryUUID, in reqStart order. */
export class AccesslogMechanism implements DeltaMechanism {
  readonly name = 'accesslog' as const;
  private readonly logBase: string;
  constructor(logBase = 'cn=accesslog') { this.logBase = logBase; }

  async unavailable(directory: DirectoryPort): Promise<string | null> {
    try {
      for await (const page of directory.raw(this.logBase, '(objectClass=*)', ['1.1'], { scope: 'base' })) if (page.length) return null;
    } catch (e) {
      if (!isRefusal(e)) throw e;
      return `${this.logBase} cannot be read (${e.message})`;
    }
    return `${this.logBase} cannot be read`;
  }

  async position(directory: DirectoryPort): Promise<string> {
    for await (const page of directory.raw(this.logBase, '(objectClass=*)', ['contextCSN'], { scope: 'base' })) {
      const csn = page[0] && first(page[0], 'contextCSN');
      if (csn) return String(csn).split('#')[0]!;
    }
    // An empty log has no contextCSN yet: start from now.
    return generalizedTime(new Date());
  }

  async changes(directory: DirectoryPort, cookie: string): Promise<ChangeSet> {
    const since = parseGeneralizedTime(cookie);
    if (!since) throw new FullRunRequired(`accesslog cookie '${cookie}' is not a time`);
    // Re-read two seconds before the cookie: replaying a change is harmless, missing one is not.
    const from = generalizedTime(new Date(since.getTime() - 2000));
    const changed = new Map<string, Uint8Array>();
    const deleted = new Map<string, Uint8Array>();
    let latest = cookie;
    let read = 0;
    const filter = `(&(objectClass=auditWriteObject)(reqResult=0)(reqStart>=${from}))`;
    for await (const page of directory.raw(this.logBase, filter, ['reqType', 'reqEntryUUID', 'reqStart'], { scope: 'one' })) {
      read += page.length;
      const records = page.map((e) => ({ type: String(first(e, 'reqType') ?? ''), uuid: first(e, 'reqEntryUUID'), start: String(first(e, 'reqStart') ?? '') }))
        .sort((a, b) => a.start.localeCompare(b.start));
      for (const r of records) {
        if (r.start > latest) latest = r.start;
        if (r.uuid === undefined) continue;
        const bytes = new Uint8Array(Buffer.from(String(r.uuid), 'utf8'));
        const key = externIdHex(bytes);
        if (r.type === 'delete') { changed.delete(key); deleted.set(key, bytes); } else { deleted.delete(key); changed.set(key, bytes); }
      }
    }
    return { changedIds: [...changed.values()], deletedIds: [...deleted.values()], scanForDeletions: false, cookie: latest, read };
  }
}

/** modifyTimestamp (or the vendor's own, AD's whenChanged) with a safety margin; deletions by an ID scan. */
export class TimestampMechanism implements DeltaMechanism {
  readonly name = 'timestamp' as const;
  private readonly source: DirectorySource;
  constructor(source: DirectorySource) { this.source = source; }

  private get attribute(): string { return presetFor(this.source.vendor).delta.timestampAttribute; }

  async unavailable(): Promise<string | null> { return null; }

  async position(): Promise<string> {
    return generalizedTime(new Date(Date.now() - this.source.clockSkewSeconds * 1000), false);
  }

  async changes(directory: DirectoryPort, cookie: string): Promise<ChangeSet> {
    if (!parseGeneralizedTime(cookie)) throw new FullRunRequired(`timestamp cookie '${cookie}' is not a time`);
    const next = await this.position();
    const changedIds = await collectIds(directory.raw(this.source.baseDn, `(${this.attribute}>=${cookie})`, [this.source.objectID]), this.source.objectID);
    return { changedIds, deletedIds: [], scanForDeletions: true, cookie: next, read: changedIds.length };
  }
}

/** The Show Deleted control (1.2.840.113556.1.4.417): no value. */
class ShowDeletedControl extends Control {
  constructor() { super('1.2.840.113556.1.4.417', { critical: true }); }
  override writeControl(_writer: BerWriter): void { /* no value */ }
}

/** Active Directory: uSNChanged on one DC, tied to its invocationId. */
export class UsnMechanism implements DeltaMechanism {
  readonly name = 'usn' as const;
  private readonly source: DirectorySource;
  constructor(source: DirectorySource) { this.source = source; }

  private async rootDse(directory: DirectoryPort): Promise<{ usn: string; invocationId: string; namingContext: string }> {
    let usn = '', service = '', namingContext = '';
    for await (const page of directory.raw('', '(objectClass=*)', ['highestCommittedUSN', 'dsServiceName', 'defaultNamingContext'], { scope: 'base' })) {
      const e = page[0];
      if (!e) continue;
      usn = String(first(e, 'highestCommittedUSN') ?? '');
      service = String(first(e, 'dsServiceName') ?? '');
      namingContext = String(first(e, 'defaultNamingContext') ?? '');
    }
    let invocationId = '';
    for await (const page of directory.raw(service, '(objectClass=*)', ['invocationId'], { scope: 'base' })) {
      const id = page[0] && first(page[0], 'invocationId');
      if (id !== undefined) invocationId = Buffer.from(id).toString('hex');
    }
    if (!usn || !invocationId) throw new FullRunRequired('the directory reports no highestCommittedUSN or invocationId');
    return { usn, invocationId, namingContext };
  }

  async unavailable(directory: DirectoryPort): Promise<string | null> {
    const dse = await directory.rootDse(['highestCommittedUSN', 'dsServiceName']);
    return dse && first(dse, 'highestCommittedUSN') !== undefined ? null : 'the server reports no highestCommittedUSN (not Active Directory)';
  }

  async position(directory: DirectoryPort): Promise<string> {
    const { usn, invocationId } = await this.rootDse(directory);
    return `${invocationId}:${usn}`;
  }

  async changes(directory: DirectoryPort, cookie: string): Promise<ChangeSet> {
    const [invocation, usnText] = cookie.split(':');
    const now = await this.rootDse(directory);
    if (invocation !== now.invocationId) throw new FullRunRequired('the domain controller changed or was restored (invocationId differs)');
    const from = BigInt(usnText ?? '0') + 1n;
    const id = this.source.objectID;
    // The whole domain, not only the base: an entry moved out of the base changed too, and the
    // engine's re-read under the base then finds it gone.
    const changedIds = await collectIds(directory.raw(now.namingContext || this.source.baseDn, `(uSNChanged>=${from})`, [id]), id);
    const deletedIds = await collectIds(directory.raw(now.namingContext, `(&(isDeleted=TRUE)(uSNChanged>=${from}))`, [id], { controls: [new ShowDeletedControl()] }), id);
    return { changedIds, deletedIds, scanForDeletions: false, cookie: `${now.invocationId}:${now.usn}`, read: changedIds.length + deletedIds.length };
  }
}
