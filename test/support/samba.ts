/**
 * A real Samba Active Directory domain controller for tests, provisioned into a temporary folder.
 * Samba's LDAP ports are fixed at 389/636, so it runs in a network namespace of its own (root and
 * `ip netns`), never on the machine's own ports 389/636. `LDAPSYNC_TEST_SAMBA=host` runs it on
 * 127.0.0.1 instead (needs those ports free), `LDAPSYNC_TEST_SAMBA=off` skips it; where neither
 * can work, `sambaUnavailable()` says why and the tests skip with that reason.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestCa } from './tls.ts';
import { createNetns, netnsUnavailable, type Netns } from './netns.ts';

export const AD_BASE = 'DC=example,DC=test';
export const AD_USERS = `CN=Users,${AD_BASE}`;
export const AD_ADMIN = 'Administrator@EXAMPLE.TEST';
export const AD_ADMIN_PW = 'Passw0rd!Secret';
export const AD_USER_PW = 'Passw0rd!User';

const MODE = process.env.LDAPSYNC_TEST_SAMBA ?? 'netns';

const which = (cmd: string): boolean => { try { execFileSync('which', [cmd], { stdio: 'pipe' }); return true; } catch { return false; } };

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Why a Samba DC cannot run here, or null when it can. */
export async function sambaUnavailable(): Promise<string | null> {
  if (MODE === 'off') return 'LDAPSYNC_TEST_SAMBA=off';
  if (process.getuid?.() !== 0) return 'Samba AD DC needs root (its LDAP ports 389/636 are fixed; it runs in a network namespace of its own)';
  if (!which('samba') || !which('samba-tool')) return 'samba-ad-dc is not installed (apt-get install samba-ad-dc; .ci/run does)';
  if (MODE === 'host') {
    if (!(await portFree(389)) || !(await portFree(636))) return 'port 389 or 636 is taken: only one DC can run per network namespace';
    return null;
  }
  const why = netnsUnavailable();
  return why ? `${why}; LDAPSYNC_TEST_SAMBA=host runs the DC on 127.0.0.1:389/636 instead` : null;
}

export interface SambaDc {
  dir: string;
  caFile: string;
  url: string;
  ldapsUrl: string;
  /** ldapadd/ldapmodify/ldapdelete over LDAPS as Administrator. */
  modify(ldif: string): void;
  add(ldif: string): void;
  remove(dn: string): void;
  destroy(): Promise<void>;
}

/** unicodePwd's value: the quoted password in UTF-16LE, base64. */
export const unicodePwd = (password: string): string => Buffer.from(`"${password}"`, 'utf16le').toString('base64');

let child: ChildProcess | null = null;
process.on('exit', () => child?.kill('SIGKILL'));

export async function startSamba(): Promise<SambaDc> {
  const lab = mkdtempSync(join(tmpdir(), 'ldapsync-samba-'));
  const ns: Netns | null = MODE === 'host' ? null : createNetns();
  const host = ns?.address ?? '127.0.0.1';
  const dir = join(lab, 'dc');
  mkdirSync(join(dir, 'run'), { recursive: true });
  mkdirSync(join(dir, 'log'), { recursive: true });
  const tls = makeTestCa(join(dir, 'tls'), 'dc1.example.test', ns ? [host] : []);
  writeFileSync(join(lab, 'empty.conf'), '');
  const option = (o: string) => `--option=${o}`;
  execFileSync('samba-tool', [
    'domain', 'provision', `--configfile=${join(lab, 'empty.conf')}`, `--targetdir=${dir}`, '--realm=EXAMPLE.TEST', '--domain=EXAMPLE',
    '--server-role=dc', '--dns-backend=NONE', `--adminpass=${AD_ADMIN_PW}`, '--host-name=dc1',
    option(`interfaces = ${ns ? `${host}/30` : 'lo'}`), option('bind interfaces only = yes'), option(`pid directory = ${dir}/run`), option(`log file = ${dir}/log/samba.log`),
    option(`winbindd socket directory = ${dir}/run/winbindd`), option(`ntp signd socket directory = ${dir}/run/ntp_signd`),
    option(`tls certfile = ${tls.certFile}`), option(`tls keyfile = ${tls.keyFile}`), option(`tls cafile = ${tls.caFile}`), option('server services = ldap'),
  ], { stdio: 'pipe' });
  const conf = join(dir, 'etc', 'smb.conf');
  // Provision drops this option when given on its command line; plain LDAP binds need it.
  writeFileSync(conf, readFileSync(conf, 'utf8').replace('[global]', '[global]\n\tldap server require strong auth = no'));
  // `ip netns exec` becomes samba (it execs), so the child is the DC itself.
  child = spawn(ns ? ns.exec[0]! : 'samba', [...(ns ? [...ns.exec.slice(1), 'samba'] : []), '-s', conf, '-i', '-M', 'single', '--maximum-runtime=3600'], { stdio: 'ignore' });
  const url = `ldap://${host}`;
  for (let i = 0; ; i++) {
    try { execFileSync('ldapsearch', ['-x', '-H', url, '-s', 'base', '-b', '', 'dnsHostName'], { stdio: 'pipe' }); break; } catch {
      if (i > 300 || child.exitCode !== null) throw new Error(`samba did not start (see ${dir}/log)`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const env = { ...process.env, LDAPTLS_CACERT: tls.caFile };
  const tool = (cmd: string, args: string[], input?: string) =>
    execFileSync(cmd, ['-x', '-H', `ldaps://${host}`, '-D', AD_ADMIN, '-w', AD_ADMIN_PW, ...args], { input, env, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 26 }).toString();
  return {
    dir, caFile: tls.caFile, url, ldapsUrl: `ldaps://${host}`,
    modify: (ldif) => { tool('ldapmodify', [], ldif); },
    add: (ldif) => { tool('ldapadd', [], ldif); },
    remove: (dn) => { tool('ldapdelete', [dn]); },
    async destroy() {
      const pidFile = join(dir, 'run', 'samba.pid');
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : child?.pid;
      if (pid && child && child.exitCode === null) {
        const exited = new Promise<void>((r) => child!.once('exit', () => r()));
        process.kill(pid, 'SIGTERM');
        await exited;
      }
      child = null;
      ns?.remove();
      rmSync(lab, { recursive: true, force: true });
    },
  };
}
