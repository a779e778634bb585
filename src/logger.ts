/**
 * The process's one logger (pino, JSON lines): the HTTP server, the task queue and the sync runs
 * write to it, so an administrator reads one stream. Secrets are redacted by path; the code never
 * puts a password, token or code into a log line in the first place.
 */
import { pino, type Logger } from 'pino';

export type Log = Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;

/** Request headers that carry credentials. */
export const REDACT = ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', 'req.headers["x-auth-token"]', 'req.headers["x-2fa-code"]'];

/** To stdout, or appended to `file` (synchronously: the tests read it right after a close). */
export function createLogger(level: string, file?: string): Logger {
  return file
    ? pino({ level, redact: REDACT }, pino.destination({ dest: file, sync: true, append: true }))
    : pino({ level, redact: REDACT });
}

/** A logger that drops everything: for code run outside a server (the CLI prints instead). */
export const silentLog: Log = pino({ level: 'silent' });
