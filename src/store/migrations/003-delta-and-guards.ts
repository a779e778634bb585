/** Delta sync state per source, deactivations held for approval, group membership and roles. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../sql-dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('users').addColumn('groups', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('users').addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('users').addColumn('status_changed_at', 'text').execute();
  await db.schema.alterTable('sync_runs').addColumn('mode', 'text', (c) => c.notNull().defaultTo('full')).execute();

  // One row per (source, domain): where the last successful run left the change stream.
  await db.schema.createTable('sync_state')
    .addColumn('domain_id', 'integer', (c) => c.primaryKey())
    .addColumn('mechanism', 'text', (c) => c.notNull())
    .addColumn('cookie', 'text', (c) => c.notNull())
    .addColumn('last_full_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('pending_deactivations')
    .addColumn('run_id', 'integer', (c) => c.notNull().references('sync_runs.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('pending_deactivations_pk', ['run_id', 'user_id'])
    .execute();
}
