/**
 * Attribute templates: which directory attribute fills which user property. The common map holds
 * what every family shares; each family's own map comes into its preset (presets.ts), and a
 * source may name templates of its own choosing (`users.templates`).
 */

/** Attributes every directory shares, mapped to the user properties we keep. */
export const COMMON_TEMPLATE: Readonly<Record<string, string>> = {
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

/** Each family's own map, under the name a source's `users.templates` gives it. */
export const VENDOR_TEMPLATES = {
  OpenLDAP: { name: 'OpenLDAP', map: { uid: 'altname', departmentNumber: 'departmentname' } },
  ActiveDirectory: {
    name: 'ActiveDirectory',
    map: {
      sAMAccountName: 'altname',
      userPrincipalName: 'userprincipalname',
      department: 'departmentname',
      wWWHomePage: 'businesshomepage',
      ...Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`extensionAttribute${i + 1}`, `addressbookextensionattribute${i + 1}`])),
    },
  },
  '389ds': { name: '389ds', map: { uid: 'altname', departmentNumber: 'departmentname', c: 'country' } },
} as const satisfies Record<string, { name: string; map: Record<string, string> }>;
