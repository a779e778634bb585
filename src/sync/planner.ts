/**
 * The planner: compares what the directory says with what the store holds, one entry at a time,
 * matching by stable ID only. Pure: the caller fetches the snapshot and applies the plan.
 */
import { hash as digest } from 'node:crypto';
import type { StoredSyncState } from '../store/repositories/users.ts';
import type { StoredUser } from '../domain/user.ts';
import { domainOf, externIdHex, type AvatarImage, type MappedUser, type UserStatus } from '../domain/user.ts';
import type { MapResult } from './mapper.ts';

export interface FieldChange { field: string; from: string; to: string }

export type SkipReason = 'other-domain' | 'not-imported' | 'invalid-entry';

/**
 * `avatar`: the image to store, null to clear it, absent to leave it; `note`: something the
 * outcome should say although the user synced (a photo that was refused, say).
 */
export type PlanItem =
  | { kind: 'create'; user: MappedUser; note?: string }
  | { kind: 'update'; userId: number; username: string; user: MappedUser; changes: FieldChange[]; moved: boolean; status: StatusChange | null; link?: boolean; avatar?: AvatarImage | null; note?: string }
  | { kind: 'unchanged'; userId: number; username: string; note?: string }
  | { kind: 'conflict'; userId: number; username: string; message: string }
  | { kind: 'invalid'; userId: number; username: string; message: string }
  | { kind: 'gone'; userId: number; username: string }
  | { kind: 'missing'; userId: number; username: string }
  | { kind: 'skip'; reason: SkipReason; name: string };

export interface StatusChange { to: UserStatus; reason: string | null }

export interface PageSnapshot {
  domain: { id: number; name: string };
  importNew: boolean;
  byExternId: Map<string, StoredUser>;
  byUsername: Map<string, StoredUser>;
  /** Usernames taken by earlier entries of this run's page (creations and renames). */
  claimed: Set<string>;
  /** Link a local user of the same name to the entry (an admin's explicit choice, never the default). */
  adoptLocal?: boolean;
}

/** A fingerprint of every field a sync owns: equal fingerprints mean nothing to write. */
export function syncHash(u: MappedUser): string {
  let hash = hashes.get(u);
  if (hash === undefined) {
    // The one-shot digest: the same SHA-1, without a Hash object per entry (half the time, less GC).
    hash = digest('sha1', JSON.stringify([u.username, u.dn, u.displayName, u.aliases, u.properties, u.enabled, u.disabledReason, u.groups, u.roles]), 'base64url');
    hashes.set(u, hash);
  }
  return hash;
}
/** A run asks for an entry's fingerprint when it looks and again when it plans: computed once. */
const hashes = new WeakMap<MappedUser, string>();

const sameDn = (a: string | null, b: string): boolean => (a ?? '').toLowerCase() === b.toLowerCase();

function diff(stored: StoredUser, next: MappedUser): FieldChange[] {
  const changes: FieldChange[] = [];
  const add = (field: string, from: string, to: string) => { if (from !== to) changes.push({ field, from, to }); };
  add('username', stored.username, next.username);
  add('displayName', stored.displayName, next.displayName);
  add('dn', stored.dn ?? '', next.dn);
  add('aliases', (JSON.parse(stored.aliasesJson) as string[]).join(', '), next.aliases.join(', '));
  const before = JSON.parse(stored.propertiesJson) as Record<string, string>;
  for (const key of new Set([...Object.keys(before), ...Object.keys(next.properties)])) add(`properties.${key}`, before[key] ?? '', next.properties[key] ?? '');
  add('groups', (JSON.parse(stored.groupsJson) as string[]).join(', '), next.groups.join(', '));
  add('roles', (JSON.parse(stored.rolesJson) as string[]).join(', '), next.roles.join(', '));
  return changes;
}

function statusChange(stored: Pick<StoredUser, 'status' | 'statusSource'>, next: MappedUser): StatusChange | null {
  if (!next.enabled && stored.status === 'active') return { to: 'deactivated', reason: next.disabledReason };
  // The sync undoes only its own deactivations; an admin's stays.
  if (next.enabled && stored.status === 'deactivated' && stored.statusSource === 'sync') return { to: 'active', reason: null };
  return null;
}

/** What to do with the avatar: a new image, null to clear it, undefined to leave it as it is. */
function avatarChange(storedHash: string | null, next: MappedUser): { avatar: AvatarImage | null | undefined; note?: string } {
  const photo = next.avatar;
  if (photo === undefined) return { avatar: undefined };
  if (photo === null) return { avatar: storedHash ? null : undefined };
  // A refused photo leaves the stored avatar as it was, and the outcome says why.
  if ('rejected' in photo) return { avatar: undefined, note: `photo ignored: ${photo.rejected}` };
  return { avatar: photo.hash === storedHash ? undefined : photo };
}

export const photoNote = (next: MappedUser): string | undefined => avatarChange(null, next).note;

/**
 * Nothing to write for this entry: same fingerprint, no status to change, the same photo. Read
 * from the stored sync state alone, so a run need not load the rest of an unchanged user.
 */
export function unchangedAtAGlance(stored: StoredSyncState, next: MappedUser): boolean {
  return stored.syncHash === syncHash(next) && statusChange(stored, next) === null && avatarChange(stored.avatarHash, next).avatar === undefined;
}

function planLinked(stored: StoredUser, next: MappedUser, page: PageSnapshot): PlanItem {
  if (domainOf(next.username) !== page.domain.name)
    return { kind: 'invalid', userId: stored.id, username: stored.username, message: `Directory address ${next.username} is outside domain ${page.domain.name}; user left unchanged` };
  if (next.username !== stored.username) {
    const holder = page.byUsername.get(next.username);
    if ((holder && holder.id !== stored.id) || page.claimed.has(next.username))
      return { kind: 'conflict', userId: stored.id, username: stored.username, message: `Cannot rename to ${next.username}: another user has that name` };
    page.claimed.add(next.username);
  }
  const status = statusChange(stored, next);
  const { avatar, note } = avatarChange(stored.avatarHash, next);
  const unchanged: PlanItem = { kind: 'unchanged', userId: stored.id, username: stored.username, ...(note ? { note } : {}) };
  if (status === null && avatar === undefined && stored.syncHash === syncHash(next)) return unchanged;
  const changes = diff(stored, next);
  if (status) changes.push({ field: 'status', from: stored.status, to: status.to });
  if (avatar !== undefined) changes.push({ field: 'avatar', from: stored.avatarHash ?? '', to: avatar?.hash ?? '' });
  if (changes.length === 0) return unchanged;
  return { kind: 'update', userId: stored.id, username: next.username, user: next, changes, moved: !sameDn(stored.dn, next.dn), status, ...(avatar !== undefined ? { avatar } : {}), ...(note ? { note } : {}) };
}

function planNew(next: MappedUser, page: PageSnapshot): PlanItem {
  if (domainOf(next.username) !== page.domain.name) return { kind: 'skip', reason: 'other-domain', name: next.username };
  if (!page.importNew) return { kind: 'skip', reason: 'not-imported', name: next.username };
  const holder = page.byUsername.get(next.username);
  if (holder && holder.externId === null && page.adoptLocal && holder.domainId === page.domain.id) {
    const changes = [{ field: 'link', from: 'local', to: 'directory' }, ...diff(holder, next)];
    const { avatar, note } = avatarChange(holder.avatarHash, next);
    return { kind: 'update', userId: holder.id, username: next.username, user: next, changes, moved: false, status: null, link: true, ...(avatar !== undefined ? { avatar } : {}), ...(note ? { note } : {}) };
  }
  if (holder && holder.externId === null)
    return { kind: 'conflict', userId: holder.id, username: next.username, message: 'A local user with this name exists; it is not taken over by the directory entry' };
  if (holder)
    return { kind: 'conflict', userId: holder.id, username: next.username, message: 'User already exists and is linked to another directory entry' };
  if (page.claimed.has(next.username))
    return { kind: 'conflict', userId: 0, username: next.username, message: 'Another directory entry in this run has the same address' };
  page.claimed.add(next.username);
  const note = photoNote(next);
  return { kind: 'create', user: next, ...(note ? { note } : {}) };
}

export function planEntry(result: MapResult, page: PageSnapshot): PlanItem {
  if (!result.ok) {
    const stored = result.externId ? page.byExternId.get(externIdHex(result.externId)) : undefined;
    if (stored && stored.domainId === page.domain.id)
      return { kind: 'invalid', userId: stored.id, username: stored.username, message: `Invalid directory entry: ${result.reason}` };
    return { kind: 'skip', reason: 'invalid-entry', name: result.dn };
  }
  const stored = page.byExternId.get(externIdHex(result.user.externId));
  if (stored) return stored.domainId === page.domain.id ? planLinked(stored, result.user, page) : { kind: 'skip', reason: 'other-domain', name: result.user.username };
  return planNew(result.user, page);
}

/** One-line reason shown with a 200 outcome, naming what changed. */
export function describeUpdate(item: Extract<PlanItem, { kind: 'update' }>): string {
  const fields = [...new Set(item.changes.map((c) => c.field.split('.')[0]!))].filter((f) => f !== 'status' && f !== 'dn');
  const parts: string[] = [];
  if (item.status?.to === 'deactivated') parts.push(`deactivated: ${item.status.reason ?? 'disabled in the directory'}`);
  if (item.status?.to === 'active') parts.push('reactivated');
  if (item.link) parts.push('local user linked to the directory entry');
  if (item.moved) parts.push(`moved to ${item.user.dn}`);
  if (fields.length) parts.push(`updated ${fields.join(', ')}`);
  if (item.note) parts.push(item.note);
  return `Synchronization successful${parts.length ? ` (${parts.join('; ')})` : ''}`;
}
