/**
 * The directory tools an admin uses on the domains they may act on: search, dump, import one
 * entry, find and delete orphans, sync one user again. Each acts only within those domains, so
 * no hit, dump or outcome names another tenant. A directory failure is thrown as it is (a
 * `DirectoryError`), for the door to say with or without its cause.
 */
import type { Caller } from '../auth/permissions.ts';
import type { Domain } from '../domain/tenancy.ts';
import type { User } from '../domain/user.ts';
import { domainOf } from '../domain/user.ts';
import { DomainError, errorOfCode, invalidInput, notFound, notPermitted } from '../domain/errors.ts';
import { parseSource, type DirectorySource } from '../directory/source.ts';
import { requirePermission } from './permissions.ts';
import type { DirectoryEntry } from '../directory/entry.ts';
import type { SearchHit } from '../sync/ldap-admin.ts';
import { createMapper } from '../sync/mapper.ts';
import { deleteOrphans } from './orphans.ts';
import type { DomainService } from './domains.ts';
import type { ServiceDeps } from './deps.ts';
import type { UserSnapshot } from './users.ts';

/** Which domains a request acts on: one by ID, an organization's, or every one the caller may. */
export interface ToolScope { domain?: number; organization?: number }
export interface SourceGroup { source: DirectorySource; domains: Domain[] }

const notInDirectory = () => notFound('LDAP object not found');
const names = (domains: Domain[]) => new Set(domains.map((d) => d.name));

export class LdapToolService {
  private readonly deps: ServiceDeps;
  private readonly domains: DomainService;
  constructor(deps: ServiceDeps, domains: DomainService) { this.deps = deps; this.domains = domains; }

  private get store() { return this.deps.store; }

  /** The domains a request acts on, grouped by the source they sync from. */
  async targets(who: Caller, scope: ToolScope, write: boolean): Promise<SourceGroup[]> {
    let domains: Domain[];
    if (scope.domain !== undefined) {
      domains = [await this.domains.visible(who, scope.domain, write)];
    } else {
      const all = await this.store.domains.list(scope.organization !== undefined ? { orgId: scope.organization } : {});
      domains = all.filter((d) => (write ? who.canWriteDomain(d) : who.canReadDomain(d)));
      // Nothing the caller may act on is a refusal (403), not a missing configuration.
      if (domains.length === 0 && (all.length > 0 || !who.canReadSystem)) throw notPermitted();
    }
    const groups = new Map<number, SourceGroup>();
    for (const d of domains) {
      const saved = await this.store.sources.effective(d.orgId);
      if (!saved) continue;
      const group = groups.get(saved.orgId) ?? { source: parseSource(saved.config), domains: [] };
      group.domains.push(d);
      groups.set(saved.orgId, group);
    }
    if (groups.size === 0) throw new DomainError('LDAP_NOT_CONFIGURED', 'unavailable', 'LDAP is not configured for these domains');
    return [...groups.values()];
  }

  /** Up to `limit` entries matching the query, over the sources of the readable domains in scope. */
  async search(who: Caller, scope: ToolScope, query: string, limit: number): Promise<SearchHit[]> {
    const hits: SearchHit[] = [];
    for (const { source, domains } of await this.targets(who, scope, false)) {
      hits.push(...(await this.deps.ldap.search(source, query, limit - hits.length, names(domains))));
      if (hits.length >= limit) break;
    }
    return hits;
  }

  async dump(who: Caller, scope: ToolScope, id: Uint8Array): Promise<DirectoryEntry> {
    for (const { source, domains } of await this.targets(who, scope, false)) {
      const entry = await this.deps.ldap.dump(source, id, names(domains));
      if (entry) return entry;
    }
    throw notInDirectory();
  }

  /** Imports (or with `force`, re-links) the entry; the user it gave, and whether it is new. */
  async importUser(who: Caller, scope: ToolScope, id: Uint8Array, options: { force: boolean; lang: string }): Promise<{ user: User; created: boolean }> {
    for (const { source, domains } of await this.targets(who, scope, true)) {
      const entry = await this.deps.ldap.entry(source, id, names(domains));
      if (!entry) continue;
      const mapped = createMapper(source).map(entry);
      const domain = domains.find((d) => mapped.ok && d.name === domainOf(mapped.user.username))!;
      const outcome = await this.deps.ldap.importUser(domain.id, id, options);
      if (!outcome) throw notInDirectory();
      if (outcome.code >= 400) throw errorOfCode(outcome.code, outcome.message);
      return { user: (await this.store.users.get(outcome.ID))!, created: outcome.code === 201 };
    }
    throw notInDirectory();
  }

  /** Linked users a complete scan did not find, with the stored user of each where there is one. */
  async orphans(who: Caller, scope: ToolScope): Promise<Array<{ ID: number; username: string; user: User | undefined }>> {
    const domainIds = (await this.targets(who, scope, false)).flatMap((g) => g.domains.map((d) => d.id));
    const orphans = await this.deps.ldap.orphans(domainIds);
    const users = new Map((await this.store.users.byIds(orphans.map((o) => o.ID))).map((u) => [u.id, u]));
    return orphans.map((o) => ({ ...o, user: users.get(o.ID) }));
  }

  /** Deletes orphans (only linked users a complete scan did not find: never a local user), audited. */
  async deleteOrphans(who: Caller, scope: ToolScope, onlyUserId: number | undefined, snapshot: UserSnapshot): Promise<Array<{ ID: number; username: string }>> {
    const domainIds = (await this.targets(who, scope, true)).flatMap((g) => g.domains.map((d) => d.id));
    const { deleted, before } = await deleteOrphans(this.deps, domainIds, onlyUserId);
    for (const o of deleted) {
      const user = before.get(o.ID);
      await this.store.audit.record({ actor: who.username, action: 'user.delete-orphan', targetType: 'user', targetId: String(o.ID), before: user && snapshot(user), after: null });
    }
    return deleted;
  }

  /** The default source (org 0) when LDAP is on: saved and not switched off (Rocket.Chat's LDAP_Enable). */
  async enabledDefault(): Promise<DirectorySource | null> {
    const config = await this.store.sources.get(0);
    return !config || config.disabled === true ? null : parseSource(config);
  }

  /** Binds to the default source, for a caller who may test the admin options. */
  async testDefault(who: Caller): Promise<'disabled' | 'failed' | 'ok'> {
    requirePermission(who, 'test-admin-options');
    if (!(await this.enabledDefault())) return 'disabled';
    try { await this.deps.ldap.test(await this.store.sources.get(0)); } catch { return 'failed'; }
    return 'ok';
  }

  /** How many entries of the default source a login names, or why it could not be asked. */
  async countOnDefault(who: Caller, login: string): Promise<'disabled' | 'failed' | number> {
    requirePermission(who, 'test-admin-options');
    const source = await this.enabledDefault();
    if (!source) return 'disabled';
    try { return await this.deps.ldap.countByLogin(source, login); } catch { return 'failed'; }
  }

  /** Syncs one linked user of a domain the caller may change from its entry again. */
  async syncUser(who: Caller, domainId: number, userId: number): Promise<User> {
    const domain = await this.domains.visible(who, domainId, true);
    const user = await this.store.users.get(userId);
    if (!user || user.domainId !== domain.id) throw notFound('User not found');
    if (!user.externId) throw invalidInput(['the user is not linked to a directory entry'], 'User is not linked to LDAP');
    const outcome = await this.deps.ldap.syncUser(domain.id, user.externId);
    if (!outcome) throw notFound('User not found');
    if (outcome.code >= 400) throw errorOfCode(outcome.code, outcome.message);
    return (await this.store.users.get(user.id))!;
  }
}
