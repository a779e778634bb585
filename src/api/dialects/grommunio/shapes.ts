/** Maps our records to grommunio's response shapes (never a row as it is: no secret can leak). */
import { Type } from 'typebox';
import { isAvatarImage, type User } from '../../../domain/user.ts';
import type { Task } from '../../../domain/task.ts';
import type { Domain } from '../../../domain/tenancy.ts';
import type { Organization } from '../../../domain/tenancy.ts';
import { encodeLdapId } from '../../../domain/ldap-id.ts';
import type { PlanItem } from '../../../sync/planner.ts';

export const IdParam = Type.Object({ ID: Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 }) });
export const DomainParam = Type.Object({ domainID: Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 }) });
export const DomainUserParams = Type.Object({ domainID: Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 }), userID: Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 }) });
export const Paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1, default: 0 })),
};

/** grommunio's dateTime: 'YYYY-MM-DD HH:MM:SS' (UTC here). */
export const dateTime = (iso: string | null): string | null => (iso ? iso.slice(0, 19).replace('T', ' ') : null);

const quotaOf = (value: string | undefined): number | null => (value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : null);

export function userView(u: User): Record<string, unknown> {
  return {
    ID: u.id,
    username: u.username,
    domainID: u.domainId,
    roles: [],
    // What admin-web's lists show: every user here is a person (displaytypeex 0); no store quota
    // unless the directory maps one; creationtime is when ldapsync created the user.
    properties: {
      ...u.properties, displayname: u.displayName, displaytypeex: 0, creationtime: dateTime(u.createdAt),
      storagequotalimit: quotaOf(u.properties.storagequotalimit), ...(u.lang ? { language: u.lang } : {}),
    },
    aliases: u.aliases,
    status: u.status === 'active' ? 0 : 1,
    ...(u.externId ? { ldapID: encodeLdapId(u.externId) } : {}),
    // ldapsync's own fields: why a user is in its status, where the entry is, when it last synced.
    dn: u.dn,
    statusReason: u.statusReason,
    lastSynced: dateTime(u.lastSyncedAt),
    // The avatar's ETag and where to fetch it (ldapsync; the image is served as Rocket.Chat serves it).
    avatar: u.avatarHash ? { etag: u.avatarHash, url: `/avatar/${encodeURIComponent(u.username)}` } : null,
  };
}

export function domainView(d: Domain, counts?: Record<string, number>): Record<string, unknown> {
  return {
    ID: d.id, orgID: d.orgId, domainname: d.name, displayname: d.name, title: d.title, domainStatus: d.active ? 0 : 1,
    ...(counts ? { activeUsers: counts.active ?? 0, inactiveUsers: counts.deactivated ?? 0 } : {}),
  };
}

export const orgView = (o: Organization, domainCount: number) => ({ ID: o.id, name: o.name, description: o.description, domainCount });

export function taskView(t: Task, level: number, result?: unknown): Record<string, unknown> {
  const extra = (t.result ?? {}) as { counts?: unknown; startedAt?: string; finishedAt?: string };
  const base = {
    ID: t.id, command: t.command, state: t.state, created: dateTime(t.createdAt), updated: dateTime(t.updatedAt), message: t.message,
    // ldapsync's own: scope, who started it, counts by outcome (live while it runs), start and end.
    domainID: t.domainId, orgID: t.orgId, owner: t.owner, progress: t.progress,
    counts: extra.counts ?? null, startedAt: extra.startedAt ?? null, finishedAt: extra.finishedAt ?? null,
  };
  if (level < 2) return base;
  return { ...base, params: { ...t.params, ...(result !== undefined ? { result } : {}) } };
}

/** One item of a dry run's plan, for a person deciding whether to apply it. */
export function planView(item: PlanItem): Record<string, unknown> | null {
  switch (item.kind) {
    case 'create': return {
      action: 'create', ID: 0, username: item.user.username, dn: item.user.dn, displayName: item.user.displayName, status: item.user.enabled ? 'active' : 'deactivated',
      reason: item.user.disabledReason ?? item.note ?? null, avatar: isAvatarImage(item.user.avatar) ? item.user.avatar.hash : null,
    };
    case 'update': return {
      action: item.status?.to === 'deactivated' ? 'deactivate' : item.status?.to === 'active' ? 'reactivate' : item.moved ? 'move' : 'update',
      ID: item.userId, username: item.username, dn: item.user.dn, changes: item.changes, reason: item.status?.reason ?? item.note ?? null,
    };
    case 'gone': return { action: 'deactivate', ID: item.userId, username: item.username, reason: 'gone from the directory' };
    case 'conflict': return { action: 'conflict', ID: item.userId, username: item.username, reason: item.message };
    case 'invalid': return { action: 'invalid', ID: item.userId, username: item.username, reason: item.message };
    case 'missing': return { action: 'missing', ID: item.userId, username: item.username, reason: 'not found in the directory' };
    default: return null;
  }
}
