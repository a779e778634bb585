/** The application layer every door calls: one service per aggregate, over the same deps. */
import { DomainService } from './domains.ts';
import { OrganizationService } from './organizations.ts';
import { SourceService } from './sources.ts';
import type { ServiceDeps } from './deps.ts';

export interface AppServices {
  organizations: OrganizationService;
  domains: DomainService;
  sources: SourceService;
}

export function createServices(deps: ServiceDeps): AppServices {
  return { organizations: new OrganizationService(deps), domains: new DomainService(deps), sources: new SourceService(deps) };
}
