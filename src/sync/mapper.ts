/**
 * Maps a directory entry to the user it stands for: username from the mail attribute, aliases,
 * display name, mapped properties and the enabled flag. Pure: no I/O.
 */
import { avatarAttributes, type DirectorySource } from '../directory/source.ts';
import { attributeMap, presetFor } from '../directory/presets.ts';
import { allStrings, first, type DirectoryEntry } from '../directory/port.ts';
import { externIdHex, type MappedUser } from '../domain/user.ts';
import type { GroupIndex } from './groups.ts';
import { avatarFrom } from './avatar.ts';

export type MapResult = { ok: true; user: MappedUser } | { ok: false; externId: Uint8Array | null; dn: string; reason: string };

/** A practical address check: one @, no spaces or control characters, a dotted or local domain. */
const ADDRESS = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+$/u;
const MAX_VALUE = 4096;

const stripSmtp = (value: string): string => value.replace(/^smtp:/i, '');

/** True when the value holds a control character (\p{Cc}: U+0000-U+001F, U+007F-U+009F). */
const hasControl = (value: string): boolean => {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
};

// Almost no value holds a control character: scanning is cheaper than a regex replace each time.
const clean = (value: string): string => (hasControl(value) ? value.replace(/[\p{Cc}]/gu, '') : value).trim();

export interface Mapper {
  map(entry: DirectoryEntry): MapResult;
}

/**
 * `disabledIds`: stable IDs (hex) of the entries the source's own disabled filter matched; the
 * server evaluates that filter, since client-side matching cannot follow every matching rule.
 */
export function createMapper(source: DirectorySource, disabledIds: ReadonlySet<string> = new Set(), groups: GroupIndex | null = null): Mapper {
  const u = source.users;
  const map = Object.entries(attributeMap(source.vendor, u.templates, u.attributes));
  const photoAttributes = avatarAttributes(source.avatars.attribute);
  const accountState = presetFor(source.vendor).accountState.map((rule) => ({ key: rule.attribute.toLowerCase(), disabled: rule.disabled }));

  function disabledReason(entry: DirectoryEntry, externId: Uint8Array): string | null {
    for (const rule of accountState) {
      const why = rule.disabled(entry.attributes.get(rule.key));
      if (why) return why;
    }
    if (disabledIds.size > 0 && disabledIds.has(externIdHex(externId))) return `account matches the disabled filter ${u.disabledFilter}`;
    return null;
  }

  return {
    map(entry) {
      const rawId = first(entry, source.objectID);
      const externId = rawId === undefined ? null : new Uint8Array(typeof rawId === 'string' ? Buffer.from(rawId, 'utf8') : rawId);
      const invalid = (reason: string): MapResult => ({ ok: false, externId, dn: entry.dn, reason });
      if (!externId || externId.length === 0) return invalid(`entry has no ${source.objectID}`);
      if (externId.length > 64) return invalid(`${source.objectID} is longer than 64 bytes`);

      const mails = allStrings(entry, u.username).map((m) => stripSmtp(clean(m)).toLowerCase()).filter(Boolean);
      const username = mails[0];
      if (!username) return invalid(`entry has no ${u.username} value`);
      if (!ADDRESS.test(username) || username.length > 320) return invalid(`${u.username} '${username.slice(0, 80)}' is not an e-mail address`);

      const extra = u.aliases ? allStrings(entry, u.aliases).map((a) => stripSmtp(clean(a)).toLowerCase()) : [];
      const aliases = [...new Set([...mails.slice(1), ...extra])].filter((a) => a !== username && ADDRESS.test(a)).sort();

      const properties: Record<string, string> = {};
      for (const [attribute, property] of map) {
        const value = first(entry, attribute);
        if (value === undefined || Buffer.isBuffer(value)) continue;
        const text = clean(value);
        if (text && text.length <= MAX_VALUE) properties[property] = text;
      }
      const displayNameRaw = first(entry, u.displayName);
      const displayName = typeof displayNameRaw === 'string' ? clean(displayNameRaw).slice(0, MAX_VALUE) : '';
      const reason = disabledReason(entry, externId);
      // As text even when read as bytes (a source whose stable ID is uid): posix groups name it so.
      const uid = first(entry, 'uid');
      const memberOf = groups ? groups.groupsOf(entry.dn, uid === undefined ? undefined : typeof uid === 'string' ? uid : uid.toString('utf8')) : [];
      const user: MappedUser = { externId, dn: entry.dn, username, displayName: displayName || username, email: username, aliases, properties, groups: groups ? groups.namesOf(memberOf) : [], roles: groups ? groups.rolesOf(memberOf) : [], enabled: reason === null, disabledReason: reason };
      if (source.avatars.enabled) user.avatar = avatarFrom(entry, photoAttributes, source.avatars);
      return { ok: true, user };
    },
  };
}
