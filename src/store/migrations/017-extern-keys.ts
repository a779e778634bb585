/**
 * Users are looked up by a number made from their stable ID (`store/extern-key.ts`), indexed in
 * place of the ID's bytes: the index a directory's unordered IDs write all over is a third of
 * the size. Users linked before get their key here, a chunk at a time; a partial index keeps
 * the users without one (none, unless written by other means), which each run gives theirs.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../sql-dialect.ts';
import { fillMissingExternKeys } from '../extern-key.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  // PostgreSQL runs every migration in a transaction already; SQLite does not, and a backfill cut
  // short would leave the column added and the next start failing to add it again.
  if (dialect === 'sqlite') await db.transaction().execute((tx) => addKeys(tx, dialect));
  else await addKeys(db, dialect);
}

async function addKeys(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('users').addColumn('extern_key', dialect === 'postgres' ? 'bigint' : 'integer').execute();
  await sql`CREATE INDEX users_extern_key_missing ON users (id) WHERE extern_id IS NOT NULL AND extern_key IS NULL`.execute(db);
  await fillMissingExternKeys(db, dialect);
  await db.schema.createIndex('users_extern_key').on('users').column('extern_key').execute();
  await db.schema.dropIndex('users_extern').execute();
}
