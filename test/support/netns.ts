/**
 * A network namespace of its own for a test server whose ports are fixed (Samba's 389/636), so
 * the suite never takes those ports on the machine it runs on. The namespace is joined to this
 * one by a veth pair with two link-local addresses made up for it; nothing else can reach them.
 */
import { execFileSync } from 'node:child_process';

export interface Netns {
  name: string;
  /** The address inside the namespace, where the server listens. */
  address: string;
  /** The command line prefix that runs a program inside it. */
  exec: string[];
  remove(): void;
}

const ip = (args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

/** Why a namespace cannot be made here, or null when it can. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'a network namespace needs root';
  const probe = `ldapsync-probe-${process.pid}`;
  try { ip(['netns', 'add', probe]); ip(['netns', 'del', probe]); return null; } catch (e) {
    return `ip netns does not work here (${(e as Error).message.split('\n')[0]})`;
  }
}

export function createNetns(): Netns {
  const name = `ldapsync-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
  // 169.254.x.y/30 with x and y drawn so that parallel runs rarely pick the same pair; a
  // clash fails loudly at `ip addr add`, it never reaches another run's server.
  const x = 1 + Math.floor(Math.random() * 253);
  const base = 4 * Math.floor(Math.random() * 63);
  const hostSide = `169.254.${x}.${base + 1}`;
  const address = `169.254.${x}.${base + 2}`;
  const tag = (process.pid % 100000).toString(36) + Math.floor(Math.random() * 1296).toString(36);
  const hostIf = `lsh${tag}`.slice(0, 15);
  const nsIf = `lsn${tag}`.slice(0, 15);
  ip(['netns', 'add', name]);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    try { ip(['link', 'del', hostIf]); } catch { /* gone with the namespace */ }
    try { ip(['netns', 'del', name]); } catch { /* already gone */ }
  };
  process.on('exit', remove);
  try {
    ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf, 'netns', name]);
    ip(['addr', 'add', `${hostSide}/30`, 'dev', hostIf]);
    ip(['link', 'set', hostIf, 'up']);
    ip(['-n', name, 'addr', 'add', `${address}/30`, 'dev', nsIf]);
    ip(['-n', name, 'link', 'set', nsIf, 'up']);
    ip(['-n', name, 'link', 'set', 'lo', 'up']);
  } catch (e) { remove(); throw e; }
  return { name, address, exec: ['ip', 'netns', 'exec', name], remove };
}
