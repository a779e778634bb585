/**
 * A figure of one bench run from several repetitions of its measurement. On a shared virtual
 * machine the same sync took 1.99 s in one run and 3.28 s in the next, and the floor moved as
 * much: one sample per figure said more of the minute it ran in than of the code. Each
 * repetition times the floor, then every step, so each ratio is to the floor of its own minute;
 * a figure is the median of its repetitions, and every repetition stays in the JSON beside it.
 */
import type { ApiFigures } from './api.ts';
import type { StepCpu } from './cpu-account.ts';

export interface Row {
  size: number; store: string; step: string; seconds: number; ratio: number; peakRssMb: number | null;
  entriesRead?: number; mechanism?: string | null; cpu?: StepCpu; floorOfCoresRatio?: number;
  /** Each repetition's ratio to its own floor (its seconds for the floor itself), in the order run. */
  repetitions?: number[];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The repetition whose figure is the median (the lower middle one of an even count). */
function medianIndex(values: number[]): number {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  return order[Math.floor((order.length - 1) / 2)]![1];
}

/**
 * One row per step from its repetitions: the median ratio, and the seconds, CPU and bound of the
 * repetition that gave it; the highest peak RSS of them all (a peak is a bound, not a typical value).
 */
export function combineRows(repetitions: Row[][]): Row[] {
  const first = repetitions[0] ?? [];
  return first.map((row, k) => {
    const same = repetitions.map((rows) => rows[k]!);
    const ratios = same.map((r) => (r.store === '-' ? r.seconds : r.ratio));
    const typical = same[medianIndex(ratios)]!;
    const peaks = same.map((r) => r.peakRssMb).filter((p): p is number => p !== null);
    return { ...typical, peakRssMb: peaks.length ? Math.max(...peaks) : null, repetitions: ratios.map((r) => Math.round(r * 1000) / 1000) };
  });
}

/** The API's figures: the median p99s and answer time of the repetitions, each repetition kept. */
export function combineApi(runs: ApiFigures[]): (ApiFigures & { repetitions: ApiFigures[] }) | null {
  if (runs.length === 0) return null;
  const typical = runs[medianIndex(runs.map((r) => r.statusP99Ms))]!;
  return {
    ...typical,
    statusP99Ms: median(runs.map((r) => r.statusP99Ms)),
    statusP99IdleMs: median(runs.map((r) => r.statusP99IdleMs)),
    statusP99TimeoutWindowMs: median(runs.map((r) => r.statusP99TimeoutWindowMs)),
    downsyncOverTimeoutMaxMs: median(runs.map((r) => r.downsyncOverTimeoutMaxMs)),
    statusErrors: runs.reduce((sum, r) => sum + r.statusErrors, 0),
    repetitions: runs,
  };
}
