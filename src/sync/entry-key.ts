/**
 * An entry's key: a fingerprint of its bytes as the server sent them and of everything else its
 * mapping depends on (the source's mapping settings, the domain, the groups it is in). The key is
 * stored with the user the entry mapped to; an entry whose key equals its user's stored one maps
 * to what is stored, so a full run counts it unchanged without decoding or mapping it.
 *
 * Only a key can be trusted, never its absence: an entry with no key, or another one, is mapped
 * and planned as before. A server that sends the same entry in another attribute order costs one
 * mapping, not a wrong answer.
 */
import { hash as digest } from 'node:crypto';
import type { DirectorySource } from '../directory/source.ts';
import type { DirectoryEntry } from '../directory/port.ts';
import { WireEntry } from '../directory/wire-entry.ts';
import { externIdHex, type MappedUser } from '../domain/user.ts';
import type { GroupIndex } from './groups.ts';
import type { Mapper } from './mapper.ts';

/**
 * Raised whenever the code changes what an entry maps or plans to (the mapper, the planner and
 * its fingerprint, a vendor preset's attributes or rules, which attributes are asked for): every
 * stored key then differs, and the next run maps every entry once.
 */
const MAPPING_VERSION = 1;

export interface KeyedEntry {
  /** The entry's stable ID: a view of its bytes. */
  id: Buffer;
  /** Its ID in hex, as the page's lookups key users. */
  hex: string;
  key: string;
}

export interface EntryKeys {
  /** The entry's ID and key; null when only mapping can tell (not read off the wire, no ID, disabled by the source's filter). */
  keyOf(entry: DirectoryEntry): KeyedEntry | null;
}

/** What a page is read with: the mapper, and the keys that spare most entries the mapping. */
export type PageMapper = Mapper & EntryKeys;

/** The key is kept only for users that are exactly what it maps to: enabled, the photo taken. */
export function keepsKey(user: MappedUser): boolean {
  return user.enabled && !(user.avatar && 'rejected' in user.avatar);
}

export function entryKeys(source: DirectorySource, domainName: string, disabledIds: ReadonlySet<string>, groups: GroupIndex | null): EntryKeys {
  const settings = digest('sha1', JSON.stringify([MAPPING_VERSION, domainName, source.vendor, source.objectID, source.users, source.avatars, source.groups.enabled]), 'base64url').slice(0, 12);
  const idName = new TextEncoder().encode(source.objectID.toLowerCase());
  const uidName = new TextEncoder().encode('uid');
  return {
    keyOf(entry) {
      if (!(entry instanceof WireEntry)) return null;
      const id = entry.firstValue(idName);
      if (!id || id.length === 0 || id.length > 64) return null;
      const hex = externIdHex(id);
      if (disabledIds.size > 0 && disabledIds.has(hex)) return null;
      let key = settings + digest('sha256', entry.raw, 'base64url');
      if (groups) {
        // As the mapper asks the group index: by DN, and by uid as text.
        const memberOf = groups.groupsOf(entry.dn, entry.firstValue(uidName)?.toString('utf8'));
        if (memberOf.length) key += digest('sha256', JSON.stringify([groups.namesOf(memberOf), groups.rolesOf(memberOf)]), 'base64url');
      }
      return { id, hex, key };
    },
  };
}
