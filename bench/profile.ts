/**
 * Sums a V8 CPU profile (`node --cpu-prof`) into its top functions by self time, so a bench
 * result says where the time went, not only how much there was.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

export interface ProfileLine { function: string; where: string; selfMs: number; percent: number }

const shortUrl = (url: string): string => url.replace(/^file:\/\/.*?\/(src|bench|node_modules)\//, '$1/').replace(/^node:/, 'node:');

export function topFunctions(profile: CpuProfile, count = 15): ProfileLine[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { fn: string; where: string; us: number }>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    total += us;
    const frame = byNode.get(id)?.callFrame;
    if (!frame) return;
    const fn = frame.functionName || '(anonymous)';
    const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    const key = `${fn} ${where}`;
    const line = self.get(key) ?? { fn, where, us: 0 };
    line.us += us;
    self.set(key, line);
  });
  return [...self.values()].sort((a, b) => b.us - a.us).slice(0, count)
    .map((l) => ({ function: l.fn, where: l.where, selfMs: Math.round(l.us / 1000), percent: Number(((100 * l.us) / total).toFixed(1)) }));
}

/** Reads the one profile a child wrote into `dir`, summarises it and removes the directory. */
export function summariseProfileDir(dir: string, count = 15): ProfileLine[] {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  try {
    return file ? topFunctions(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, count) : [];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
