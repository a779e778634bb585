/**
 * What a directory failure tells its caller. A SystemAdmin sees the cause; a tenant admin sees one
 * answer for every failure, so that a test, a search or a sync of a config they saved cannot be
 * used to map this server's network (which loopback ports are open, which hosts answer) or its
 * files. The cause goes to the log.
 */
import type { Caller } from '../auth/permissions.ts';

export const TENANT_TEST_FAILURE = 'The directory could not be reached, did not accept TLS, or refused the bind; a system admin finds the cause in the service log';

export function testFailureFor(who: Caller, cause: string): string {
  return who.isSystemAdmin ? cause : TENANT_TEST_FAILURE;
}

const IN_THE_LOG = 'a system admin finds the cause in the service log';

/**
 * A run's or a tool's message as a tenant admin may read it: the directory's failure is named,
 * its cause (which address refused, which timed out, what TLS said) is not; nor is what failed
 * unexpectedly or how the database refused a write, which name this server's insides (paths,
 * addresses, SQL).
 */
export function causeFor(who: Caller, message: string): string {
  if (who.isSystemAdmin) return message;
  return message
    .replace(/Directory unavailable: .*$/s, `Directory unavailable: ${TENANT_TEST_FAILURE}`)
    .replace(/the sync thread (could not start|stopped during the run)\b.*$/s, `the sync thread $1; ${IN_THE_LOG}`)
    .replace(/Synchronization failed: (?!the sync thread).*$/s, `Synchronization failed; ${IN_THE_LOG}`)
    .replace(/The database could not be written \(.*\)(; users already written)/s, `The database could not be written (${IN_THE_LOG})$1`);
}
