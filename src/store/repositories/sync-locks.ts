import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface LockHolder { holder: string; acquiredAt: string; heartbeatAt: string }

/** Per-domain run locks: taken atomically, kept alive by a heartbeat, taken over when stale. */
export class SyncLockRepository {
  private readonly db: Kysely<Database>;
  constructor(db: Kysely<Database>) { this.db = db; }

  /** Takes the lock if it is free, stale (no heartbeat since `staleBefore`) or `takeOver` names its holder. */
  async acquire(domainId: number, holder: string, staleBefore: string, takeOver: string | null = null): Promise<boolean> {
    const now = new Date().toISOString();
    const row = await this.db.insertInto('sync_locks').values({ domain_id: domainId, holder, acquired_at: now, heartbeat_at: now })
      .onConflict((oc) => oc.column('domain_id').doUpdateSet({ holder, acquired_at: now, heartbeat_at: now })
        .where((eb) => eb.or([eb('sync_locks.heartbeat_at', '<', staleBefore), eb('sync_locks.holder', '=', takeOver ?? '')])))
      .returning('holder').executeTakeFirst();
    return row?.holder === holder;
  }

  async holder(domainId: number): Promise<LockHolder | undefined> {
    const r = await this.db.selectFrom('sync_locks').selectAll().where('domain_id', '=', domainId).executeTakeFirst();
    return r && { holder: r.holder, acquiredAt: r.acquired_at, heartbeatAt: r.heartbeat_at };
  }

  /** Every lock held now (one row per domain being synced). */
  async all(): Promise<Array<LockHolder & { domainId: number }>> {
    const rows = await this.db.selectFrom('sync_locks').selectAll().execute();
    return rows.map((r) => ({ domainId: r.domain_id, holder: r.holder, acquiredAt: r.acquired_at, heartbeatAt: r.heartbeat_at }));
  }

  async heartbeat(domainId: number, holder: string): Promise<void> {
    await this.db.updateTable('sync_locks').set({ heartbeat_at: new Date().toISOString() }).where('domain_id', '=', domainId).where('holder', '=', holder).execute();
  }

  claimScheduleFire(orgId: number, minGapMs: number, now = new Date()): Promise<boolean> {
    return claimScheduleFire(this.db, orgId, minGapMs, now);
  }

  async release(domainId: number, holder: string): Promise<void> {
    await this.db.deleteFrom('sync_locks').where('domain_id', '=', domainId).where('holder', '=', holder).execute();
  }
}

/**
 * Claims a schedule's firing for a source: true for the first claim, false for a repeat within
 * `minGapMs` (a job queue may hand out one occurrence more than once).
 */
export async function claimScheduleFire(db: Kysely<Database>, orgId: number, minGapMs: number, now: Date): Promise<boolean> {
  const cutoff = new Date(now.getTime() - minGapMs).toISOString();
  const row = await db.insertInto('schedule_fires').values({ org_id: orgId, fired_at: now.toISOString() })
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ fired_at: now.toISOString() }).where('schedule_fires.fired_at', '<', cutoff))
    .returning('org_id').executeTakeFirst();
  return row !== undefined;
}
