/**
 * Deactivating users gone from the directory, fail-safe: a run that would deactivate more than
 * the source's threshold holds them until an admin approves; deletion only after a grace period.
 */
import type { Store } from '../store/store.ts';
import { OutcomeCode, type Outcome, type SyncCounts } from '../domain/outcome.ts';

export const GONE_REASON = 'gone from the directory';
const BATCH = 1000;

export interface GoneUser { id: number; username: string }

/** More than `count` users, or more than `percent` of the domain's active linked users. */
export function crossesThreshold(gone: number, activeLinked: number, threshold: { percent: number; count: number }): boolean {
  if (gone === 0) return false;
  return gone > threshold.count || gone * 100 > threshold.percent * activeLinked;
}

export const goneOutcome = (u: GoneUser): Outcome => ({ ID: u.id, username: u.username, code: OutcomeCode.gone, message: 'Gone from the directory; user deactivated' });

/** Deactivates one batch of gone users, with their outcomes, in one transaction. */
export async function deactivateBatch(store: Store, runId: number, firstSeq: number, users: GoneUser[]): Promise<number> {
  if (users.length === 0) return firstSeq;
  await store.transaction(async (tx) => {
    await tx.users.setStatus(users.map((u) => u.id), 'deactivated', 'sync', GONE_REASON);
    await tx.runs.addOutcomes(runId, firstSeq, users.map(goneOutcome));
  });
  return firstSeq + users.length;
}

/** Applies a held run's deactivations to users still linked and active in its domain. */
export async function approveRun(store: Store, runId: number, actor: string): Promise<{ deactivated: number }> {
  const run = await store.runs.get(runId);
  if (!run || run.status !== 'awaiting-approval') throw new Error(`run ${runId} is not waiting for approval`);
  const held = await store.runs.heldDeactivations(runId);
  let seq = await store.runs.nextSeq(runId);
  let deactivated = 0;
  for (let i = 0; i < held.length; i += BATCH) {
    const batch = held.slice(i, i + BATCH);
    const reasons = new Map(batch.map((u) => [u.id, u.reason]));
    // Those still linked and active in the run's domain: the others changed hands or state since.
    const still = (await store.users.linkedActiveAmong(run.domainId, batch.map((u) => u.id))).map((u) => ({ id: u.id, username: u.username }));
    const gone = still.filter((u) => !reasons.get(u.id));
    seq = await deactivateBatch(store, runId, seq, gone);
    // Accounts that became disabled keep their own reason: they are not gone, and never deleted as gone.
    for (const [reason, users] of Map.groupBy(still.filter((u) => reasons.get(u.id)), (u) => reasons.get(u.id)!)) {
      await store.transaction(async (tx) => {
        await tx.users.setStatus(users.map((u) => u.id), 'deactivated', 'sync', reason);
        await tx.runs.addOutcomes(runId, seq, users.map((u) => ({ ID: u.id, username: u.username, code: OutcomeCode.synced, message: `Synchronization successful (deactivated: ${reason})` })));
      });
      seq += users.length;
    }
    deactivated += still.length;
  }
  const counts: SyncCounts = { ...run.counts, deactivated: run.counts.deactivated + deactivated };
  await store.runs.releaseHeld(runId);
  await store.runs.finish(runId, { status: 'completed', counts, entriesSeen: run.entriesSeen, errorCode: null, message: `${run.message}; approved by ${actor}: ${deactivated} deactivated` });
  await store.audit.record({ actor, action: 'run.approve', targetType: 'run', targetId: String(runId), before: { held: held.length }, after: { deactivated } });
  return { deactivated };
}

export async function rejectRun(store: Store, runId: number, actor: string): Promise<{ discarded: number }> {
  const run = await store.runs.get(runId);
  if (!run || run.status !== 'awaiting-approval') throw new Error(`run ${runId} is not waiting for approval`);
  const discarded = await store.runs.countHeld(runId);
  await store.runs.releaseHeld(runId);
  await store.runs.finish(runId, { status: 'rejected', counts: run.counts, entriesSeen: run.entriesSeen, errorCode: null, message: `${run.message}; rejected by ${actor}: ${discarded} deactivations discarded` });
  await store.audit.record({ actor, action: 'run.reject', targetType: 'run', targetId: String(runId), before: { held: discarded }, after: null });
  return { discarded };
}

/** Deletes users the sync deactivated as gone more than `days` ago; returns the next sequence number. */
export async function deleteAfterGrace(store: Store, runId: number, firstSeq: number, domainId: number, days: number): Promise<{ seq: number; deleted: number }> {
  const before = new Date(Date.now() - days * 86_400_000).toISOString();
  const due = await store.users.goneSince(domainId, GONE_REASON, before);
  let seq = firstSeq;
  for (let i = 0; i < due.length; i += BATCH) {
    const batch = due.slice(i, i + BATCH);
    await store.transaction(async (tx) => {
      await tx.users.deleteMany(batch.map((u) => u.id));
      await tx.runs.addOutcomes(runId, seq, batch.map((u) => ({ ID: u.id, username: u.username, code: OutcomeCode.gone, message: `Deleted: gone from the directory for more than ${days} days` })));
    });
    seq += batch.length;
  }
  return { seq, deleted: due.length };
}
