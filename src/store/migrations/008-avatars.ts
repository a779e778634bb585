/** Avatars: each image stored once, keyed by its SHA-256; users point at theirs by that hash. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../sql-dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.createTable('avatars')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('data', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('users').addColumn('avatar_hash', 'text').execute();
  await db.schema.createIndex('users_avatar_hash').on('users').column('avatar_hash').execute();
}
