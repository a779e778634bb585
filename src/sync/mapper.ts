/**
 * Maps a directory entry to the user it stands for: username from the mail attribute, aliases,
 * display name, mapped properties and the enabled flag. Pure: no I/O.
 */
import { avatarAttributes, type DirectorySource } from '../directory/source.ts';
import { attributeMap, presetFor } from '../directory/presets.ts';
import type { DirectoryEntry } from '../directory/entry.ts';
import { externIdHex, type MappedUser } from '../domain/user.ts';
import type { GroupIndex } from './groups.ts';
import { avatarFrom } from './avatar.ts';
import { cutText } from '../domain/text.ts';

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

/** Addresses as the mapper keeps them: cleaned, without an `smtp:` prefix, lower case, no empty ones. */
function addresses(values: Array<string | Buffer> | undefined): string[] {
  const out: string[] = [];
  if (values) for (let i = 0; i < values.length; i++) {
    const a = address(values[i]!);
    if (a) out.push(a);
  }
  return out;
}

/** One value as an address: bytes read as UTF-8 (as textValues does), cleaned, lower case. */
const address = (value: string | Buffer): string => stripSmtp(clean(typeof value === 'string' ? value : value.toString('utf8'))).toLowerCase();

const invalid = (externId: Uint8Array | null, dn: string, reason: string): MapResult => ({ ok: false, externId, dn, reason });

/**
 * Sorts in code-unit order, as the default sort of strings does: an insertion sort, for the few
 * aliases an entry has (the built-in sort cost more than the rest of the mapping).
 */
function sortInPlace(values: string[]): void {
  for (let i = 1; i < values.length; i++) {
    const v = values[i]!;
    let j = i - 1;
    for (; j >= 0 && values[j]! > v; j--) values[j + 1] = values[j]!;
    values[j + 1] = v;
  }
}

/**
 * `disabledIds`: stable IDs (hex) of the entries the source's own disabled filter matched; the
 * server evaluates that filter, since client-side matching cannot follow every matching rule.
 */
export function createMapper(source: DirectorySource, disabledIds: ReadonlySet<string> = new Set(), groups: GroupIndex | null = null): Mapper {
  const u = source.users;
  const mapped = Object.entries(attributeMap(source.vendor, u.templates, u.attributes));
  // Looked up on every entry: the lower-case keys the entry's attributes are stored under, once.
  const propertyKeys = mapped.map(([attribute]) => attribute.toLowerCase());
  const propertyNames = mapped.map(([, property]) => property);
  const idKey = source.objectID.toLowerCase();
  const usernameKey = u.username.toLowerCase();
  const aliasKey = u.aliases ? u.aliases.toLowerCase() : null;
  const displayNameKey = u.displayName.toLowerCase();
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
      const attributes = entry.attributes;
      const rawId = attributes.get(idKey)?.[0];
      const externId = rawId === undefined ? null : new Uint8Array(typeof rawId === 'string' ? Buffer.from(rawId, 'utf8') : rawId);
      if (!externId || externId.length === 0) return invalid(externId, entry.dn, `entry has no ${source.objectID}`);
      if (externId.length > 64) return invalid(externId, entry.dn, `${source.objectID} is longer than 64 bytes`);

      const mails = addresses(attributes.get(usernameKey));
      const username = mails[0];
      if (!username) return invalid(externId, entry.dn, `entry has no ${u.username} value`);
      if (!ADDRESS.test(username) || username.length > 320) return invalid(externId, entry.dn, `${u.username} '${cutText(username, 80)}' is not an e-mail address`);

      // The other addresses and the alias attribute's, once each, valid, sorted.
      const aliases: string[] = [];
      const seen: string[] = [];
      const consider = (a: string) => {
        if (seen.includes(a)) return;
        seen.push(a);
        if (a !== username && ADDRESS.test(a)) aliases.push(a);
      };
      for (let i = 1; i < mails.length; i++) consider(mails[i]!);
      const aliasValues = aliasKey ? attributes.get(aliasKey) : undefined;
      if (aliasValues) for (let i = 0; i < aliasValues.length; i++) consider(address(aliasValues[i]!));
      sortInPlace(aliases);

      const properties: Record<string, string> = {};
      for (let i = 0; i < propertyKeys.length; i++) {
        const value = attributes.get(propertyKeys[i]!)?.[0];
        if (value === undefined || Buffer.isBuffer(value)) continue;
        const text = clean(value);
        if (text && text.length <= MAX_VALUE) properties[propertyNames[i]!] = text;
      }
      const displayNameRaw = attributes.get(displayNameKey)?.[0];
      const displayName = typeof displayNameRaw === 'string' ? cutText(clean(displayNameRaw), MAX_VALUE) : '';
      const reason = disabledReason(entry, externId);
      let memberOf: number[] = [];
      if (groups) {
        // As text even when read as bytes (a source whose stable ID is uid): posix groups name it so.
        const uid = attributes.get('uid')?.[0];
        memberOf = groups.groupsOf(entry.dn, uid === undefined ? undefined : typeof uid === 'string' ? uid : uid.toString('utf8'));
      }
      const user: MappedUser = { externId, dn: entry.dn, username, displayName: displayName || username, email: username, aliases, properties, groups: groups ? groups.namesOf(memberOf) : [], roles: groups ? groups.rolesOf(memberOf) : [], enabled: reason === null, disabledReason: reason };
      if (source.avatars.enabled) user.avatar = avatarFrom(entry, photoAttributes, source.avatars);
      return { ok: true, user };
    },
  };
}
