/** When each source's schedule last fired: claimed atomically so one occurrence runs once. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../sql-dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.createTable('schedule_fires')
    .addColumn('org_id', 'integer', (c) => c.primaryKey())
    .addColumn('fired_at', 'text', (c) => c.notNull())
    .execute();
}
