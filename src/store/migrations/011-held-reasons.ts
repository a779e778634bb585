/**
 * Why a held deactivation was held: null for a user gone from the directory, else the reason the
 * account counts as disabled. Approving applies each with its own reason, so a disabled account is
 * never mistaken for a gone one (which deleteAfterDays would later delete).
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../sql-dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('pending_deactivations').addColumn('reason', 'text').execute();
}
