import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Settings that belong to no directory source, by key, as JSON values. */
export class SettingRepository {
  private readonly db: Kysely<Database>;
  constructor(db: Kysely<Database>) { this.db = db; }

  async get(key: string): Promise<unknown> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row ? JSON.parse(row.value) : undefined;
  }

  async set(key: string, value: unknown, now = new Date().toISOString()): Promise<void> {
    const text = JSON.stringify(value);
    await this.db.insertInto('settings').values({ key, value: text, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: text, updated_at: now })).execute();
  }
}
