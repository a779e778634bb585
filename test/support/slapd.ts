/**
 * A real OpenLDAP slapd for tests: its own folder, a free loopback port, ldap + ldaps + StartTLS
 * with a CA made at start, mdb with ppolicy and memberof, and change tracking as deployed:
 * `accesslog` (syncprov plus an accesslog database, the default), `syncprov` (the stock
 * replication set-up: syncprov with a session log, no accesslog) or `none`. Stopped by its PID.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestCa, type TestTls } from './tls.ts';
import { toLdif, type LdifEntry } from './ldif.ts';

export const BASE_DN = 'dc=example,dc=org';
export const ADMIN_DN = `cn=admin,${BASE_DN}`;
export const ADMIN_PW = 'secret';
export const SYNC_DN = `cn=sync,ou=services,${BASE_DN}`;
export const SYNC_PW = 'syncsecret';

const SCHEMA = `
attributetype ( 1.3.6.1.4.1.99999.1.1 NAME 'mailAlternativeAddress'
  EQUALITY caseIgnoreIA5Match SUBSTR caseIgnoreIA5SubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.26{256} )
attributetype ( 1.3.6.1.4.1.99999.1.2 NAME 'hostileBytes'
  EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )
objectclass ( 1.3.6.1.4.1.99999.2.1 NAME 'mailExtension' SUP top AUXILIARY
  MAY ( mailAlternativeAddress $ hostileBytes ) )
`;

/** Extra databases, one per suffix (tenants of their own), readable by the sync account. */
function extraSuffixes(dir: string, suffixes: string[]): string {
  return suffixes.map((suffix, i) => `
database mdb
suffix "${suffix}"
rootdn "cn=admin,${suffix}"
rootpw ${ADMIN_PW}
directory ${dir}/db-extra-${i}
maxsize 16777216
index objectClass,entryUUID eq
limits dn.exact="${SYNC_DN}" size=unlimited size.pr=unlimited size.prtotal=unlimited time=unlimited
access to * by dn.exact="${SYNC_DN}" read by * none
`).join('');
}

/** `syncprov-nolog`: syncprov without a session log, so a refresh answers with a present phase. */
export type ChangeTracking = 'accesslog' | 'syncprov' | 'syncprov-nolog' | 'none';

const ACCESSLOG_DB = (dir: string) => `
database mdb
suffix "cn=accesslog"
rootdn "cn=accesslog"
directory ${dir}/accesslog
maxsize 1073741824
index default eq
index entryCSN,objectClass,reqEnd,reqResult,reqStart,reqDN
limits dn.exact="${ADMIN_DN}" size=unlimited time=unlimited
limits dn.exact="${SYNC_DN}" size=unlimited size.pr=unlimited size.prtotal=unlimited time=unlimited
access to * by dn.exact="${ADMIN_DN}" read by dn.exact="${SYNC_DN}" read by * none
overlay syncprov
syncprov-nopresent TRUE
syncprov-reloadhint TRUE
`;

const SYNCPROV = `overlay syncprov
syncprov-checkpoint 100 10
syncprov-sessionlog 10000
`;

const ACCESSLOG_OVERLAY = `overlay accesslog
logdb "cn=accesslog"
logops writes
logsuccess TRUE
`;

function config(dir: string, tls: TestTls | null, suffixes: string[] = [], tracking: ChangeTracking = 'accesslog'): string {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include ${dir}/test.schema
pidfile ${dir}/run/slapd.pid
argsfile ${dir}/run/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload syncprov
moduleload accesslog
moduleload ppolicy
moduleload memberof
loglevel ${process.env.SLAPD_LOGLEVEL ?? 'none'}
sizelimit 500
timelimit 3600
${tls ? `TLSCACertificateFile ${tls.caFile}
TLSCertificateFile ${tls.certFile}
TLSCertificateKeyFile ${tls.keyFile}` : '# plain: no TLS at all, neither StartTLS nor ldaps://'}
${tracking === 'accesslog' ? ACCESSLOG_DB(dir) : ''}
database mdb
suffix "${BASE_DN}"
rootdn "${ADMIN_DN}"
rootpw ${ADMIN_PW}
directory ${dir}/db
maxsize 4294967296
index objectClass eq
index uid,cn,mail eq,sub
index entryUUID,entryCSN eq
index member eq
limits dn.exact="${ADMIN_DN}" size=unlimited time=unlimited
limits dn.exact="${SYNC_DN}" size=unlimited size.pr=unlimited size.prtotal=unlimited time=unlimited
access to attrs=userPassword by self write by anonymous auth by * none
access to * by dn.exact="${SYNC_DN}" read by users read by * none
${tracking === 'none' ? '' : tracking === 'syncprov-nolog' ? 'overlay syncprov\n' : SYNCPROV}${tracking === 'accesslog' ? ACCESSLOG_OVERLAY : ''}overlay ppolicy
ppolicy_use_lockout
overlay memberof
memberof-group-oc groupOfNames
memberof-member-ad member
${extraSuffixes(dir, suffixes)}`;
}

const BASE_ENTRIES: LdifEntry[] = [
  { dn: BASE_DN, objectClass: ['top', 'dcObject', 'organization'], dc: 'example', o: 'Example' },
  { dn: `ou=people,${BASE_DN}`, objectClass: 'organizationalUnit', ou: 'people' },
  { dn: `ou=services,${BASE_DN}`, objectClass: 'organizationalUnit', ou: 'services' },
  { dn: SYNC_DN, objectClass: ['applicationProcess', 'simpleSecurityObject'], cn: 'sync', userPassword: SYNC_PW },
];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Slapd {
  dir: string;
  port: number;
  tlsPort: number;
  url: string;
  ldapsUrl: string;
  caFile: string;
  /** Runs an LDIF of changes (ldapmodify -c off: stops at the first error). */
  modify(ldif: string): void;
  add(entries: LdifEntry[]): void;
  /** ldapmodrdn: rename and optionally move under a new parent. */
  rename(dn: string, newRdn: string, newParent?: string): void;
  remove(dn: string): void;
  search(base: string, filter: string, attributes?: string[]): string;
  stop(): Promise<void>;
  /** SIGKILL, for fault tests. */
  kill(): void;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => { for (const child of running) child.kill('SIGKILL'); });

/** `plain`: a server without TLS (no StartTLS, no ldaps:// listener), as some old installations are. */
export async function startSlapd(options: { entries?: LdifEntry[]; bulkLdif?: string; bulkFile?: string; suffixes?: Array<{ suffix: string; ldif: string }>; tracking?: ChangeTracking; plain?: boolean } = {}): Promise<Slapd> {
  const dir = mkdtempSync(join(tmpdir(), 'ldapsync-slapd-'));
  for (const sub of ['db', 'accesslog', 'run']) mkdirSync(join(dir, sub));
  const tls = makeTestCa(join(dir, 'tls'));
  writeFileSync(join(dir, 'test.schema'), SCHEMA);
  const conf = join(dir, 'slapd.conf');
  const suffixes = options.suffixes ?? [];
  suffixes.forEach((_, i) => mkdirSync(join(dir, `db-extra-${i}`)));
  writeFileSync(conf, config(dir, options.plain ? null : tls, suffixes.map((x) => x.suffix), options.tracking));
  const ldif = join(dir, 'load.ldif');
  writeFileSync(ldif, toLdif([...BASE_ENTRIES, ...(options.entries ?? [])]) + (options.bulkLdif ?? ''));
  execFileSync('slapadd', ['-q', '-w', '-f', conf, '-b', BASE_DN, '-l', ldif], { stdio: 'pipe' });
  if (options.bulkFile) execFileSync('slapadd', ['-q', '-w', '-f', conf, '-b', BASE_DN, '-l', options.bulkFile], { stdio: 'pipe' });
  for (const [i, { suffix, ldif: text }] of suffixes.entries()) {
    const file = join(dir, `extra-${i}.ldif`);
    writeFileSync(file, text);
    execFileSync('slapadd', ['-q', '-w', '-f', conf, '-b', suffix, '-l', file], { stdio: 'pipe' });
  }
  // Ports are chosen free, but another process can take one before slapd binds it: start()
  // then fails and is tried again on fresh ports.
  let port = await freePort();
  let tlsPort = await freePort();
  let url = `ldap://127.0.0.1:${port}`;
  let ldapsUrl = `ldaps://127.0.0.1:${tlsPort}`;
  let child: ChildProcess | null = null;
  const env = { ...process.env, LDAPTLS_CACERT: tls.caFile };
  const tool = (cmd: string, args: string[], input?: string) =>
    execFileSync(cmd, ['-x', '-H', url, '-D', ADMIN_DN, '-w', ADMIN_PW, ...args], { input, env, stdio: ['pipe', 'pipe', 'pipe'] }).toString();

  async function start(): Promise<void> {
    child = spawn('slapd', ['-d', process.env.SLAPD_LOGLEVEL ?? '0', '-f', conf, '-h', options.plain ? `${url}/` : `${url}/ ${ldapsUrl}/`], { stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); if (process.env.SLAPD_LOGLEVEL) appendFileSync(join(dir, '..', 'slapd-debug.log'), d); });
    for (let i = 0; i < 200; i++) {
      try {
        execFileSync('ldapsearch', ['-x', '-H', url, '-s', 'base', '-b', '', 'namingContexts'], { stdio: 'pipe' });
        return;
      } catch {
        if (child.exitCode !== null) throw new Error(`slapd exited: ${stderr}`);
        await sleep(25);
      }
    }
    throw new Error(`slapd did not answer on ${url}: ${stderr}`);
  }

  async function stop(): Promise<void> {
    const pidText = (() => { try { return readFileSync(join(dir, 'run', 'slapd.pid'), 'utf8').trim(); } catch { return ''; } })();
    const pid = Number(pidText) || child?.pid;
    if (!pid || child?.exitCode !== null) { if (child) running.delete(child); return; }
    const exited = new Promise<void>((r) => child!.once('exit', () => r()));
    process.kill(pid, 'SIGTERM');
    await exited;
    running.delete(child!);
  }

  for (let attempt = 1; ; attempt++) {
    try { await start(); break; } catch (e) {
      if (attempt >= 3) throw e;
      port = await freePort();
      tlsPort = await freePort();
      url = `ldap://127.0.0.1:${port}`;
      ldapsUrl = `ldaps://127.0.0.1:${tlsPort}`;
    }
  }
  return {
    dir, port, tlsPort, url, ldapsUrl, caFile: tls.caFile,
    modify: (text) => { tool('ldapmodify', [], text); },
    add: (entries) => { tool('ldapadd', [], toLdif(entries)); },
    rename: (dn, newRdn, newParent) => { tool('ldapmodrdn', ['-r', ...(newParent ? ['-s', newParent] : []), dn, newRdn]); },
    remove: (dn) => { tool('ldapdelete', [dn]); },
    search: (base, filter, attributes = []) => tool('ldapsearch', ['-LLL', '-b', base, filter, ...attributes]),
    stop,
    kill: () => { if (child?.pid) process.kill(child.pid, 'SIGKILL'); },
    start,
    destroy: async () => { await stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}
