/**
 * grommunio's permission model: SystemAdmin, SystemAdminRO, OrgAdmin(o), DomainAdmin(d),
 * DomainAdminRO(d), each scoped to an ID or '*'. Every endpoint asks a Caller, never a role name.
 */
import type { StoredGrant } from '../domain/account.ts';

export const SCOPED_PERMISSIONS = ['SystemAdmin', 'SystemAdminRO', 'OrgAdmin', 'DomainAdmin', 'DomainAdminRO'] as const;

type Scope = number | '*';
const scopeOf = (param: string): Scope | null => (param === '*' ? '*' : /^\d+$/.test(param) ? Number(param) : null);

export interface DomainRef { id: number; orgId: number }

export class Caller {
  readonly accountId: number;
  readonly username: string;
  private readonly systemAdmin: boolean;
  private readonly systemReader: boolean;
  private readonly orgs: Scope[];
  private readonly writeDomains: Scope[];
  private readonly readDomains: Scope[];
  /** Named permissions (Rocket.Chat style), held as they are. */
  readonly named: ReadonlySet<string>;

  constructor(accountId: number, username: string, grants: StoredGrant[]) {
    this.accountId = accountId;
    this.username = username;
    const scopes = (name: string) => grants.filter((g) => g.permission === name).map((g) => scopeOf(g.param)).filter((s): s is Scope => s !== null);
    this.systemAdmin = grants.some((g) => g.permission === 'SystemAdmin');
    this.systemReader = this.systemAdmin || grants.some((g) => g.permission === 'SystemAdminRO');
    this.orgs = scopes('OrgAdmin');
    this.writeDomains = scopes('DomainAdmin');
    this.readDomains = scopes('DomainAdminRO');
    this.named = new Set(grants.filter((g) => !(SCOPED_PERMISSIONS as readonly string[]).includes(g.permission)).map((g) => g.permission));
  }

  get isSystemAdmin(): boolean { return this.systemAdmin; }
  get canReadSystem(): boolean { return this.systemReader; }

  /** True for a SystemAdmin and for an OrgAdmin of any organization: who may set up a directory source. */
  get isAnyOrgAdmin(): boolean { return this.systemAdmin || this.orgs.length > 0; }

  isOrgAdmin(orgId: number): boolean {
    return this.systemAdmin || (orgId > 0 && this.orgs.some((s) => s === '*' || s === orgId));
  }

  canWriteDomain(d: DomainRef): boolean {
    return this.systemAdmin || this.isOrgAdmin(d.orgId) || this.writeDomains.some((s) => s === '*' || s === d.id);
  }

  canReadDomain(d: DomainRef): boolean {
    return this.systemReader || this.canWriteDomain(d) || this.readDomains.some((s) => s === '*' || s === d.id);
  }

  /** True when the caller has any admin capability at all (who may sign in to the admin API). */
  get isAdmin(): boolean {
    return this.systemReader || this.orgs.length > 0 || this.writeDomains.length > 0 || this.readDomains.length > 0 || this.named.size > 0;
  }

  /** grommunio's capability names, for GET /profile. */
  capabilities(): string[] {
    const caps = new Set<string>();
    if (this.systemAdmin) ['SystemAdmin', 'SystemAdminRead', 'SystemAdminWrite', 'DomainAdminRead', 'DomainAdminWrite', 'OrgAdmin', 'ResetPasswd', 'DomainPurge'].forEach((c) => caps.add(c));
    if (this.systemReader) ['SystemAdminRead', 'DomainAdminRead'].forEach((c) => caps.add(c));
    if (this.orgs.length) ['OrgAdmin', 'DomainAdminRead', 'DomainAdminWrite'].forEach((c) => caps.add(c));
    if (this.writeDomains.length) ['DomainAdminRead', 'DomainAdminWrite', 'ResetPasswd'].forEach((c) => caps.add(c));
    if (this.readDomains.length) caps.add('DomainAdminRead');
    return [...caps].sort();
  }
}
