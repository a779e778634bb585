import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Where a domain's last successful run left the directory's change stream. */
export interface SyncState { domainId: number; mechanism: string; cookie: string; lastFullAt: string; updatedAt: string }

export class SyncStateRepository {
  private readonly db: Kysely<Database>;
  constructor(db: Kysely<Database>) { this.db = db; }

  async get(domainId: number): Promise<SyncState | undefined> {
    const r = await this.db.selectFrom('sync_state').selectAll().where('domain_id', '=', domainId).executeTakeFirst();
    return r && { domainId: r.domain_id, mechanism: r.mechanism, cookie: r.cookie, lastFullAt: r.last_full_at, updatedAt: r.updated_at };
  }

  async set(s: Omit<SyncState, 'updatedAt'>): Promise<void> {
    const values = { domain_id: s.domainId, mechanism: s.mechanism, cookie: s.cookie, last_full_at: s.lastFullAt, updated_at: new Date().toISOString() };
    await this.db.insertInto('sync_state').values(values)
      .onConflict((oc) => oc.column('domain_id').doUpdateSet({ mechanism: values.mechanism, cookie: values.cookie, last_full_at: values.last_full_at, updated_at: values.updated_at }))
      .execute();
  }

  async clear(domainId: number): Promise<void> {
    await this.db.deleteFrom('sync_state').where('domain_id', '=', domainId).execute();
  }
}
