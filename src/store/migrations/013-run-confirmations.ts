/**
 * The users a run found unchanged, as one bitmap per run instead of an outcome row and a
 * last-synced write per user: a no-op resync of 100,000 users writes 12.5 KB, not 100,000 rows.
 * Their outcome lines and last-synced times are generated from it when asked.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../sql-dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('sync_runs').addColumn('confirmed', dialect === 'postgres' ? 'bytea' : 'blob').execute();
  // Reading a user asks for the newest confirming run of its domain: found by index, not by a
  // scan of every run ever recorded.
  await db.schema.createIndex('sync_runs_domain').on('sync_runs').columns(['domain_id', 'id']).execute();
}
