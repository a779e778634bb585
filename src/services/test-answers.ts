/**
 * What a failed connection test tells its caller. A SystemAdmin sees the cause; a tenant admin
 * sees one answer for every failure, so that a test cannot be used to map this server's network
 * (which loopback ports are open, which hosts answer) or its files. The cause goes to the log.
 */
import type { Caller } from '../auth/permissions.ts';

export const TENANT_TEST_FAILURE = 'The directory could not be reached, did not accept TLS, or refused the bind; a system admin finds the cause in the service log';

export function testFailureFor(who: Caller, cause: string): string {
  return who.isSystemAdmin ? cause : TENANT_TEST_FAILURE;
}
