/**
 * Which failures of the database mean "it cannot serve now" (full disk, lost connection, busy)
 * rather than a bug: those are answered 503 with a message, never 500.
 */
const SQLITE_UNAVAILABLE = new Set([5, 6, 10, 13, 14]); // BUSY, LOCKED, IOERR, FULL, CANTOPEN
const OS_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOSPC']);

export function isStoreUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const err = e as Error & { code?: unknown; errcode?: unknown };
  if (err.code === 'ERR_SQLITE_ERROR' && typeof err.errcode === 'number') return SQLITE_UNAVAILABLE.has(err.errcode & 0xff);
  if (typeof err.code === 'string') {
    if (OS_UNAVAILABLE.has(err.code)) return true;
    // PostgreSQL: connection exceptions, insufficient resources (disk full, out of memory), shutdown.
    if (/^(08|53|57P)/.test(err.code)) return true;
  }
  // node-pg: a query on a pooled client whose connection died under another query.
  return /Connection terminated|connection timeout|database or disk is full|connection error and is not queryable/i.test(err.message);
}
