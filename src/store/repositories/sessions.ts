import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * Revocable grommunio sessions: the JWT carries a session ID, which must still be here. Signing
 * out removes it; a password change or deactivation removes every session of the account.
 */
export class SessionRepository {
  private readonly db: Kysely<Database>;
  constructor(db: Kysely<Database>) { this.db = db; }

  async open(id: string, accountId: number, expiresAt: string): Promise<void> {
    await this.db.insertInto('sessions').values({ id, account_id: accountId, created_at: new Date().toISOString(), expires_at: expiresAt }).execute();
  }

  /** True while the session exists, belongs to the account and has not expired (one primary-key read). */
  async isOpen(id: string, accountId: number): Promise<boolean> {
    const row = await this.db.selectFrom('sessions').select(['account_id', 'expires_at']).where('id', '=', id).executeTakeFirst();
    return !!row && row.account_id === accountId && row.expires_at > new Date().toISOString();
  }

  async extend(id: string, expiresAt: string): Promise<void> {
    await this.db.updateTable('sessions').set({ expires_at: expiresAt }).where('id', '=', id).execute();
  }

  async close(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** Ends every session and Rocket.Chat token of an account. */
  async closeAll(accountId: number): Promise<void> {
    await this.db.deleteFrom('sessions').where('account_id', '=', accountId).execute();
    await this.db.deleteFrom('login_tokens').where('account_id', '=', accountId).execute();
  }

  /** Drops expired sessions; called now and then, never on a request's path. */
  async prune(): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<', new Date().toISOString()).execute();
  }
}
