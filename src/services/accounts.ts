/**
 * Local admin accounts: creating one with its grant, a SystemAdmin's act; every check that needs no password comes first (`checkNewAdmin`), so a door
 * can refuse before it asks for one.
 */
import type { Caller } from '../auth/permissions.ts';
import { changePassword, createAdmin } from '../auth/admins.ts';
import type { StoredGrant } from '../domain/account.ts';
import { DomainError, notPermitted } from '../domain/errors.ts';
import type { ServiceDeps } from './deps.ts';

export const domainMissing = (id: string) => new DomainError('DOMAIN_MISSING', 'invalid', `domain ${id} does not exist`);
export const organizationMissing = (id: string) => new DomainError('ORGANIZATION_MISSING', 'invalid', `organization ${id} does not exist`);
export const noLocalAccount = (name: string) => new DomainError('NO_LOCAL_ACCOUNT', 'invalid', `no local account ${name} (directory users change their password in the directory)`);
export const accountExists = (name: string) => new DomainError('ACCOUNT_EXISTS', 'conflict', `account ${name} exists already`);

export class AccountService {
  private readonly deps: ServiceDeps;
  constructor(deps: ServiceDeps) { this.deps = deps; }

  private get store() { return this.deps.store; }

  /** Refuses what can be refused before the password is known: the caller, the grant's target, a taken name. */
  async checkNewAdmin(who: Caller, username: string, grant: StoredGrant): Promise<void> {
    if (!who.isSystemAdmin) throw notPermitted('only a system admin creates admin accounts');
    if (grant.permission === 'DomainAdmin' && !(await this.store.domains.get(Number(grant.param)))) throw domainMissing(grant.param);
    if (grant.permission === 'OrgAdmin' && !(await this.store.organizations.get(Number(grant.param)))) throw organizationMissing(grant.param);
    if (await this.store.accounts.credentials(username)) throw accountExists(username);
  }

  /** The new account's ID; a short password or a name taken meanwhile is refused (an Error with the reason). */
  async createAdmin(who: Caller, username: string, password: string, grants: StoredGrant[]): Promise<number> {
    if (!who.isSystemAdmin) throw notPermitted('only a system admin creates admin accounts');
    return createAdmin(this.store, username, password, grants, who.username);
  }

  /** Refuses a name with no local password before a new one is asked for. */
  async checkPasswordChange(who: Caller, username: string): Promise<void> {
    if (!who.isSystemAdmin) throw notPermitted('only a system admin sets another account\'s password');
    if (!(await this.store.accounts.credentials(username))?.passwordHash) throw noLocalAccount(username);
  }

  /** A new password; the account's sessions and tokens end. A short password is refused (an Error with the reason). */
  async changePassword(who: Caller, username: string, password: string): Promise<void> {
    await this.checkPasswordChange(who, username);
    await changePassword(this.store, username, password, who.username);
  }
}
