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
