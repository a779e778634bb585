/**
 * Change detection by RFC 4533 content sync (OpenLDAP's syncprov, 389-DS's content-sync plugin):
 * one refreshOnly search under the base with the stored cookie. The search covers every entry
 * under the base, not only the user filter: an entry changed so that the filter no longer
 * matches it must still be named, so that the engine's re-read sees it leave.
 */
import type { DirectoryPort } from '../directory/port.ts';
import type { DirectorySource } from '../directory/source.ts';
import { DirectoryError, isRefusal } from '../directory/errors.ts';
import { E_SYNC_REFRESH_REQUIRED, type RefreshResult } from '../directory/content-sync.ts';
import { idFromSyncUuid, presetFor, syncCookieFromContextCsn } from '../directory/presets.ts';
import { allStrings, first } from '../directory/port.ts';
import { externIdHex } from '../domain/user.ts';
import { FullRunRequired, type ChangeSet, type DeltaMechanism } from './delta.ts';

const EVERYTHING = '(objectClass=*)';
const SIZE_LIMIT = 4;
/** Time, size and admin limits, busy, unavailable: the run fails and says so; a full run would not help. */
const TRANSIENT = new Set([3, SIZE_LIMIT, 11, 51, 52]);
/** Matches no entry: a probe that asks only whether the server runs content sync on the base. */
const NOTHING = '(&(objectClass=*)(!(objectClass=*)))';

export const encodeCookie = (cookie: Buffer | null): string => (cookie ? cookie.toString('base64') : '');
export const decodeCookie = (text: string): Buffer | null => (text ? Buffer.from(text, 'base64') : null);

export class SyncreplMechanism implements DeltaMechanism {
  readonly name = 'syncrepl' as const;
  positionRead = 0;
  private readonly source: DirectorySource;
  constructor(source: DirectorySource) { this.source = source; }

  private failed(r: RefreshResult): DirectoryError {
    // A refresh cannot be paged: a size limit on the bind account stops it every time.
    const hint = r.code === SIZE_LIMIT ? ' (a content-sync refresh cannot be paged: the bind account needs an unlimited size limit)' : '';
    return new DirectoryError('search', `content sync (RFC 4533) on ${this.source.baseDn} refused: result ${r.code}${r.message ? ` ${r.message}` : ''}${hint}`);
  }

  /** Null when the server does content sync on the base; else what it answered. */
  async unavailable(directory: DirectoryPort): Promise<string | null> {
    const r = await directory.contentSync(this.source.baseDn, NOTHING, ['1.1'], null);
    return r.code === 0 ? null : `the server refused content sync on ${this.source.baseDn} (result ${r.code}${r.message ? `: ${r.message}` : ''})`;
  }

  /**
   * A cookie for now: on OpenLDAP the database's contextCSN; elsewhere a refresh without a cookie,
   * which names every entry (DNs only, no attributes) and ends with where the stream stands.
   */
  async position(directory: DirectoryPort): Promise<string> {
    const own = await this.contextCookie(directory);
    if (own) { this.positionRead = 0; return encodeCookie(own); }
    const r = await directory.contentSync(this.source.baseDn, EVERYTHING, ['1.1'], null);
    if (r.code !== 0) throw this.failed(r);
    if (!r.cookie) throw new DirectoryError('search', 'content sync (RFC 4533) gave no cookie');
    this.positionRead = r.changed.size + r.present.size;
    return encodeCookie(r.cookie);
  }

  /** The cookie a server's own state gives, where the vendor allows one (OpenLDAP's contextCSN). */
  private async contextCookie(directory: DirectoryPort): Promise<Buffer | null> {
    if (!presetFor(this.source.vendor).delta.contentSync.cookieFromContextCsn) return null;
    const dse = await directory.rootDse(['namingContexts']);
    const base = this.source.baseDn.toLowerCase();
    const suffix = (dse ? allStrings(dse, 'namingContexts') : [])
      .filter((nc) => base === nc.toLowerCase() || base.endsWith(`,${nc.toLowerCase()}`))
      .sort((a, b) => b.length - a.length)[0];
    if (!suffix) return null;
    try {
      for await (const page of directory.raw(suffix, '(objectClass=*)', ['contextCSN'], { scope: 'base' })) {
        const entry = page[0];
        if (entry) return syncCookieFromContextCsn(this.source.vendor, allStrings(entry, 'contextCSN'));
      }
    } catch (e) {
      if (!isRefusal(e)) throw e;
    }
    return null;
  }

  async changes(directory: DirectoryPort, cookie: string): Promise<ChangeSet> {
    const id = this.source.objectID;
    const r = await directory.contentSync(this.source.baseDn, EVERYTHING, [id], decodeCookie(cookie));
    if (r.code === E_SYNC_REFRESH_REQUIRED) throw new FullRunRequired('the server no longer holds the changes since the last run (e-syncRefreshRequired)');
    if (TRANSIENT.has(r.code)) throw this.failed(r);
    // Anything else refuses the cookie itself (another server's, a restored one, syncprov gone):
    // waiting would not help, a full run and a fresh look at the server do.
    if (r.code !== 0) throw new FullRunRequired(`the server refused the stored cookie (result ${r.code}${r.message ? `: ${r.message}` : ''})`);
    const toId = (hex: string) => idFromSyncUuid(this.source.vendor, id, hex);
    const changed = new Map<string, Uint8Array>();
    let unmapped = false;
    for (const [uuid, entry] of r.changed) {
      const value = first(entry, id);
      const bytes = value !== undefined ? new Uint8Array(Buffer.from(value)) : toId(uuid);
      if (bytes) changed.set(externIdHex(bytes), bytes);
    }
    const explicit = r.deletesExplicit || presetFor(this.source.vendor).delta.contentSync.deletesAlwaysExplicit;
    const deleted: Uint8Array[] = [];
    for (const uuid of r.deleted) { const bytes = toId(uuid); if (bytes) deleted.push(bytes); else unmapped = true; }
    let presentIds: Uint8Array[] | undefined;
    if (!explicit) {
      // A present phase: whatever was neither named present nor changed is gone. Changed entries
      // are not counted present: the engine's re-read through the user filter decides for them.
      presentIds = [];
      for (const uuid of r.present) { const bytes = toId(uuid); if (bytes) presentIds.push(bytes); else unmapped = true; }
    }
    // A UUID we cannot turn into the source's objectID: only a scan of IDs can find deletions.
    if (unmapped) presentIds = undefined;
    return {
      changedIds: [...changed.values()], deletedIds: deleted, scanForDeletions: unmapped || !explicit,
      ...(presentIds ? { presentIds } : {}), cookie: r.cookie ? encodeCookie(r.cookie) : cookie, references: r.references,
      read: r.changed.size + r.deleted.size + r.present.size,
    };
  }
}
