/**
 * Active Directory's DirSync control (1.2.840.113556.1.4.841): the DC names every object changed
 * since the cookie, deleted ones (isDeleted) included, and the cookie is the DC's own - it holds
 * across DCs of the domain, unlike uSNChanged. It needs the "Replicating Directory Changes" right;
 * where the bind account lacks it, the choice falls back to uSNChanged. DirSync runs over the
 * whole naming context (it allows no other base), so an entry moved out of the base is named too,
 * and the engine's re-read under the base finds it gone.
 */
import { BerWriter } from 'ldapts';
import type { DirectoryPort } from '../directory/port.ts';
import { first } from '../directory/port.ts';
import type { DirectorySource } from '../directory/source.ts';
import { DirectoryError, isRefusal } from '../directory/errors.ts';
import type { RequestControl } from '../directory/ldap-requests.ts';
import { BerCursor } from '../directory/ldap-responses.ts';
import { externIdHex } from '../domain/user.ts';
import { FullRunRequired, type ChangeSet, type DeltaMechanism } from './delta.ts';

export const DIRSYNC = '1.2.840.113556.1.4.841';
/** Enough rounds for any real backlog; a DC that keeps saying "more" past this is not trusted. */
const MAX_ROUNDS = 100_000;

export function dirSyncControl(cookie: Buffer | null): RequestControl {
  const w = new BerWriter();
  w.startSequence();
  w.writeInt(0); // flags: none (object security would hide what the account cannot read)
  w.writeInt(1 << 20); // at most about a megabyte per answer
  w.writeBuffer(cookie ?? Buffer.alloc(0), 0x04);
  w.endSequence();
  return { oid: DIRSYNC, critical: true, value: w.buffer };
}

export function parseDirSync(value: Buffer): { more: boolean; cookie: Buffer } {
  const c = new BerCursor(value).enter(0x30);
  const more = c.int() !== 0;
  c.int();
  return { more, cookie: c.bytes() };
}

export class DirSyncMechanism implements DeltaMechanism {
  readonly name = 'dirsync' as const;
  positionRead = 0;
  private readonly source: DirectorySource;
  constructor(source: DirectorySource) { this.source = source; }

  private async namingContext(directory: DirectoryPort): Promise<string> {
    const dse = await directory.rootDse(['defaultNamingContext']);
    const nc = dse && first(dse, 'defaultNamingContext');
    if (!nc) throw new DirectoryError('search', 'the server names no defaultNamingContext (not Active Directory)');
    return String(nc);
  }

  /** Reads from the cookie on until the DC has no more; IDs of changed and deleted objects. */
  private async read(directory: DirectoryPort, cookie: Buffer | null, attributes: string[]): Promise<{ changed: Uint8Array[]; deleted: Uint8Array[]; cookie: Buffer; read: number }> {
    const base = await this.namingContext(directory);
    const id = this.source.objectID;
    const changed = new Map<string, Uint8Array>();
    const deleted = new Map<string, Uint8Array>();
    let read = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const result = await directory.controlledSearch(base, '(objectClass=*)', attributes, [dirSyncControl(cookie)], (entry) => {
        read++;
        const value = first(entry, id);
        if (value === undefined) return;
        const bytes = new Uint8Array(Buffer.from(value));
        const key = externIdHex(bytes);
        if (String(first(entry, 'isDeleted') ?? '').toUpperCase() === 'TRUE') { changed.delete(key); deleted.set(key, bytes); } else { deleted.delete(key); changed.set(key, bytes); }
      });
      if (result.code !== 0) throw new DirectoryError('search', `DirSync refused: result ${result.code}${result.message ? ` ${result.message}` : ''}`);
      const control = result.controls.find((c) => c.oid === DIRSYNC);
      if (!control?.value) throw new DirectoryError('search', 'DirSync gave no cookie');
      const answer = parseDirSync(control.value);
      cookie = answer.cookie;
      if (!answer.more) return { changed: [...changed.values()], deleted: [...deleted.values()], cookie, read };
    }
    throw new DirectoryError('search', `DirSync still had more after ${MAX_ROUNDS} rounds`);
  }

  async unavailable(directory: DirectoryPort): Promise<string | null> {
    try {
      const base = await this.namingContext(directory);
      const r = await directory.controlledSearch(base, '(&(objectClass=*)(!(objectClass=*)))', ['1.1'], [dirSyncControl(null)], () => undefined);
      return r.code === 0 ? null : `the bind account may not use DirSync (result ${r.code}${r.message ? `: ${r.message}` : ''})`;
    } catch (e) {
      if (isRefusal(e)) return e.message;
      throw e;
    }
  }

  async position(directory: DirectoryPort): Promise<string> {
    // From nothing, DirSync names every object of the domain: IDs only, to reach today's cookie.
    const r = await this.read(directory, null, [this.source.objectID]);
    this.positionRead = r.read;
    return r.cookie.toString('base64');
  }

  async changes(directory: DirectoryPort, cookie: string): Promise<ChangeSet> {
    if (!cookie) throw new FullRunRequired('no DirSync cookie is stored');
    // No attribute list: with one, DirSync names only objects where one of those attributes changed.
    let r;
    try {
      r = await this.read(directory, Buffer.from(cookie, 'base64'), []);
    } catch (e) {
      // An expired or foreign cookie is refused: only a full run can start a new one.
      if (isRefusal(e)) throw new FullRunRequired(`the DC refused the stored DirSync cookie (${e.message})`);
      throw e;
    }
    return { changedIds: r.changed, deletedIds: r.deleted, scanForDeletions: false, cookie: r.cookie.toString('base64'), read: r.read };
  }
}
