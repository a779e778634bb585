/**
 * Vendor presets: everything that differs between directory families, in one place. A source
 * names its vendor; whatever it sets itself wins. `PRESETS` is a `Record<Vendor, VendorPreset>`
 * with every fact required, so a new vendor does not compile until each one is given, and the
 * code reads these facts instead of comparing vendor names.
 */
import { ACCOUNT_STATE_RULES, type AccountStateRule } from './account-state-rules.ts';
import { COMMON_TEMPLATE, VENDOR_TEMPLATES } from './attribute-templates.ts';

export type { AccountStateRule };

export const VENDORS = ['openldap', 'activedirectory', '389ds'] as const;
export type Vendor = (typeof VENDORS)[number];

/** What a source that names no vendor is. */
export const DEFAULT_VENDOR: Vendor = 'openldap';

export const isVendor = (name: string): name is Vendor => (VENDORS as readonly string[]).includes(name);

/** How RFC 4533 content sync names entries on this family, where it offers it. */
export interface ContentSyncFacts {
  /** The attribute the server derives an entry's sync UUID from, and that UUID (32 hex digits) as the attribute's text. */
  uuidSource: { attribute: string; text(hex: string): string } | null;
  /**
   * Deletions are always named one by one (no present phase), whatever the refresh's
   * refreshDeletes says.
   */
  deletesAlwaysExplicit: boolean;
  /** A consumer cookie built from the database's contextCSN values, where the server accepts one; null where it does not. */
  cookieFromContextCsn: ((csns: string[]) => Buffer) | null;
}

export interface DeltaFacts {
  /** The attribute the timestamp mechanism compares. */
  timestampAttribute: 'modifyTimestamp' | 'whenChanged';
  /** Probe the accesslog database even when the root DSE does not list cn=accesslog. */
  probeAccesslog: boolean;
  contentSync: ContentSyncFacts;
}

export interface VendorPreset {
  /** The family's name, for people. */
  label: string;
  /** The stable-ID attribute. */
  objectID: string;
  username: string;
  displayName: string;
  filter: string;
  aliases: string;
  /** Login name other than the address (uid, sAMAccountName). */
  altname: string;
  searchAttributes: string[];
  /** The group filter when the source sets none. */
  groupFilter: string;
  /** The family's attribute template: its name (for `users.templates`) and its map. */
  template: { name: string; map: Readonly<Record<string, string>> };
  /** What makes an entry synced as deactivated, checked in this order; the first that speaks wins. */
  accountState: readonly AccountStateRule[];
  /** Attributes whose values are bytes, never text. */
  binaryAttributes: readonly string[];
  /** How many `member` values the server hands out at a time when asked for ranges; null: all at once. */
  memberRange: number | null;
  delta: DeltaFacts;
}

/**
 * Bytes in every family: photos (thumbnailPhoto is the avatars' first choice on any of them) and
 * certificates; and AD's objectGUID and objectSid, which reach a source of another family too
 * through an OpenLDAP proxy in front of AD (back-ldap, back-meta).
 */
const COMMON_BINARY = ['objectGUID', 'objectSid', 'jpegPhoto', 'thumbnailPhoto', 'userCertificate'];

/**
 * Every family checks every account-state attribute: a directory carries another family's now
 * and then (an OpenLDAP with the ppolicy overlay, 389-DS's nsAccountLock, an AD schema loaded
 * elsewhere), and what it says of an account holds wherever it appears.
 */
const EVERY_ACCOUNT_STATE = [ACCOUNT_STATE_RULES.userAccountControl, ACCOUNT_STATE_RULES.pwdAccountLockedTime, ACCOUNT_STATE_RULES.nsAccountLock];

const POSIX_GROUPS = '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))';

const PRESETS: Record<Vendor, VendorPreset> = {
  openldap: {
    label: 'OpenLDAP',
    objectID: 'entryUUID',
    username: 'mail',
    displayName: 'cn',
    filter: '(|(objectClass=inetOrgPerson)(objectClass=posixAccount))',
    aliases: 'mailAlternativeAddress',
    altname: 'uid',
    searchAttributes: ['mail', 'uid', 'cn', 'givenName', 'sn'],
    groupFilter: POSIX_GROUPS,
    template: VENDOR_TEMPLATES.OpenLDAP,
    accountState: EVERY_ACCOUNT_STATE,
    binaryAttributes: COMMON_BINARY,
    memberRange: null,
    delta: {
      timestampAttribute: 'modifyTimestamp',
      // OpenLDAP's accesslog is a database of its own that need not be a naming context.
      probeAccesslog: true,
      contentSync: {
        // syncprov sends entryUUID itself.
        uuidSource: { attribute: 'entryUUID', text: (hex) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` },
        deletesAlwaysExplicit: false,
        // syncprov accepts a consumer's own cookie naming the contextCSN values: a full run can
        // start its stream there without a refresh that names every entry.
        cookieFromContextCsn: (csns) => Buffer.from(`rid=000,csn=${csns.join(';')}`),
      },
    },
  },
  activedirectory: {
    label: 'Active Directory',
    objectID: 'objectGUID',
    username: 'mail',
    displayName: 'displayName',
    filter: '(&(objectCategory=person)(objectClass=user))',
    aliases: 'proxyAddresses',
    altname: 'sAMAccountName',
    searchAttributes: ['mail', 'sAMAccountName', 'userPrincipalName', 'cn', 'givenName', 'sn', 'displayName'],
    groupFilter: '(objectClass=group)',
    template: VENDOR_TEMPLATES.ActiveDirectory,
    accountState: EVERY_ACCOUNT_STATE,
    binaryAttributes: COMMON_BINARY,
    // A DC hands out at most 1,500 values of a large attribute at a time (MaxValRange).
    memberRange: 1500,
    delta: {
      // AD keeps modifyTimestamp too, but whenChanged is the one it documents and indexes.
      timestampAttribute: 'whenChanged',
      probeAccesslog: false,
      // AD has no content sync; DirSync and uSNChanged are found from the root DSE.
      contentSync: { uuidSource: null, deletesAlwaysExplicit: false, cookieFromContextCsn: null },
    },
  },
  '389ds': {
    label: '389 Directory Server',
    objectID: 'nsUniqueId',
    username: 'mail',
    displayName: 'cn',
    filter: '(|(objectClass=inetOrgPerson)(objectClass=posixAccount))',
    aliases: 'mailAlternateAddress',
    altname: 'uid',
    searchAttributes: ['mail', 'uid', 'cn', 'givenName', 'sn'],
    groupFilter: POSIX_GROUPS,
    template: VENDOR_TEMPLATES['389ds'],
    accountState: EVERY_ACCOUNT_STATE,
    binaryAttributes: COMMON_BINARY,
    memberRange: null,
    delta: {
      timestampAttribute: 'modifyTimestamp',
      probeAccesslog: false,
      contentSync: {
        // The content-sync plugin sends nsUniqueId's 16 bytes; its entryUUID is not what it derives them from.
        uuidSource: { attribute: 'nsUniqueId', text: (hex) => `${hex.slice(0, 8)}-${hex.slice(8, 16)}-${hex.slice(16, 24)}-${hex.slice(24)}` },
        // The plugin names deletions as entries in the delete state and never runs a present
        // phase, yet ends a refresh with refreshDeletes FALSE. Read by RFC 4533's letter, that
        // would mean every entry not named was deleted.
        deletesAlwaysExplicit: true,
        cookieFromContextCsn: null,
      },
    },
  },
};

export const presetFor = (vendor: Vendor): VendorPreset => PRESETS[vendor];

const TEMPLATES: Record<string, Readonly<Record<string, string>>> = {
  common: COMMON_TEMPLATE,
  ...Object.fromEntries(VENDORS.map((v) => [PRESETS[v].template.name, PRESETS[v].template.map])),
};

export const TEMPLATE_NAMES = Object.keys(TEMPLATES);

/** The templates a source uses when it names none: the common map, then its vendor's. */
export const defaultTemplates = (vendor: Vendor): string[] => ['common', PRESETS[vendor].template.name];

/**
 * The attribute map a source uses: the common map, the vendor's, then named templates, then
 * the source's own `attributes` (which win).
 */
export function attributeMap(vendor: Vendor, templates: string[], own: Record<string, string>): Record<string, string> {
  const names = templates.length ? templates : defaultTemplates(vendor);
  const map: Record<string, string> = {};
  for (const name of names) Object.assign(map, TEMPLATES[name] ?? {});
  return { ...map, ...own };
}

/**
 * The stable ID an RFC 4533 entry UUID (16 bytes, as hex) stands for, as the objectID attribute
 * would give it; null where the source's objectID is not what the server derives the UUID from.
 */
export function idFromSyncUuid(vendor: Vendor, objectID: string, hex: string): Uint8Array | null {
  const from = PRESETS[vendor].delta.contentSync.uuidSource;
  if (hex.length !== 32 || !from || objectID.toLowerCase() !== from.attribute.toLowerCase()) return null;
  return new Uint8Array(Buffer.from(from.text(hex), 'utf8'));
}

/** The consumer cookie a server's contextCSN values give, where the vendor accepts one; else null. */
export function syncCookieFromContextCsn(vendor: Vendor, csns: string[]): Buffer | null {
  const cookie = PRESETS[vendor].delta.contentSync.cookieFromContextCsn;
  return cookie && csns.length ? cookie(csns) : null;
}
