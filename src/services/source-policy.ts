/**
 * What only a SystemAdmin may put in a directory source, checked wherever a source is written or
 * tested: a file on this server (tenants paste the CA as PEM text instead), and a schedule that
 * fires more often than once a minute.
 */
import type { Caller } from '../auth/permissions.ts';
import { DomainError, notPermitted } from '../domain/errors.ts';
import { occurrencesAfter } from '../tasks/recurrence.ts';

type Json = Record<string, unknown>;

export const MIN_TENANT_SCHEDULE_MS = 60_000;

const caFileOf = (config: Json | undefined): string | null => {
  const c = config?.connection;
  return typeof c === 'object' && c !== null && typeof (c as Json).caFile === 'string' && (c as Json).caFile ? String((c as Json).caFile) : null;
};

/** The shortest gap between the next few firings, or null when it cannot be worked out. */
function shortestGapMs(schedule: string): number | null {
  try {
    const next = occurrencesAfter(schedule, new Date(), 6);
    let gap = Infinity;
    for (let i = 1; i < next.length; i++) gap = Math.min(gap, next[i]!.getTime() - next[i - 1]!.getTime());
    return Number.isFinite(gap) ? gap : null;
  } catch { return null; }
}

export function checkSourceWrite(who: Caller, next: Json, stored: Json | undefined): void {
  if (who.isSystemAdmin) return;
  const file = caFileOf(next);
  if (file && file !== caFileOf(stored)) {
    throw notPermitted('only a system admin may name a file on the server (connection.caFile); paste the CA certificate as PEM text in connection.caPem');
  }
  const schedule = typeof next.schedule === 'string' ? next.schedule : null;
  const gap = schedule && schedule !== stored?.schedule ? shortestGapMs(schedule) : null;
  if (gap !== null && gap < MIN_TENANT_SCHEDULE_MS) {
    throw new DomainError('SCHEDULE_TOO_FREQUENT', 'invalid', 'Invalid LDAP configuration', [`schedule '${schedule}' fires more often than once a minute; only a system admin may set that`]);
  }
}
