/**
 * The deactivation phase of a run: users gone from the directory (a stream of candidates) and
 * entries that became disabled, counted together against the source's threshold, then applied or
 * held for an admin. Held disabled accounts keep their reason; their other changes are written.
 */
import type { Store } from '../store/store.ts';
import type { SyncCounts } from '../domain/outcome.ts';
import type { PlanItem } from './planner.ts';
import { applyPage } from './applier.ts';
import { crossesThreshold, deactivateBatch, type GoneUser } from './deactivation.ts';

export interface SettleTarget {
  store: Store;
  runId: number;
  domainId: number;
  lang: string;
  threshold: { percent: number; count: number };
  signal?: AbortSignal;
  counts: SyncCounts;
  onProgress: () => void;
}

export interface Settled { seq: number; held: number; cancelled: boolean }

/** `disabling`: update items whose status change deactivates; they are counted already. */
export async function settleDeactivations(t: SettleTarget, firstSeq: number, gone: (() => AsyncIterable<GoneUser[]>) | null, disabling: PlanItem[]): Promise<Settled> {
  let seq = firstSeq;
  let total = 0;
  if (gone) for await (const chunk of gone()) total += chunk.length;
  if (total + disabling.length === 0) return { seq, held: 0, cancelled: false };
  const page = () => ({ runId: t.runId, firstSeq: seq, domainId: t.domainId, lang: t.lang });
  const activeLinked = await t.store.users.countLinkedActive(t.domainId);
  if (crossesThreshold(total + disabling.length, activeLinked, t.threshold)) {
    // Their other changes are written; the status change waits with the absences.
    const otherChanges = disabling.flatMap((i) => {
      if (i.kind !== 'update') return [];
      const changes = i.changes.filter((c) => c.field !== 'status');
      return changes.length ? [{ ...i, status: null, changes }] : [];
    });
    seq = await applyPage(t.store, page(), otherChanges);
    t.counts.deactivated -= disabling.length;
    await t.store.runs.holdDeactivations(t.runId, disabling.flatMap((i) => (i.kind === 'update' ? [{ id: i.userId, username: i.username, reason: i.status?.reason ?? 'disabled in the directory' }] : [])));
    if (gone) for await (const chunk of gone()) await t.store.runs.holdDeactivations(t.runId, chunk);
    return { seq, held: total + disabling.length, cancelled: false };
  }
  seq = await applyPage(t.store, page(), disabling);
  if (gone) for await (const chunk of gone()) {
    if (t.signal?.aborted) return { seq, held: 0, cancelled: true };
    seq = await deactivateBatch(t.store, t.runId, seq, chunk);
    t.counts.deactivated += chunk.length;
    t.onProgress();
  }
  return { seq, held: 0, cancelled: false };
}
