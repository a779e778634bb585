/**
 * Schedules in the embedded mode: one timer per source with a schedule, re-armed after each fire
 * and whenever a source changes (no restart needed). What a fire does is the caller's; the one-run-
 * per-domain rule of the queue keeps a schedule faster than its runs from piling them up.
 */
import type { Store } from '../store/store.ts';
import { nextOccurrence } from './recurrence.ts';
import { activeSchedules } from './schedule.ts';

/** setTimeout's ceiling; a later occurrence is reached by re-arming. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export type OnSchedule = (orgId: number, occurrence: string) => Promise<void>;

export class EmbeddedScheduler {
  private readonly store: Store;
  private readonly onSchedule: OnSchedule;
  private readonly timers = new Map<number, { expression: string; at: Date; timer: NodeJS.Timeout }>();
  private stopped = true;
  private refreshing: Promise<void> = Promise.resolve();

  constructor(store: Store, onSchedule: OnSchedule) {
    this.store = store;
    this.onSchedule = onSchedule;
  }

  start(): Promise<void> {
    this.stopped = false;
    return this.refresh();
  }

  stop(): void {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Brings the timers in line with the saved sources; serialised so two saves cannot race. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(() => this.align()).catch(() => undefined);
    return this.refreshing;
  }

  private async align(): Promise<void> {
    if (this.stopped) return;
    const wanted = await activeSchedules(this.store);
    for (const [orgId, armed] of this.timers) {
      if (wanted.get(orgId) !== armed.expression) { clearTimeout(armed.timer); this.timers.delete(orgId); }
    }
    for (const [orgId, expression] of wanted) if (!this.timers.has(orgId)) this.arm(orgId, expression, new Date());
  }

  private arm(orgId: number, expression: string, from: Date): void {
    let at: Date | null;
    try { at = nextOccurrence(expression, from); } catch { at = null; }
    if (!at || this.stopped) return;
    const delay = Math.min(Math.max(0, at.getTime() - Date.now()), MAX_DELAY_MS);
    const timer = setTimeout(() => {
      if (Date.now() < at.getTime() - 5) { this.arm(orgId, expression, from); return; } // a long wait, re-armed
      this.onSchedule(orgId, at.toISOString()).catch(() => undefined).finally(() => {
        if (this.timers.get(orgId)?.timer === timer) this.arm(orgId, expression, at);
      });
    }, delay);
    timer.unref();
    this.timers.set(orgId, { expression, at, timer });
  }
}
