/**
 * What the services need from outside the domain: the store, and the scheduled syncs to bring in
 * line after a source changed. The API and the command line hand in the same things.
 */
import type { Store } from '../store/store.ts';
import type { Connect, LdapAdmin } from '../sync/ldap-admin.ts';

export interface Schedules {
  /** Brings the scheduled syncs in line with the saved sources. */
  syncSchedules(): Promise<void>;
}

export interface ServiceDeps {
  store: Store;
  schedules: Schedules;
  /** The directory tools: tests, searches, single-user syncs and imports. */
  ldap: LdapAdmin;
  /** Opens a directory connection, for the runs a service starts in this process (dry runs). */
  connect: Connect;
}

/** Who wrote an audit entry: the signed-in account's name, or `cli` from the command line. */
export interface Actor { username: string }
