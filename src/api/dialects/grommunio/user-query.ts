/**
 * The user-list query as grommunio's admin-web sends it: `status=0,4` (a list), `sort=username,asc`,
 * `filterProp=displaytypeex:0,7,8`, `limit=0` to count, and fields it adds that change nothing here
 * (`level`, `properties`, `matchProps`, `addressType`).
 */
import { Type } from 'typebox';
import type { UserQuery, UserSortKey } from '../../../domain/user.ts';
import type { UserStatus } from '../../../domain/user.ts';
import { badRequest } from './errors.ts';

/** The most users one answer carries; admin-web asks for "all" with limit=1000000 to fill a picker. */
export const MAX_USERS_PER_ANSWER = 10_000;

export const UserListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
  match: Type.Optional(Type.String({ maxLength: 256 })),
  status: Type.Optional(Type.String({ pattern: '^\\d{1,2}(,\\d{1,2})*$', maxLength: 64 })),
  sort: Type.Optional(Type.String({ pattern: '^[A-Za-z_]{1,32}(,(asc|desc))?$' })),
  filterProp: Type.Optional(Type.String({ maxLength: 512 })),
  linked: Type.Optional(Type.Boolean()),
}, { additionalProperties: true });

type Query = { limit?: number; offset?: number; match?: string; status?: string; sort?: string; filterProp?: string; linked?: boolean };

/**
 * grommunio's user statuses (0 normal, 1 suspended, 3 deleted, 4 shared mailbox, 5 contact) as
 * ldapsync's: it keeps only normal and deactivated people, so 3, 4 and 5 match nobody.
 */
const STATUS: Record<number, UserStatus | null> = { 0: 'active', 1: 'deactivated', 2: null, 3: null, 4: null, 5: null };

const SORT_KEYS: Record<string, UserSortKey> = { ID: 'id', id: 'id', username: 'username', displayname: 'displayname', creationtime: 'creationtime' };

/** Every user here is a person (displaytypeex 0); a type filter without 0 matches nobody. */
function typeFilterExcludesPeople(filterProp: string | undefined): boolean {
  const types = filterProp?.split(';').map((f) => /^displaytypeex:(.*)$/.exec(f.trim())?.[1]).find((v) => v !== undefined);
  return types !== undefined && !types.split(',').map((v) => v.trim()).includes('0');
}

/** The store query for this request, or null when nothing can match (an empty list, not an error). */
export function userQueryFrom(q: Query, domainId: number | number[]): UserQuery | null {
  let statuses: UserStatus[] | undefined;
  if (q.status !== undefined) {
    const codes = q.status.split(',').map(Number);
    const unknown = codes.filter((c) => !(c in STATUS));
    if (unknown.length) throw badRequest([`querystring.status: ${unknown.join(', ')} is not a user status (0, 1, 2, 3, 4 or 5)`]);
    statuses = [...new Set(codes.map((c) => STATUS[c]).filter((s): s is UserStatus => s !== null))];
  }
  const [field, direction] = (q.sort ?? '').split(',');
  const key = field ? SORT_KEYS[field] : undefined;
  if (field && !key) throw badRequest([`querystring.sort: '${field}' is not a sortable field; use username, displayname, creationtime or ID`]);
  if (typeFilterExcludesPeople(q.filterProp) || statuses?.length === 0) return null;
  return {
    domainId, query: q.match, statuses, limit: Math.min(q.limit ?? 50, MAX_USERS_PER_ANSWER), offset: q.offset ?? 0,
    ...(key ? { sort: { key, descending: direction === 'desc' } } : {}),
    ...(q.linked !== undefined ? { linked: q.linked } : {}),
  };
}
