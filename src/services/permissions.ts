/**
 * The named permissions (Rocket.Chat's), the roles that hold them and role assignment. Each is
 * held by the roles its list names; SystemAdmins are in the `admin` role, so an empty list takes
 * a permission from them too.
 */
import type { Caller } from '../auth/permissions.ts';
import { ADMIN_ROLE, type Role } from '../domain/account.ts';
import { DomainError, notPermitted } from '../domain/errors.ts';
import type { ServiceDeps } from './deps.ts';

/**
 * The named permissions this service knows. A permission added here needs a migration that gives
 * it to the `admin` role (see 012).
 */
export const NAMED_PERMISSIONS = ['sync-auth-services-users', 'test-admin-options', 'view-privileged-setting', 'edit-privileged-setting', 'access-permissions', 'assign-roles'];

/**
 * The one permission that may not leave the `admin` role: without it nobody could ever give a
 * permission back through the API.
 */
const KEEPS_ADMIN = 'access-permissions';

export const holds = (who: Caller, permission: string): boolean => who.named.has(permission);

export function requirePermission(who: Caller, permission: string): void {
  if (!holds(who, permission)) throw notPermitted();
}

const refused = (message: string) => new DomainError('PERMISSION_REFUSED', 'invalid', message);

export interface PermissionRoles { _id: string; roles: string[] }

export class PermissionService {
  private readonly deps: ServiceDeps;
  constructor(deps: ServiceDeps) { this.deps = deps; }

  private get store() { return this.deps.store; }

  private async held(): Promise<PermissionRoles[]> {
    const held = await this.store.accounts.rolesHolding(NAMED_PERMISSIONS);
    return NAMED_PERMISSIONS.map((p) => ({ _id: p, roles: held[p] ?? [] }));
  }

  async list(who: Caller): Promise<PermissionRoles[]> {
    requirePermission(who, 'access-permissions');
    return this.held();
  }

  /** Sets the roles of each permission named; answers every permission's roles after. */
  async update(who: Caller, permissions: PermissionRoles[]): Promise<PermissionRoles[]> {
    requirePermission(who, 'access-permissions');
    for (const p of permissions) if (!NAMED_PERMISSIONS.includes(p._id)) throw refused(`Permission ${p._id} is unknown`);
    if (permissions.some((p) => p._id === KEEPS_ADMIN && !p.roles.includes(ADMIN_ROLE))) {
      throw refused(`${KEEPS_ADMIN} always keeps the ${ADMIN_ROLE} role, so that permissions can be given back; add '${ADMIN_ROLE}' to its roles`);
    }
    for (const p of permissions) await this.store.accounts.setPermissionRoles(p._id, [...new Set(p.roles)]);
    await this.store.audit.record({ actor: who.username, action: 'permissions.update', targetType: 'permissions', targetId: '', before: null, after: permissions });
    return this.held();
  }

  /** Puts the account named into the role (made, empty, if it does not exist yet). */
  async assignRole(who: Caller, roleName: string, username: string): Promise<Role> {
    requirePermission(who, 'assign-roles');
    const role = (await this.store.accounts.roleByName(roleName)) ?? (await this.store.accounts.createRole(roleName, '', []));
    const target = await this.store.accounts.credentials(username);
    if (!target) throw refused('error-invalid-user');
    await this.store.accounts.assignRole(target.account.id, role.id);
    await this.store.audit.record({ actor: who.username, action: 'role.assign', targetType: 'account', targetId: String(target.account.id), before: null, after: { role: role.name } });
    return role;
  }
}
