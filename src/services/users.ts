/**
 * Users of the domains the caller may see: listing, one by ID, and an admin's own changes (detach
 * from the directory, switch status, delete), each audited here.
 */
import type { Caller } from '../auth/permissions.ts';
import type { User } from '../domain/user.ts';
import type { UserQuery } from '../domain/user.ts';
import type { Domain } from '../domain/tenancy.ts';
import { invalidInput, notFound } from '../domain/errors.ts';
import type { DomainService } from './domains.ts';
import type { ServiceDeps } from './deps.ts';

export interface UserPatch { detach?: boolean; active?: boolean }
/** How the audit log shows a user: the API's view of it (never the row, which could hold more). */
export type UserSnapshot = (u: User) => unknown;

export class UserService {
  private readonly deps: ServiceDeps;
  private readonly domains: DomainService;
  constructor(deps: ServiceDeps, domains: DomainService) { this.deps = deps; this.domains = domains; }

  private get store() { return this.deps.store; }

  /** The first `limit` users of a domain the caller may read, in ID order. */
  async inDomain(who: Caller, domainId: number, limit: number): Promise<User[]> {
    const domain = await this.domains.visible(who, domainId, false);
    return (await this.store.users.list({ domainId: domain.id, limit, offset: 0 })).users;
  }

  /** The user, if it belongs to this domain the caller may see (or change, with `write`). */
  async get(who: Caller, domainId: number, userId: number, write = false): Promise<{ domain: Domain; user: User }> {
    const domain = await this.domains.visible(who, domainId, write);
    const user = await this.store.users.get(userId);
    if (!user || user.domainId !== domain.id) throw notFound('User not found');
    return { domain, user };
  }

  list(query: UserQuery): Promise<{ users: User[]; total: number }> {
    return this.store.users.list(query);
  }

  /** The user a name or ID names, if the caller may see it (an admin of its domain, or the person). */
  async seenBy(who: Caller, by: { username: string } | { id: number } | null): Promise<User | undefined> {
    if (!by) return undefined;
    const user = 'username' in by ? await this.store.users.byUsername(by.username) : await this.store.users.get(by.id);
    return user && (await this.domains.canSeeUser(who, user)) ? user : undefined;
  }

  /** The readable domains' users as one list, in domain then ID order: one query, not one per domain. */
  async listReadable(who: Caller, page: { query?: string; limit: number; offset: number }): Promise<{ users: User[]; total: number }> {
    const domainIds = (await this.domains.readable(who)).map((d) => d.id);
    return this.store.users.list({ domainId: domainIds, ...page });
  }

  /**
   * The user an avatar URL names, for anyone: pictures are public unless a setting keeps them for
   * callers who may see the user, which the door checks with `seenBy`.
   */
  forAvatar(username: string): Promise<User | undefined> {
    return this.store.users.byUsername(username);
  }

  async avatarImage(user: User): Promise<{ hash: string; contentType: string; data: Uint8Array } | undefined> {
    return user.avatarHash ? this.store.avatars.get(user.avatarHash) : undefined;
  }

  /** Users by status in a domain (the caller saw the domain already). */
  countByStatus(domainId: number): Promise<Record<string, number>> {
    return this.store.users.countByStatus(domainId);
  }

  /** The directory groups the sync recorded for a domain the caller may read. */
  async groups(who: Caller, domainId: number): Promise<Array<{ name: string; members: string[] }>> {
    const domain = await this.domains.visible(who, domainId, false);
    return this.store.users.groupsInDomain(domain.id);
  }

  /** The first `limit` users over every domain the caller may read, in domain order. */
  async firstVisible(who: Caller, limit: number): Promise<User[]> {
    return (await this.listReadable(who, { limit, offset: 0 })).users;
  }

  async update(who: Caller, domainId: number, userId: number, patch: UserPatch, snapshot: UserSnapshot): Promise<User> {
    const { user: before } = await this.get(who, domainId, userId, true);
    if (patch.detach) {
      if (!before.externId) throw invalidInput(['ldapID: the user is not linked to a directory entry']);
      await this.store.users.detach(before.id);
    }
    if (patch.active !== undefined) {
      // An admin's status change is the admin's: the sync never undoes it.
      await this.store.users.setStatus([before.id], patch.active ? 'active' : 'deactivated', 'admin', patch.active ? null : `deactivated by ${who.username}`);
    }
    const after = (await this.store.users.get(before.id))!;
    await this.store.audit.record({ actor: who.username, action: 'user.update', targetType: 'user', targetId: String(before.id), before: snapshot(before), after: snapshot(after) });
    return after;
  }

  async remove(who: Caller, domainId: number, userId: number, snapshot: UserSnapshot): Promise<void> {
    const { user: before } = await this.get(who, domainId, userId, true);
    await this.store.users.delete(before.id);
    await this.store.audit.record({ actor: who.username, action: 'user.delete', targetType: 'user', targetId: String(before.id), before: snapshot(before), after: null });
  }
}
