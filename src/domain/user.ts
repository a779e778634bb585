/** Plain user model shared by the engine, the store and the API dialects. */

export type UserStatus = 'active' | 'deactivated';

/** Who put a user in its status: the sync may undo its own deactivations, never an admin's. */
export type StatusSource = 'sync' | 'admin';

export interface User {
  id: number;
  domainId: number;
  username: string;
  /** Raw bytes of the directory's stable ID (entryUUID / objectGUID / nsUniqueId); null for local users. */
  externId: Uint8Array | null;
  dn: string | null;
  displayName: string;
  email: string | null;
  aliases: string[];
  lang: string;
  status: UserStatus;
  statusSource: StatusSource | null;
  statusReason: string | null;
  properties: Record<string, string>;
  /** Names of the directory groups the user belongs to, nested ones resolved. */
  groups: string[];
  /** Roles the source's group-to-role map gives those groups. */
  roles: string[];
  syncHash: string | null;
  /** SHA-256 (hex) of the avatar image, which is stored once per hash; null: no avatar. */
  avatarHash: string | null;
  lastSyncedAt: string | null;
  statusChangedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The fields a sync owns: what a directory entry maps to. */
export interface MappedUser {
  externId: Uint8Array;
  dn: string;
  username: string;
  displayName: string;
  email: string;
  aliases: string[];
  properties: Record<string, string>;
  groups: string[];
  roles: string[];
  enabled: boolean;
  disabledReason: string | null;
  /** The directory photo; undefined when the source does not sync avatars. */
  avatar?: AvatarCandidate;
  /** The key of the entry this was mapped from, when it is to be stored with the user (sync/entry-key.ts). */
  entryKey?: string;
}

export interface AvatarImage { hash: string; contentType: string; width: number; height: number; bytes: Uint8Array }

/** `null`: the entry has no photo; `rejected`: it has one that is not kept, and why. */
export type AvatarCandidate = AvatarImage | { rejected: string } | null;

export const isAvatarImage = (photo: AvatarCandidate | undefined): photo is AvatarImage => !!photo && !('rejected' in photo);

export const isLinked = (user: Pick<User, 'externId'>): boolean => user.externId !== null;

export function externIdHex(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');
}

/** The domain part of an address, lower-cased; '' when there is none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}

/** The columns the planner compares; JSON stays text until a change needs a field-level diff. */
export type StoredUser = Pick<User, 'id' | 'domainId' | 'username' | 'externId' | 'dn' | 'displayName' | 'status' | 'statusSource' | 'syncHash' | 'avatarHash'> & {
  aliasesJson: string;
  propertiesJson: string;
  groupsJson: string;
  rolesJson: string;
};

/** How a list may be ordered: grommunio's sort keys that ldapsync has a column for. */
export type UserSortKey = 'id' | 'username' | 'displayname' | 'creationtime';

/**
 * `domainId`: one domain, or several listed as one, in domain then ID order unless `sort` says
 * otherwise. `statuses`: any of these (an empty list matches nobody). `limit` 0 counts only.
 */
export interface UserQuery {
  domainId: number | number[]; query?: string; status?: UserStatus; statuses?: UserStatus[]; linked?: boolean;
  sort?: { key: UserSortKey; descending: boolean }; limit: number; offset: number;
}
