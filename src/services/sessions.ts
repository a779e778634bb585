/**
 * Who a presented credential names, and the credentials themselves: grommunio's revocable
 * sessions (a JWT carries the session ID, which must still be stored) and Rocket.Chat's login
 * tokens (random, stored hashed). Each door reads its credential off the request and says the
 * refusal in its own words; whether the credential still stands is said here once.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Caller } from '../auth/permissions.ts';
import type { Account } from '../domain/account.ts';
import type { Store } from '../store/store.ts';
import { accountUsable } from './account-state.ts';

/** How long a Rocket.Chat login token stands. */
export const TOKEN_DAYS = 90;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64');

/** Why a session no longer stands: ended (signed out or expired), no such account, or deactivated. */
export type SessionCheck = { ok: true; who: Caller } | { ok: false; why: 'ended' | 'unknown-account' | 'deactivated' };

export class SessionService {
  private readonly store: Store;
  constructor(store: Store) { this.store = store; }

  private async callerOf(account: Account): Promise<Caller> {
    return new Caller(account.id, account.username, await this.store.accounts.grants(account.id));
  }

  /** A new grommunio session for the account, until `expires`; its ID goes into the JWT. */
  async open(accountId: number, expires: string): Promise<string> {
    const sessionId = randomUUID();
    await this.store.sessions.open(sessionId, accountId, expires);
    return sessionId;
  }

  extend(sessionId: string, expires: string): Promise<void> {
    return this.store.sessions.extend(sessionId, expires);
  }

  close(sessionId: string): Promise<void> {
    return this.store.sessions.close(sessionId);
  }

  /** The caller of a session a valid JWT named, if the session is still open and its account active. */
  async check(sessionId: string, accountId: number): Promise<SessionCheck> {
    if (!(await this.store.sessions.isOpen(sessionId, accountId))) return { ok: false, why: 'ended' };
    const account = await this.store.accounts.get(accountId);
    if (!account) return { ok: false, why: 'unknown-account' };
    if (!account.active) return { ok: false, why: 'deactivated' };
    return { ok: true, who: await this.callerOf(account) };
  }

  /** A new Rocket.Chat login token for the account; only its hash is kept. */
  async issueToken(accountId: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.store.accounts.addToken(accountId, hashToken(token), new Date(Date.now() + TOKEN_DAYS * 86_400_000).toISOString());
    return token;
  }

  /** The caller a user ID and its token name, while the account may still act; else null. */
  async byToken(userId: number, token: string): Promise<Caller | null> {
    const account = await this.store.accounts.byToken(userId, hashToken(token));
    return account && (await accountUsable(this.store, account)) ? this.callerOf(account) : null;
  }

  /** The caller a token alone names (Rocket.Chat's `resume` sign-in), while the account may still act. */
  async byResumeToken(token: string): Promise<Caller | null> {
    const account = await this.store.accounts.byHashedToken(hashToken(token));
    return account && (await accountUsable(this.store, account)) ? this.callerOf(account) : null;
  }

  revokeToken(token: string): Promise<void> {
    return this.store.accounts.removeToken(hashToken(token));
  }

  /** The caller's own account with its second-factor switches, for a profile or `/me`. */
  async own(who: Caller): Promise<{ account: Account | undefined; totpEnabled: boolean; emailEnabled: boolean }> {
    const account = await this.store.accounts.get(who.accountId);
    const twoFactor = await this.store.accounts.twoFactor(who.accountId);
    return { account, totpEnabled: twoFactor.totpEnabled, emailEnabled: twoFactor.emailEnabled };
  }
}
