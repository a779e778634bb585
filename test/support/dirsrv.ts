/**
 * A real 389 Directory Server (Debian's 389-ds-base) for tests, with the Content Synchronization
 * and Retro Changelog plugins on, as FreeIPA runs it. dscreate only finds instances under its
 * prefix's etc/dirsrv, so each server is a "prefix install" in its own temporary folder (a
 * rewritten defaults.inf), run as root, listening on a free loopback port. Stopped by its PID.
 * Where that is impossible, `dirsrvUnavailable()` says why and the tests skip with that reason.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './slapd.ts';
import { toLdif, type LdifEntry } from './ldif.ts';

export const DS_BASE = 'dc=example,dc=org';
export const DS_ADMIN = 'cn=Directory Manager';
export const DS_ADMIN_PW = 'Passw0rd!Secret';

/** Why a 389 Directory Server cannot run here, or null when it can. */
export function dirsrvUnavailable(): string | null {
  if (process.getuid?.() !== 0) return '389 Directory Server is provisioned as root here (dscreate makes its folders root-owned)';
  for (const file of ['/usr/sbin/dscreate', '/usr/sbin/ns-slapd', '/usr/share/dirsrv/inf/defaults.inf', '/etc/dirsrv/schema'])
    if (!existsSync(file)) return `389-ds-base is not installed (${file} is missing; apt-get install 389-ds-base, as .ci/run does)`;
  return null;
}

export interface Dirsrv {
  url: string;
  modify(ldif: string): void;
  add(entries: LdifEntry[]): void;
  rename(dn: string, newRdn: string, newParent?: string): void;
  remove(dn: string): void;
  destroy(): Promise<void>;
}

/** Turns the two plugins on and binds to loopback, in dse.ldif while the server is stopped. */
function configure(dse: string, port: number): string {
  return dse.split('\n\n').map((block) => {
    if (block.startsWith('dn: cn=Content Synchronization,cn=plugins,cn=config')) return block.replace('nsslapd-pluginEnabled: off', 'nsslapd-pluginEnabled: on');
    // Deletions reach content sync through the retro changelog, which must keep the unique ID.
    if (block.startsWith('dn: cn=Retro Changelog Plugin,cn=plugins,cn=config'))
      return `${block.replace('nsslapd-pluginEnabled: off', 'nsslapd-pluginEnabled: on')}\nnsslapd-attribute: nsuniqueid:targetUniqueId\nnsslapd-include-suffix: ${DS_BASE}`;
    if (block.startsWith('dn: cn=config\n')) return block.replace(`nsslapd-port: ${port}`, `nsslapd-port: ${port}\nnsslapd-listenhost: 127.0.0.1`);
    return block;
  }).join('\n\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startDirsrv(entries: LdifEntry[]): Promise<Dirsrv> {
  const dir = mkdtempSync(join(tmpdir(), 'ldapsync-389ds-'));
  const prefix = join(dir, 'prefix');
  for (const sub of ['share/dirsrv/inf', 'etc/dirsrv', 'var', 'run', 'shm']) mkdirSync(join(prefix, sub), { recursive: true });
  const defaults = readFileSync('/usr/share/dirsrv/inf/defaults.inf', 'utf8')
    .replaceAll('= /etc', `= ${prefix}/etc`).replaceAll('= /var', `= ${prefix}/var`).replaceAll('= /run', `= ${prefix}/run`)
    .replaceAll('= /dev/shm', `= ${prefix}/shm`).replace(/^with_systemd = 1/m, 'with_systemd = 0');
  writeFileSync(join(prefix, 'share/dirsrv/inf/defaults.inf'), defaults);
  for (const sub of ['config', 'schema']) cpSync(`/etc/dirsrv/${sub}`, join(prefix, 'etc/dirsrv', sub), { recursive: true });
  const port = await freePort();
  const tlsPort = await freePort();
  writeFileSync(join(dir, 'instance.inf'), `[general]
config_version = 2
full_machine_name = localhost
selinux = False
systemd = False
start = False
strict_host_checking = False

[slapd]
instance_name = test
user = root
group = root
port = ${port}
secure_port = ${tlsPort}
self_sign_cert = False
root_dn = ${DS_ADMIN}
root_password = ${DS_ADMIN_PW}

[backend-userroot]
suffix = ${DS_BASE}
create_suffix_entry = True
sample_entries = no
`);
  const env = { ...process.env, PREFIX: prefix };
  execFileSync('dscreate', ['from-file', join(dir, 'instance.inf')], { env, cwd: dir, stdio: 'pipe', timeout: 180_000 });
  const config = join(prefix, 'etc/dirsrv/slapd-test');
  writeFileSync(join(config, 'dse.ldif'), configure(readFileSync(join(config, 'dse.ldif'), 'utf8'), port));
  const pidFile = join(prefix, 'run/dirsrv/slapd-test.pid');
  execFileSync('/usr/sbin/ns-slapd', ['-D', config, '-i', pidFile], { stdio: 'pipe' });
  const url = `ldap://127.0.0.1:${port}`;
  const tool = (cmd: string, args: string[], input?: string) =>
    execFileSync(cmd, ['-x', '-H', url, '-D', DS_ADMIN, '-w', DS_ADMIN_PW, ...args], { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
  for (let i = 0; ; i++) {
    try { execFileSync('ldapsearch', ['-x', '-H', url, '-s', 'base', '-b', '', 'vendorName'], { stdio: 'pipe' }); break; } catch {
      if (i > 400) throw new Error(`389 Directory Server did not answer on ${url} (see ${prefix}/var/log/dirsrv)`);
      await sleep(25);
    }
  }
  tool('ldapadd', [], toLdif(entries));
  return {
    url,
    modify: (text) => { tool('ldapmodify', [], text); },
    add: (list) => { tool('ldapadd', [], toLdif(list)); },
    rename: (dn, newRdn, newParent) => { tool('ldapmodrdn', ['-r', ...(newParent ? ['-s', newParent] : []), dn, newRdn]); },
    remove: (dn) => { tool('ldapdelete', [dn]); },
    async destroy() {
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
      if (pid) {
        try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
        for (let i = 0; i < 400; i++) {
          try { process.kill(pid, 0); } catch { break; }
          await sleep(25);
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
