/**
 * The audit log: every change any door made, with who, what, before and after. The services
 * write it; reading it is a SystemAdmin's.
 */
import type { Caller } from '../auth/permissions.ts';
import { notPermitted } from '../domain/errors.ts';
import type { ServiceDeps } from './deps.ts';

export class AuditService {
  private readonly deps: ServiceDeps;
  constructor(deps: ServiceDeps) { this.deps = deps; }

  /** The newest entries first. */
  async list(who: Caller, limit: number, offset: number) {
    if (!who.isSystemAdmin) throw notPermitted();
    return this.deps.store.audit.list(limit, offset);
  }
}
