/** A directory source pointing at a test slapd, as grommunio's ldapConfig plus our extensions. */
import type { Slapd } from './slapd.ts';
import { BASE_DN, SYNC_DN, SYNC_PW } from './slapd.ts';
import { TEST_FILTER } from '../fixtures/people.ts';

export function sourceConfig(slapd: Slapd, overrides: { connection?: Record<string, unknown>; users?: Record<string, unknown>; [k: string]: unknown } = {}): Record<string, unknown> {
  const { connection, users, ...rest } = overrides;
  return {
    connection: { server: slapd.url, bindUser: SYNC_DN, bindPass: SYNC_PW, starttls: false, caFile: slapd.caFile, ...connection },
    baseDn: BASE_DN,
    objectID: 'entryUUID',
    users: { username: 'mail', displayName: 'cn', filter: TEST_FILTER, aliases: 'mailAlternativeAddress', searchAttributes: ['mail', 'cn', 'uid'], ...users },
    groups: {},
    vendor: 'openldap',
    pageSize: 7,
    ...rest,
  };
}
