/**
 * The users a run created, as one bitmap per run, written with each page's creations: an import
 * of 100,000 users writes no outcome row for each, and its "User created" lines are generated
 * from the bitmap when asked, as those of the users it confirmed are. Each bitmap now starts at
 * the first ID it holds (`*_base`), not at user 0: a domain whose users' IDs are in the millions
 * keeps bitmaps the size of its own users.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../sql-dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('sync_runs').addColumn('created', dialect === 'postgres' ? 'bytea' : 'blob').execute();
  // The ID of the bitmap's first bit: the first user the run created, not user 0.
  await db.schema.alterTable('sync_runs').addColumn('created_base', 'integer').execute();
  // Bitmaps stored before have no base: they start at user 0, which a null base means.
  await db.schema.alterTable('sync_runs').addColumn('confirmed_base', 'integer').execute();
}
