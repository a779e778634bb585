/**
 * Deleting orphans (linked users whose entry a complete ID scan did not find) under the same
 * guard as the sync's deactivations: a bulk delete that crosses a domain's threshold, or that
 * comes while a run of that domain holds deactivations for approval, deletes nobody. One user
 * named by ID is an admin's explicit choice and goes through.
 */
import type { Store } from '../store/store.ts';
import type { LdapAdmin } from '../sync/ldap-admin.ts';
import type { User } from '../domain/user.ts';
import { crossesThreshold } from '../sync/deactivation.ts';
import { DomainError } from '../domain/errors.ts';

export interface OrphanDeletion { deleted: Array<{ ID: number; username: string }>; before: Map<number, User> }

export async function deleteOrphans(deps: { store: Store; ldap: LdapAdmin }, domainIds: number[], onlyUserId: number | undefined): Promise<OrphanDeletion> {
  const { store } = deps;
  const orphans = (await deps.ldap.orphans(domainIds)).filter((o) => onlyUserId === undefined || o.ID === onlyUserId);
  const before = new Map<number, User>((await store.users.byIds(orphans.map((o) => o.ID))).map((u) => [u.id, u]));
  if (onlyUserId === undefined) await guardBulk(deps, orphans, before);
  await store.users.deleteMany(orphans.map((o) => o.ID));
  return { deleted: orphans, before };
}

async function guardBulk(deps: { store: Store; ldap: LdapAdmin }, orphans: Array<{ ID: number }>, users: Map<number, User>): Promise<void> {
  const perDomain = new Map<number, number>();
  for (const o of orphans) { const d = users.get(o.ID)?.domainId; if (d !== undefined) perDomain.set(d, (perDomain.get(d) ?? 0) + 1); }
  for (const [domainId, count] of perDomain) {
    const domain = (await deps.store.domains.get(domainId))!;
    const last = await deps.store.runs.lastForDomain(domainId);
    if (last?.status === 'awaiting-approval') {
      throw new DomainError('ORPHANS_HELD', 'conflict', `Nothing deleted: run #${last.id} of ${domain.name} holds deactivations for approval; decide on it first, or delete users one at a time with userID`);
    }
    const source = await deps.ldap.sourceOf(domain.orgId);
    const threshold = source?.threshold ?? { percent: 10, count: 500 };
    // Orphans are still counted among the active linked users, so the base is the same as the sync's.
    if (crossesThreshold(count, await deps.store.users.countLinkedActive(domainId), threshold)) {
      throw new DomainError('ORPHANS_THRESHOLD', 'conflict', `Nothing deleted: ${count} orphaned users of ${domain.name} is more than the deletion threshold (${threshold.count} users or ${threshold.percent} %); check the source's filter, or delete users one at a time with userID`);
    }
  }
}
