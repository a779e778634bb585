/**
 * Organizations: SystemAdmin writes, SystemAdminRO reads, an OrgAdmin reads its own. Each write is
 * audited here, so the API and the command line leave the same trail.
 */
import type { Caller } from '../auth/permissions.ts';
import type { Organization } from '../domain/tenancy.ts';
import type { Domain } from '../domain/tenancy.ts';
import { conflict, invalidInput, missingFor, notFound, notPermitted } from '../domain/errors.ts';
import type { ServiceDeps } from './deps.ts';

export interface OrganizationInput { name: string; description?: string | null; domains?: number[] }
export type OrganizationPatch = Partial<OrganizationInput>;
export interface OrganizationWithDomains { org: Organization; domains: Domain[] }

const NOT_FOUND = 'Organization not found';

export class OrganizationService {
  private readonly deps: ServiceDeps;
  constructor(deps: ServiceDeps) { this.deps = deps; }

  private get store() { return this.deps.store; }

  /**
   * The organization (never the "none" organization 0) if the caller may read it, or with
   * `admin`, administer it; 403 for one the caller may not see, whether it exists or not.
   */
  async visible(who: Caller, id: number, need: 'read' | 'admin'): Promise<Organization> {
    const org = id > 0 ? await this.store.organizations.get(id) : undefined;
    if (!org) throw missingFor(who.canReadSystem, NOT_FOUND);
    if (need === 'admin' ? !who.isOrgAdmin(org.id) : !who.canReadSystem && !who.isOrgAdmin(org.id)) throw notPermitted();
    return org;
  }

  async list(who: Caller): Promise<Array<{ org: Organization; domainCount: number }>> {
    const orgs = (await this.store.organizations.list()).filter((o) => who.canReadSystem || who.isOrgAdmin(o.id));
    const domains = await this.store.domains.list();
    return orgs.map((org) => ({ org, domainCount: domains.filter((d) => d.orgId === org.id).length }));
  }

  async get(who: Caller, id: number): Promise<OrganizationWithDomains> {
    return this.withDomains(await this.visible(who, id, 'read'));
  }

  async create(who: Caller, input: OrganizationInput): Promise<OrganizationWithDomains> {
    if (!who.isSystemAdmin) throw notPermitted();
    if ((await this.store.organizations.list()).some((o) => o.name === input.name)) throw conflict(`Organization '${input.name}' exists already`);
    await this.checkDomains(input.domains);
    const org = await this.store.organizations.create(input.name, input.description ?? '');
    await this.store.audit.record({ actor: who.username, action: 'org.create', targetType: 'org', targetId: String(org.id), before: null, after: org });
    if (input.domains) await this.assignDomains(who.username, org.id, input.domains);
    return this.withDomains(org);
  }

  async update(who: Caller, id: number, patch: OrganizationPatch): Promise<OrganizationWithDomains> {
    if (!who.isSystemAdmin) throw notPermitted();
    const before = await this.store.organizations.get(id);
    if (!before || before.id === 0) throw notFound(NOT_FOUND);
    await this.checkDomains(patch.domains);
    const { domains, description, ...rest } = patch;
    const org = await this.store.organizations.update(id, { ...rest, ...(description !== undefined ? { description: description ?? '' } : {}) });
    if (!org) throw notFound(NOT_FOUND);
    await this.store.audit.record({ actor: who.username, action: 'org.update', targetType: 'org', targetId: String(org.id), before, after: org });
    if (domains) await this.assignDomains(who.username, org.id, domains);
    return this.withDomains(org);
  }

  async remove(who: Caller, id: number): Promise<void> {
    if (!who.isSystemAdmin) throw notPermitted();
    const before = await this.store.organizations.get(id);
    if (!before || before.id === 0) throw notFound(NOT_FOUND);
    if ((await this.store.domains.list({ orgId: before.id })).length) throw conflict('Organization still has domains; move or delete them first');
    await this.store.sources.delete(before.id);
    await this.store.organizations.delete(before.id);
    await this.store.audit.record({ actor: who.username, action: 'org.delete', targetType: 'org', targetId: String(before.id), before, after: null });
  }

  private async withDomains(org: Organization): Promise<OrganizationWithDomains> {
    return { org, domains: await this.store.domains.list({ orgId: org.id }) };
  }

  /** Checks every listed domain exists; the request changes nothing if one does not. */
  private async checkDomains(ids: number[] | undefined): Promise<void> {
    if (!ids?.length) return;
    const found = new Set((await this.store.domains.list({ ids })).map((d) => d.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) throw invalidInput(missing.map((id) => `domains: domain ${id} does not exist`));
  }

  /** The organization gets exactly these domains: listed ones move in, unlisted ones of it move to none (0). */
  private async assignDomains(actor: string, orgId: number, ids: number[]): Promise<void> {
    const wanted = new Set(ids);
    const moves = [
      ...(await this.store.domains.list({ ids })).filter((d) => d.orgId !== orgId).map((d) => ({ domain: d, to: orgId })),
      ...(await this.store.domains.list({ orgId })).filter((d) => !wanted.has(d.id)).map((d) => ({ domain: d, to: 0 })),
    ];
    for (const { domain, to } of moves) {
      const after = await this.store.domains.update(domain.id, { orgId: to });
      await this.store.audit.record({ actor, action: 'domain.update', targetType: 'domain', targetId: String(domain.id), before: domain, after });
    }
  }
}
