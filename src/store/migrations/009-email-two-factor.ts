/** Rocket.Chat's email 2FA method: whether it is on, and the one code mailed out (hashed) with its expiry. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../sql-dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('email2fa_enabled', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('accounts').addColumn('email_code_hash', 'text').execute();
  await db.schema.alterTable('accounts').addColumn('email_code_expires', 'text').execute();
}
