/** A cancel asked for in one process, seen by the process running the task. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../sql-dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('tasks').addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
