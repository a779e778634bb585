/**
 * The real host's figures for grommunio's dashboard: load, CPU time shares since the last call,
 * memory and swap from /proc/meminfo (Linux; zeros elsewhere), and the disk holding the data folder.
 */
import { cpus, freemem, loadavg, totalmem, uptime } from 'node:os';
import { readFileSync, statfsSync } from 'node:fs';

type CpuTimes = { user: number; nice: number; sys: number; idle: number; irq: number };

let previous: CpuTimes | null = null;

function cpuTotals(): CpuTimes {
  const sum: CpuTimes = { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 };
  for (const c of cpus()) for (const k of Object.keys(sum) as Array<keyof CpuTimes>) sum[k] += c.times[k];
  return sum;
}

/** Shares of CPU time since the previous call (since boot on the first), in percent. */
function cpuPercent(): Record<'user' | 'system' | 'io' | 'interrupt' | 'steal' | 'idle', number> {
  const now = cpuTotals();
  const base = previous ?? { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 };
  previous = now;
  const d = { user: now.user + now.nice - base.user - base.nice, sys: now.sys - base.sys, idle: now.idle - base.idle, irq: now.irq - base.irq };
  const total = d.user + d.sys + d.idle + d.irq || 1;
  const pct = (v: number) => Math.round((v / total) * 1000) / 10;
  // Node does not split out IO wait or steal time.
  return { user: pct(d.user), system: pct(d.sys), io: 0, interrupt: pct(d.irq), steal: 0, idle: pct(d.idle) };
}

function meminfo(): Record<string, number> {
  try {
    const out: Record<string, number> = {};
    for (const line of readFileSync('/proc/meminfo', 'utf8').split('\n')) {
      const m = /^(\w+):\s+(\d+) kB/.exec(line);
      if (m) out[m[1]!] = Number(m[2]) * 1024;
    }
    return out;
  } catch {
    return {};
  }
}

const percent = (part: number, whole: number) => (whole ? Math.round((part / whole) * 1000) / 10 : 0);

export function hostStats(dataDir: string): Record<string, unknown> {
  const info = meminfo();
  const total = totalmem();
  const free = info.MemFree ?? freemem();
  const buffer = info.Buffers ?? 0;
  const cache = (info.Cached ?? 0) + (info.SReclaimable ?? 0);
  const available = info.MemAvailable ?? free;
  const used = Math.max(0, total - free - buffer - cache);
  const swapTotal = info.SwapTotal ?? 0;
  const swapFree = info.SwapFree ?? 0;
  const disks = [];
  try {
    const s = statfsSync(dataDir);
    const diskTotal = s.blocks * s.bsize;
    const diskFree = s.bavail * s.bsize;
    disks.push({ device: dataDir, mountpoint: dataDir, filesystem: '', total: diskTotal, free: diskFree, used: diskTotal - diskFree, percent: percent(diskTotal - diskFree, diskTotal) });
  } catch { /* no data folder on a PostgreSQL-only host: no disk to show */ }
  return {
    load: loadavg().map((l) => Math.round(l * 100) / 100),
    cpuPercent: cpuPercent(),
    memory: { percent: percent(total - available, total), total, free, used, buffer, cache, available },
    swap: { percent: percent(swapTotal - swapFree, swapTotal), total: swapTotal, free: swapFree, used: swapTotal - swapFree },
    disks,
    booted: new Date(Date.now() - uptime() * 1000).toISOString().slice(0, 19).replace('T', ' '),
  };
}
