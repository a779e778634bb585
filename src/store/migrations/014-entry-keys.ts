/**
 * Each synced user keeps the key of the directory entry it was mapped from (`sync/entry-key.ts`):
 * a full run that finds the same key counts the user unchanged without mapping the entry again.
 * Users synced before have none; the first full run after this gives each its key.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('entry_key', 'text').execute();
}
