/**
 * When a schedule next fires: a cron expression (five fields, or six with seconds) or an RFC 5545
 * rule such as FREQ=HOURLY;INTERVAL=2, in UTC. The arithmetic is pg-boss's own, so a schedule
 * means the same in the embedded mode as in the cluster mode, where pg-boss fires it.
 * It lives with the queue, not in domain/, because it loads pg-boss (a library that does I/O).
 */
import { PgBoss } from 'pg-boss';

// Never started and never connected: only its pure schedule arithmetic is used.
const arithmetic = new PgBoss({ connectionString: 'postgres://localhost/unused' });

/** The next occurrences strictly after `from`; throws with pg-boss's reason for a bad expression. */
export function occurrencesAfter(expression: string, from: Date, count = 1): Date[] {
  return arithmetic.previewSchedule(expression, { count, from, tz: 'UTC' });
}

export function nextOccurrence(expression: string, from = new Date()): Date | null {
  return occurrencesAfter(expression, from)[0] ?? null;
}

/** Why an expression cannot be a schedule, or null when it can. */
export function scheduleError(expression: string): string | null {
  try {
    return nextOccurrence(expression) ? null : 'it never fires';
  } catch (e) {
    return (e as Error).message;
  }
}
