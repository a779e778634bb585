import type { Kysely, Selectable } from 'kysely';
import type { AccountsTable, Database } from '../schema.ts';

export interface Account { id: number; username: string; displayName: string; email: string | null; active: boolean; createdAt: string }
export interface StoredGrant { permission: string; param: string }
export interface Role { id: number; name: string; description: string; permissions: StoredGrant[] }

const toAccount = (r: Selectable<AccountsTable>): Account => ({ id: r.id, username: r.username, displayName: r.display_name, email: r.email, active: r.active === 1, createdAt: r.created_at });

/** Admin accounts, their roles and the permissions those roles hold. */
export class AccountRepository {
  private readonly db: Kysely<Database>;
  constructor(db: Kysely<Database>) { this.db = db; }

  async create(a: { username: string; passwordHash: string | null; displayName?: string; email?: string | null }): Promise<Account> {
    const row = await this.db.insertInto('accounts').values({
      username: a.username, password_hash: a.passwordHash, display_name: a.displayName ?? '', email: a.email ?? null, active: 1, created_at: new Date().toISOString(),
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

  async setPassword(id: number, passwordHash: string): Promise<void> {
    await this.db.updateTable('accounts').set({ password_hash: passwordHash }).where('id', '=', id).execute();
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

  async assignRole(accountId: number, roleId: number): Promise<void> {
    await this.db.insertInto('account_roles').values({ account_id: accountId, role_id: roleId }).onConflict((oc) => oc.doNothing()).execute();
  }

  /** Every permission the account holds through its roles. */
  async grants(accountId: number): Promise<StoredGrant[]> {
    return this.db.selectFrom('account_roles')
      .innerJoin('role_permissions', 'role_permissions.role_id', 'account_roles.role_id')
      .select(['role_permissions.permission', 'role_permissions.param'])
      .where('account_roles.account_id', '=', accountId).execute();
  }
}
