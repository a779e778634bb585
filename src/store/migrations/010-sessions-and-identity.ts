/**
 * Revocable sessions and accounts bound to a directory entry: a session row per grommunio
 * sign-in (the JWT names it), the directory entry's stable ID on accounts made from the
 * directory, and the last TOTP time step used (a code is good once).
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

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
  // Accounts made by directory sign-in before this migration: bound to the entry their synced
  // user is linked to, so a later owner of the same address cannot inherit them.
  const users = await sql<{ username: string; extern_id: Uint8Array }>`SELECT username, extern_id FROM users WHERE extern_id IS NOT NULL`.execute(db);
  const byName = new Map(users.rows.map((u) => [u.username.toLowerCase(), Buffer.from(u.extern_id).toString('hex')]));
  const accounts = await sql<{ id: number; username: string }>`SELECT id, username FROM accounts WHERE password_hash IS NULL`.execute(db);
  for (const a of accounts.rows) {
    const hex = byName.get(a.username.toLowerCase());
    if (hex) await sql`UPDATE accounts SET extern_id = ${hex} WHERE id = ${a.id}`.execute(db);
  }
}
