/**
 * The process's one logger (pino, JSON lines): the HTTP server, the task queue and the sync runs
 * write to it, so an administrator reads one stream. Secrets are redacted by path; the code never
 * puts a password, token or code into a log line in the first place.
 */
import { pino, type Logger } from 'pino';

export type Log = Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;

/** Request headers that carry credentials. */
export const REDACT = ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', 'req.headers["x-auth-token"]', 'req.headers["x-2fa-code"]'];

/** Rocket.Chat's rc_uid/rc_token query carries a session token: it never reaches the log. */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  // Compared decoded, as the query parser reads it: rc%5Ftoken is rc_token too.
  const name = (pair: string) => { try { return decodeURIComponent(pair.split('=')[0]!.replace(/\+/g, ' ')).toLowerCase(); } catch { return ''; } };
  const query = url.slice(at + 1).split('&').map((pair) => (name(pair) === 'rc_token' ? `${pair.split('=')[0]}=[Redacted]` : pair));
  return `${url.slice(0, at)}?${query.join('&')}`;
}

/** What a request says in the log: no headers (credentials), the URL without tokens. */
const SERIALIZERS = {
  req(request: { method: string; url: string; host?: string; ip?: string; socket?: { remotePort?: number } }) {
    return { method: request.method, url: redactUrl(request.url), host: request.host, remoteAddress: request.ip, remotePort: request.socket?.remotePort };
  },
};

/** To stdout, or appended to `file` (synchronously: the tests read it right after a close). */
export function createLogger(level: string, file?: string): Logger {
  return file
    ? pino({ level, redact: REDACT, serializers: SERIALIZERS }, pino.destination({ dest: file, sync: true, append: true }))
    : pino({ level, redact: REDACT, serializers: SERIALIZERS });
}

/** A logger that drops everything: for code run outside a server (the CLI prints instead). */
export const silentLog: Log = pino({ level: 'silent' });
