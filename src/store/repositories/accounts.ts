import type { Kysely, Selectable } from 'kysely';
import type { AccountsTable, Database } from '../schema.ts';
import type { SecretCipher } from '../../domain/secret-cipher.ts';

import { ADMIN_ROLE, type Account, type Role, type StoredGrant, type TwoFactorState } from '../../domain/account.ts';
export type { Account, Role, StoredGrant, TwoFactorState };
export { ADMIN_ROLE };

const toAccount = (r: Pick<Selectable<AccountsTable>, 'id' | 'username' | 'display_name' | 'email' | 'active' | 'created_at' | 'extern_id'>): Account => ({ id: r.id, username: r.username, displayName: r.display_name, email: r.email, active: r.active === 1, createdAt: r.created_at, externId: r.extern_id });

/** Admin accounts, their roles and the permissions those roles hold. */
export class AccountRepository {
  private readonly db: Kysely<Database>;
  private readonly cipher: SecretCipher;
  constructor(db: Kysely<Database>, cipher: SecretCipher) { this.db = db; this.cipher = cipher; }

  async addToken(accountId: number, hashedToken: string, expiresAt: string): Promise<void> {
    await this.db.insertInto('login_tokens').values({ account_id: accountId, hashed_token: hashedToken, created_at: new Date().toISOString(), expires_at: expiresAt }).execute();
  }

  /** The account a (hashed) token belongs to, while the token is valid. */
  async byToken(accountId: number, hashedToken: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom('login_tokens').innerJoin('accounts', 'accounts.id', 'login_tokens.account_id').selectAll('accounts')
      .where('login_tokens.account_id', '=', accountId).where('login_tokens.hashed_token', '=', hashedToken)
      .where('login_tokens.expires_at', '>', new Date().toISOString()).executeTakeFirst();
    return row && toAccount(row);
  }

  async byHashedToken(hashedToken: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom('login_tokens').innerJoin('accounts', 'accounts.id', 'login_tokens.account_id').selectAll('accounts')
      .where('login_tokens.hashed_token', '=', hashedToken).where('login_tokens.expires_at', '>', new Date().toISOString()).executeTakeFirst();
    return row && toAccount(row);
  }

  async removeToken(hashedToken: string): Promise<void> {
    await this.db.deleteFrom('login_tokens').where('hashed_token', '=', hashedToken).execute();
  }

  async twoFactor(accountId: number): Promise<TwoFactorState> {
    const r = await this.db.selectFrom('accounts').select(['totp_secret', 'totp_enabled', 'backup_codes', 'digest_hash', 'email2fa_enabled', 'email_code_hash', 'email_code_expires'])
      .where('id', '=', accountId).executeTakeFirstOrThrow();
    return {
      totpSecret: r.totp_secret && this.cipher.decrypt(r.totp_secret), totpEnabled: r.totp_enabled === 1, backupCodes: JSON.parse(r.backup_codes) as string[], digestHash: r.digest_hash,
      emailEnabled: r.email2fa_enabled === 1, emailCode: r.email_code_hash && r.email_code_expires ? { hash: r.email_code_hash, expires: r.email_code_expires } : null,
    };
  }

  async setEmailTwoFactor(accountId: number, enabled: boolean): Promise<void> {
    await this.db.updateTable('accounts').set({ email2fa_enabled: enabled ? 1 : 0, email_code_hash: null, email_code_expires: null }).where('id', '=', accountId).execute();
  }

  /** The code mailed out, hashed; null once used. */
  async setEmailCode(accountId: number, code: { hash: string; expires: string } | null): Promise<void> {
    await this.db.updateTable('accounts').set({ email_code_hash: code?.hash ?? null, email_code_expires: code?.expires ?? null }).where('id', '=', accountId).execute();
  }

  async setTotp(accountId: number, secret: string | null, enabled: boolean): Promise<void> {
    await this.db.updateTable('accounts').set({ totp_secret: secret && this.cipher.encrypt(secret), totp_enabled: enabled ? 1 : 0 }).where('id', '=', accountId).execute();
  }

  async setBackupCodes(accountId: number, hashes: string[]): Promise<void> {
    await this.db.updateTable('accounts').set({ backup_codes: JSON.stringify(hashes) }).where('id', '=', accountId).execute();
  }

  async setDigestHash(accountId: number, digestHash: string): Promise<void> {
    await this.db.updateTable('accounts').set({ digest_hash: digestHash }).where('id', '=', accountId).execute();
  }

  /**
   * Takes a TOTP time step for the account if it is later than the last one used: a code is
   * good once, even within its window, and of two requests with the same code only one wins.
   */
  async claimTotpStep(accountId: number, step: number): Promise<boolean> {
    const r = await this.db.updateTable('accounts').set({ totp_last_step: step })
      .where('id', '=', accountId).where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)])).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The account made for this directory entry (by the hex of its stable ID). */
  async byExternId(externIdHex: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('extern_id', '=', externIdHex).executeTakeFirst();
    return row && toAccount(row);
  }

  async rename(id: number, username: string): Promise<void> {
    await this.db.updateTable('accounts').set({ username }).where('id', '=', id).execute();
  }

  async create(a: { username: string; passwordHash: string | null; displayName?: string; email?: string | null; externId?: string | null }): Promise<Account> {
    const row = await this.db.insertInto('accounts').values({
      username: a.username, password_hash: a.passwordHash, display_name: a.displayName ?? '', email: a.email ?? null, active: 1, created_at: new Date().toISOString(), extern_id: a.externId ?? null,
    }).returningAll().executeTakeFirstOrThrow();
    return toAccount(row);
  }

  async get(id: number): Promise<Account | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAccount(row);
  }

  /** The account and its password hash, for sign-in only. */
  async credentials(username: string): Promise<{ account: Account; passwordHash: string | null } | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('username', '=', username).executeTakeFirst();
    return row && { account: toAccount(row), passwordHash: row.password_hash };
  }

  async updateProfile(id: number, displayName: string, email: string | null): Promise<void> {
    await this.db.updateTable('accounts').set({ display_name: displayName, email }).where('id', '=', id).execute();
  }

  /** A new password ends every session and token the account had. */
  async setPassword(id: number, passwordHash: string): Promise<void> {
    await this.db.updateTable('accounts').set({ password_hash: passwordHash }).where('id', '=', id).execute();
    await this.db.deleteFrom('sessions').where('account_id', '=', id).execute();
    await this.db.deleteFrom('login_tokens').where('account_id', '=', id).execute();
  }

  async list(): Promise<Account[]> {
    return (await this.db.selectFrom('accounts').selectAll().orderBy('id').execute()).map(toAccount);
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('accounts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async createRole(name: string, description: string, permissions: StoredGrant[]): Promise<Role> {
    const role = await this.db.insertInto('roles').values({ name, description }).returningAll().executeTakeFirstOrThrow();
    if (permissions.length) await this.db.insertInto('role_permissions').values(permissions.map((p) => ({ role_id: role.id, permission: p.permission, param: p.param }))).execute();
    return { ...role, permissions };
  }

  async roleByName(name: string): Promise<Role | undefined> {
    const role = await this.db.selectFrom('roles').selectAll().where('name', '=', name).executeTakeFirst();
    if (!role) return undefined;
    const permissions = await this.db.selectFrom('role_permissions').select(['permission', 'param']).where('role_id', '=', role.id).execute();
    return { ...role, permissions };
  }

  /** For each named permission, the roles (by name) that hold it. */
  async rolesHolding(permissions: string[]): Promise<Record<string, string[]>> {
    const rows = await this.db.selectFrom('role_permissions').innerJoin('roles', 'roles.id', 'role_permissions.role_id')
      .select(['role_permissions.permission', 'roles.name']).where('role_permissions.permission', 'in', permissions).orderBy('roles.name').execute();
    const out: Record<string, string[]> = {};
    for (const r of rows) (out[r.permission] ??= []).push(r.name);
    return out;
  }

  /** Grants a named permission to exactly these roles (created when missing). */
  async setPermissionRoles(permission: string, roleNames: string[]): Promise<void> {
    await this.db.deleteFrom('role_permissions').where('permission', '=', permission).where('param', '=', '').execute();
    for (const name of roleNames) {
      const role = (await this.roleByName(name)) ?? (await this.createRole(name, '', []));
      await this.db.insertInto('role_permissions').values({ role_id: role.id, permission, param: '' }).onConflict((oc) => oc.doNothing()).execute();
    }
  }

  async assignRole(accountId: number, roleId: number): Promise<void> {
    await this.db.insertInto('account_roles').values({ account_id: accountId, role_id: roleId }).onConflict((oc) => oc.doNothing()).execute();
  }

  /** Every permission the account holds through its roles. */
  async grants(accountId: number): Promise<StoredGrant[]> {
    const own = await this.db.selectFrom('account_roles')
      .innerJoin('role_permissions', 'role_permissions.role_id', 'account_roles.role_id')
      .select(['role_permissions.permission', 'role_permissions.param'])
      .where('account_roles.account_id', '=', accountId).execute();
    if (!own.some((g) => g.permission === 'SystemAdmin')) return own;
    // A SystemAdmin is in Rocket.Chat's `admin` role: it holds what that role holds, and no more.
    const admin = await this.db.selectFrom('role_permissions').innerJoin('roles', 'roles.id', 'role_permissions.role_id')
      .select(['role_permissions.permission', 'role_permissions.param']).where('roles.name', '=', ADMIN_ROLE).execute();
    return [...own, ...admin.filter((a) => !own.some((g) => g.permission === a.permission && g.param === a.param))];
  }
}
