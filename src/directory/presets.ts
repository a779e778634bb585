/**
 * Vendor presets: the stable-ID attribute, the username attribute, filters and the attribute map
 * each directory family needs. A source names its vendor; whatever it sets itself wins.
 */

export const VENDORS = ['openldap', 'activedirectory', '389ds'] as const;
export type Vendor = (typeof VENDORS)[number];

export interface VendorPreset {
  objectID: string;
  username: string;
  displayName: string;
  filter: string;
  aliases: string;
  /** Login name other than the address (uid, sAMAccountName). */
  altname: string;
  searchAttributes: string[];
  template: string;
}

const PRESETS: Record<Vendor, VendorPreset> = {
  openldap: {
    objectID: 'entryUUID',
    username: 'mail',
    displayName: 'cn',
    filter: '(|(objectClass=inetOrgPerson)(objectClass=posixAccount))',
    aliases: 'mailAlternativeAddress',
    altname: 'uid',
    searchAttributes: ['mail', 'uid', 'cn', 'givenName', 'sn'],
    template: 'OpenLDAP',
  },
  activedirectory: {
    objectID: 'objectGUID',
    username: 'mail',
    displayName: 'displayName',
    filter: '(&(objectCategory=person)(objectClass=user))',
    aliases: 'proxyAddresses',
    altname: 'sAMAccountName',
    searchAttributes: ['mail', 'sAMAccountName', 'userPrincipalName', 'cn', 'givenName', 'sn', 'displayName'],
    template: 'ActiveDirectory',
  },
  '389ds': {
    objectID: 'nsUniqueId',
    username: 'mail',
    displayName: 'cn',
    filter: '(|(objectClass=inetOrgPerson)(objectClass=posixAccount))',
    aliases: 'mailAlternateAddress',
    altname: 'uid',
    searchAttributes: ['mail', 'uid', 'cn', 'givenName', 'sn'],
    template: '389ds',
  },
};

export const presetFor = (vendor: Vendor): VendorPreset => PRESETS[vendor];

/** Attributes every directory shares, mapped to the user properties we keep. */
const COMMON_MAP: Record<string, string> = {
  givenName: 'givenname',
  sn: 'surname',
  title: 'title',
  initials: 'initials',
  telephoneNumber: 'businesstelephonenumber',
  mobile: 'mobiletelephonenumber',
  homePhone: 'hometelephonenumber',
  facsimileTelephoneNumber: 'primaryfaxnumber',
  pager: 'pagertelephonenumber',
  description: 'comment',
  physicalDeliveryOfficeName: 'officelocation',
  l: 'locality',
  st: 'stateorprovince',
  street: 'streetaddress',
  streetAddress: 'streetaddress',
  postalCode: 'postalcode',
  postalAddress: 'postaladdress',
  postOfficeBox: 'postofficebox',
  company: 'companyname',
  o: 'companyname',
  co: 'country',
  employeeNumber: 'organizationalidnumber',
  preferredLanguage: 'language',
  ou: 'addressbookorganizationalunitname',
};

const TEMPLATES: Record<string, Record<string, string>> = {
  common: COMMON_MAP,
  OpenLDAP: { uid: 'altname', departmentNumber: 'departmentname' },
  ActiveDirectory: {
    sAMAccountName: 'altname',
    userPrincipalName: 'userprincipalname',
    department: 'departmentname',
    wWWHomePage: 'businesshomepage',
    ...Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`extensionAttribute${i + 1}`, `addressbookextensionattribute${i + 1}`])),
  },
  '389ds': { uid: 'altname', departmentNumber: 'departmentname', c: 'country' },
};

export const TEMPLATE_NAMES = Object.keys(TEMPLATES);

/**
 * The attribute map a source uses: the common map, the vendor's, then named templates, then
 * the source's own `attributes` (which win).
 */
export function attributeMap(vendor: Vendor, templates: string[], own: Record<string, string>): Record<string, string> {
  const names = templates.length ? templates : ['common', PRESETS[vendor].template];
  const map: Record<string, string> = {};
  for (const name of names) Object.assign(map, TEMPLATES[name] ?? {});
  return { ...map, ...own };
}

/**
 * The stable ID an RFC 4533 entry UUID (16 bytes, as hex) stands for, as the objectID attribute
 * would give it; null where the source's objectID is not what the server derives the UUID from.
 * OpenLDAP sends entryUUID itself; 389-DS sends nsUniqueId's 16 bytes.
 */
export function idFromSyncUuid(vendor: Vendor, objectID: string, hex: string): Uint8Array | null {
  if (hex.length !== 32) return null;
  const id = objectID.toLowerCase();
  if (vendor === 'openldap' && id === 'entryuuid') return new Uint8Array(Buffer.from(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`, 'utf8'));
  if (vendor === '389ds' && id === 'nsuniqueid') return new Uint8Array(Buffer.from(`${hex.slice(0, 8)}-${hex.slice(8, 16)}-${hex.slice(16, 24)}-${hex.slice(24)}`, 'utf8'));
  if (vendor === '389ds' && id === 'entryuuid') return null;
  return null;
}

/**
 * 389-DS's content-sync plugin names deletions as entries in the delete state and never runs a
 * present phase, yet ends a refresh with refreshDeletes FALSE. Read by RFC 4533's letter, that
 * would mean every entry not named was deleted.
 */
export const syncDeletesAlwaysExplicit = (vendor: Vendor): boolean => vendor === '389ds';

/**
 * OpenLDAP's syncprov accepts a consumer's own cookie naming the database's contextCSN values:
 * a full run can start its stream there without a refresh that names every entry.
 */
export const syncCookieFromContextCsn = (vendor: Vendor, csns: string[]): Buffer | null =>
  vendor === 'openldap' && csns.length ? Buffer.from(`rid=000,csn=${csns.join(';')}`) : null;
