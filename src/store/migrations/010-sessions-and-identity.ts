/**
 * Revocable sessions and accounts bound to a directory entry: a session row per grommunio
 * sign-in (the JWT names it), the directory entry's stable ID on accounts made from the
 * directory, and the last TOTP time step used (a code is good once).
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../sql-dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_account').on('sessions').column('account_id').execute();
  await db.schema.alterTable('accounts').addColumn('extern_id', 'text').execute();
  await db.schema.alterTable('accounts').addColumn('totp_last_step', 'integer').execute();
  await db.schema.createIndex('accounts_extern_id').unique().on('accounts').column('extern_id').execute();
  // Accounts made by directory sign-in before this are left unbound on purpose: which entry
  // they belonged to cannot be told now (the address may have moved since), so the next
  // directory sign-in with that name gets an account of its own (see directory-login.ts).
}
