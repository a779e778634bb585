import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Raw source configs as saved (grommunio's ldapConfig shape plus extensions); org 0 is the default. */
export class SourceRepository {
  private readonly db: Kysely<Database>;
  constructor(db: Kysely<Database>) { this.db = db; }

  async get(orgId: number): Promise<Record<string, unknown> | undefined> {
    const row = await this.db.selectFrom('directory_sources').select('config').where('org_id', '=', orgId).executeTakeFirst();
    return row && (JSON.parse(row.config) as Record<string, unknown>);
  }

  /** The organization's own source, else the system default. */
  async effective(orgId: number): Promise<{ orgId: number; config: Record<string, unknown> } | undefined> {
    const own = orgId ? await this.get(orgId) : undefined;
    if (own) return { orgId, config: own };
    const fallback = await this.get(0);
    return fallback && { orgId: 0, config: fallback };
  }

  async set(orgId: number, config: Record<string, unknown>): Promise<void> {
    const values = { org_id: orgId, config: JSON.stringify(config), updated_at: new Date().toISOString() };
    await this.db.insertInto('directory_sources').values(values)
      .onConflict((oc) => oc.column('org_id').doUpdateSet({ config: values.config, updated_at: values.updated_at }))
      .execute();
  }

  async delete(orgId: number): Promise<boolean> {
    const r = await this.db.deleteFrom('directory_sources').where('org_id', '=', orgId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async orgIds(): Promise<number[]> {
    return (await this.db.selectFrom('directory_sources').select('org_id').orderBy('org_id').execute()).map((r) => r.org_id);
  }
}
