/** Rocket.Chat sign-in: hashed login tokens, TOTP enrolment, and a hash of the password's SHA-256 digest. */
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from '../sql-dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const pg = dialect === 'postgres';
  const id = (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement());
  await db.schema.createTable('login_tokens')
    .addColumn('id', pg ? 'serial' : 'integer', id)
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('hashed_token', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  // The TOTP secret is sealed with the secrets key ring, like bind passwords.
  await db.schema.alterTable('accounts').addColumn('totp_secret', 'text').execute();
  await db.schema.alterTable('accounts').addColumn('totp_enabled', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('accounts').addColumn('backup_codes', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  // Rocket.Chat's "password" 2FA method sends SHA-256(password); this is scrypt over that digest.
  await db.schema.alterTable('accounts').addColumn('digest_hash', 'text').execute();
}
