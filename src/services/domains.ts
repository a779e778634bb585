/**
 * Domains: which ones a caller may see and change, said once for every route and command that
 * names one, with the writes audited here.
 */
import type { Caller } from '../auth/permissions.ts';
import type { Domain } from '../domain/tenancy.ts';
import { conflict, invalidInput, missingFor, notPermitted } from '../domain/errors.ts';
import type { ServiceDeps } from './deps.ts';

export interface DomainInput { name: string; orgId?: number; title?: string }
export interface DomainPatch { orgId?: number; title?: string; active?: boolean }

/** Which saved source serves an organization: its own, else the default (0), else none. */
export function sourceOrgOf(orgId: number, sourceOrgIds: ReadonlySet<number>): number | null {
  if (orgId && sourceOrgIds.has(orgId)) return orgId;
  return sourceOrgIds.has(0) ? 0 : null;
}

export class DomainService {
  private readonly deps: ServiceDeps;
  constructor(deps: ServiceDeps) { this.deps = deps; }

  private get store() { return this.deps.store; }

  /** The domain, if the caller may see it (or with `write`, change it); see `missingFor`. */
  async visible(who: Caller, domainId: number, write: boolean): Promise<Domain> {
    const domain = await this.store.domains.get(domainId);
    if (!domain) throw missingFor(who.canReadSystem, 'Domain not found');
    if (write ? !who.canWriteDomain(domain) : !who.canReadDomain(domain)) throw notPermitted();
    return domain;
  }

  /** Every domain the caller may read. */
  async readable(who: Caller): Promise<Domain[]> {
    return (await this.store.domains.list()).filter((d) => who.canReadDomain(d));
  }

  /** What /system/domains lists: everything for system readers, an OrgAdmin's own organizations' domains. */
  async administered(who: Caller): Promise<Domain[]> {
    return (await this.store.domains.list()).filter((d) => who.canReadSystem || who.isOrgAdmin(d.orgId));
  }

  async create(who: Caller, input: DomainInput): Promise<Domain> {
    const orgId = input.orgId ?? 0;
    // A domain name decides whose directory entries its admins may search, import and dump:
    // naming one is a SystemAdmin's act, never a tenant's.
    if (!who.isSystemAdmin) throw notPermitted('only a system admin creates domains');
    if (orgId && !(await this.store.organizations.get(orgId))) throw invalidInput([`organization ${orgId} does not exist`]);
    if (await this.store.domains.byName(input.name)) throw conflict(`Domain ${input.name.toLowerCase()} exists already`);
    const domain = await this.store.domains.create({ name: input.name, orgId, title: input.title ?? '' });
    await this.store.audit.record({ actor: who.username, action: 'domain.create', targetType: 'domain', targetId: String(domain.id), before: null, after: domain });
    return domain;
  }

  async update(who: Caller, domainId: number, patch: DomainPatch): Promise<Domain> {
    const before = await this.visible(who, domainId, true);
    const target = patch.orgId;
    if (target !== undefined && target !== before.orgId && !(who.isSystemAdmin || (who.isOrgAdmin(target) && who.isOrgAdmin(before.orgId)))) throw notPermitted('moving a domain needs admin rights on both organizations');
    if (target && !(await this.store.organizations.get(target))) throw invalidInput([`organization ${target} does not exist`]);
    const domain = await this.store.domains.update(before.id, {
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(target !== undefined ? { orgId: target } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
    });
    await this.store.audit.record({ actor: who.username, action: 'domain.update', targetType: 'domain', targetId: String(before.id), before, after: domain });
    return domain!;
  }

  async remove(who: Caller, domainId: number): Promise<void> {
    const domain = await this.visible(who, domainId, true);
    if (!(who.isSystemAdmin || who.isOrgAdmin(domain.orgId))) throw notPermitted();
    await this.store.domains.delete(domain.id);
    await this.store.audit.record({ actor: who.username, action: 'domain.delete', targetType: 'domain', targetId: String(domain.id), before: domain, after: null });
  }

  /** A user is visible to an admin of its domain and to the person themselves. */
  async canSeeUser(who: Caller, user: { domainId: number; username: string }): Promise<boolean> {
    if (who.username.toLowerCase() === user.username.toLowerCase()) return true;
    const domain = await this.store.domains.get(user.domainId);
    return !!domain && who.canReadDomain(domain);
  }
}
