/** The only reader of process.env: a typed, frozen configuration. */
import { resolve } from 'node:path';

export interface Config {
  /** Folder for the embedded SQLite file and generated keys. */
  dataDir: string;
  /** PostgreSQL URL; when set, the store is PostgreSQL instead of the embedded SQLite file. */
  databaseUrl: string | null;
  host: string;
  port: number;
  adminUser: string | null;
  adminPassword: string | null;
  logLevel: string;
  /** The secrets key ring; by default keys/secrets.json in the data folder. Keep it apart from backups of the database. */
  secretKeyFile: string | null;
  /** Tasks a worker process runs at once (cluster mode). */
  workerConcurrency: number;
  /** How long ldap.syncNow waits for the run before answering Sync_in_progress. */
  syncNowWaitSeconds: number;
  /** PostgreSQL schema of the job queue's own tables (cluster mode). */
  queueSchema: string;
  /** How often the queue looks for jobs of dead workers, in seconds (cluster mode). */
  queueSuperviseSeconds: number;
  /** Secure cookies; on unless explicitly turned off for plain-HTTP development. */
  secureCookies: 'auto' | 'always' | 'never';
  /** Where the email 2FA codes are sent from: smtp://host:port or smtps://; null: no email method. */
  smtpUrl: string | null;
  smtpFrom: string;
  /** PEM file with the CA the SMTP server's certificate must chain to; the system store when absent. */
  smtpCaFile: string | null;
  /**
   * Which proxies in front may say who the client is (X-Forwarded-For): false (none, the default),
   * true (any), a hop count, or addresses and CIDR ranges. Sign-in throttling counts by that address.
   */
  trustProxy: boolean | number | string;
}

function trustProxy(value: string | undefined): boolean | number | string {
  const v = (value ?? '').trim();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.some((s) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(s))) throw new Error(`LDAPSYNC_TRUST_PROXY must be true, false, a hop count, or addresses and CIDR ranges separated by commas, not '${v}'`);
  return list.join(',');
}

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a whole number from 0 to 65535, not '${value}'`);
  return n;
}

function smtpUrl(value: string | undefined): string | null {
  if (!value) return null;
  let url: URL | null = null;
  try { url = new URL(value); } catch { /* reported below */ }
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')) throw new Error(`LDAPSYNC_SMTP_URL must be smtp://host:port or smtps://host:port, not '${value.replace(/\/\/[^@/]*@/, '//…@')}'`);
  return value;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const cookies = env.LDAPSYNC_SECURE_COOKIES ?? 'auto';
  if (!['auto', 'always', 'never'].includes(cookies)) throw new Error(`LDAPSYNC_SECURE_COOKIES must be auto, always or never, not '${cookies}'`);
  return Object.freeze({
    dataDir: resolve(env.LDAPSYNC_DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || null,
    secretKeyFile: env.LDAPSYNC_SECRET_KEY_FILE ? resolve(env.LDAPSYNC_SECRET_KEY_FILE) : null,
    host: env.HOST || '127.0.0.1',
    port: integer(env.PORT, 8080, 'PORT'),
    adminUser: env.LDAPSYNC_ADMIN_USER || null,
    adminPassword: env.LDAPSYNC_ADMIN_PASSWORD || null,
    logLevel: env.LOG_LEVEL || 'info',
    workerConcurrency: Math.max(1, integer(env.LDAPSYNC_WORKER_CONCURRENCY, 2, 'LDAPSYNC_WORKER_CONCURRENCY')),
    queueSchema: env.LDAPSYNC_QUEUE_SCHEMA || 'pgboss',
    syncNowWaitSeconds: integer(env.LDAPSYNC_SYNCNOW_WAIT_SECONDS, 5, 'LDAPSYNC_SYNCNOW_WAIT_SECONDS'),
    queueSuperviseSeconds: Math.max(1, integer(env.LDAPSYNC_QUEUE_SUPERVISE_SECONDS, 30, 'LDAPSYNC_QUEUE_SUPERVISE_SECONDS')),
    secureCookies: cookies as Config['secureCookies'],
    smtpUrl: smtpUrl(env.LDAPSYNC_SMTP_URL),
    smtpFrom: env.LDAPSYNC_SMTP_FROM || 'ldapsync <ldapsync@localhost>',
    smtpCaFile: env.LDAPSYNC_SMTP_CA_FILE ? resolve(env.LDAPSYNC_SMTP_CA_FILE) : null,
    trustProxy: trustProxy(env.LDAPSYNC_TRUST_PROXY),
  });
}
