import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import { externKey, fillMissingExternKeys } from '../extern-key.ts';
import { setUsersColumn } from '../users-column.ts';
import { sqlArray } from '../pg-arrays.ts';
import { insertPrepared, prepareArrays, prepareByPosition, type NewUser, type PreparedInsert } from './user-inserts.ts';
import { updateSynced, updateSyncedJson, type SyncedFields, type SyncedUpdate } from './user-updates.ts';
import type { Dialect } from '../database.ts';
import type { Database, UsersTable } from '../schema.ts';
import type { StatusSource, User, UserStatus } from '../../domain/user.ts';
import { ConfirmedTimes } from './run-confirmations.ts';

type Row = Selectable<UsersTable>;

import type { StoredUser, UserQuery, UserSortKey } from '../../domain/user.ts';
export type { UserQuery, UserSortKey };
export type { StoredUser };

/** What tells at a glance whether a directory entry changed: a StoredUser without the fields a diff reads. */
/** `entryKey`: the key of the directory entry the stored fields were mapped from (sync/entry-key.ts). */
export type StoredSyncState = Omit<StoredUser, 'displayName' | 'aliasesJson' | 'propertiesJson' | 'groupsJson' | 'rolesJson'> & { entryKey: string | null };

export type { NewUser, PreparedInsert };

export type { SyncedFields, SyncedUpdate };

const bytes = (v: Uint8Array | null): Uint8Array | null => (v === null ? null : new Uint8Array(v));

export const toUser = (r: Row): User => ({
  id: r.id, domainId: r.domain_id, username: r.username, externId: bytes(r.extern_id), dn: r.dn,
  displayName: r.display_name, email: r.email, aliases: JSON.parse(r.aliases) as string[], lang: r.lang,
  status: r.status as UserStatus, statusSource: r.status_source as StatusSource | null, statusReason: r.status_reason,
  properties: JSON.parse(r.properties) as Record<string, string>, groups: JSON.parse(r.groups) as string[], roles: JSON.parse(r.roles) as string[],
  syncHash: r.sync_hash, avatarHash: r.avatar_hash, lastSyncedAt: r.last_synced_at, statusChangedAt: r.status_changed_at,
  createdAt: r.created_at, updatedAt: r.updated_at,
});

const toStored = (r: Pick<Row, 'id' | 'domain_id' | 'username' | 'extern_id' | 'dn' | 'display_name' | 'aliases' | 'properties' | 'groups' | 'roles' | 'status' | 'status_source' | 'sync_hash' | 'avatar_hash'>): StoredUser => ({
  id: r.id, domainId: r.domain_id, username: r.username, externId: bytes(r.extern_id), dn: r.dn, displayName: r.display_name,
  aliasesJson: r.aliases, propertiesJson: r.properties, groupsJson: r.groups, rolesJson: r.roles, status: r.status as UserStatus,
  statusSource: r.status_source as StatusSource | null, syncHash: r.sync_hash, avatarHash: r.avatar_hash,
});

const STORED_COLUMNS = ['id', 'domain_id', 'username', 'extern_id', 'dn', 'display_name', 'aliases', 'properties', 'groups', 'roles', 'status', 'status_source', 'sync_hash', 'avatar_hash'] as const;

/**
 * The rows whose ID is one of `ids`: a key names an ID's row, and now and then another's too
 * (48 bits; see extern-key.ts). Compared as bytes, as the index on the bytes used to.
 */
function withIds<R extends { extern_id: Uint8Array | null; extern_key: number | null }>(rows: R[], wanted: Map<number, Uint8Array[]>): R[] {
  return rows.filter((r) => r.extern_id !== null && r.extern_key !== null && (wanted.get(Number(r.extern_key)) ?? []).some((id) => Buffer.compare(id, r.extern_id!) === 0));
}

/** The IDs by their keys (two IDs may share one). */
function byKey(ids: Uint8Array[]): Map<number, Uint8Array[]> {
  const wanted = new Map<number, Uint8Array[]>();
  for (const id of ids) { const key = externKey(id); const list = wanted.get(key); if (list) list.push(id); else wanted.set(key, [id]); }
  return wanted;
}

/** Values per IN list, well under both dialects' bound-parameter limits. */
const LOOKUP_CHUNK = 500;

const SORT_COLUMNS = { id: 'id', username: 'username', displayname: 'display_name', creationtime: 'created_at' } as const;


export class UserRepository {
  private readonly db: Kysely<Database>;
  /**
   * On PostgreSQL the hot lookups send their lists as one array instead of a parameter per value,
   * which the server parses and plans far faster for a page of 1,000, as `IN (SELECT unnest(…))`:
   * for `= ANY(…)` of 1,000 values the planner reads the whole table (10 ms at 50,000 users, every
   * page, more as it grows) unless the rows are stored in the order of the key, which a directory's
   * IDs and names never are; a set of unknown size it looks up by index (1.4 ms).
   */
  private readonly pg: boolean;
  /** Users a run found unchanged are not written to; their last-synced time comes from the run. */
  private readonly confirmedTimes: ConfirmedTimes;
  constructor(db: Kysely<Database>, dialect: Dialect = 'sqlite') { this.db = db; this.pg = dialect === 'postgres'; this.confirmedTimes = new ConfirmedTimes(db); }

  async byExternIds(ids: Uint8Array[]): Promise<StoredUser[]> {
    if (ids.length === 0) return [];
    const wanted = byKey(ids);
    const rows = await this.db.selectFrom('users').select([...STORED_COLUMNS, 'extern_key']).where(this.keyIn(wanted)).execute();
    return withIds(rows, wanted).map(toStored);
  }

  /** Like byExternIds without the text a diff needs: most entries of a full run are unchanged. */
  async syncStatesByExternIds(ids: Uint8Array[]): Promise<StoredSyncState[]> {
    if (ids.length === 0) return [];
    const wanted = byKey(ids);
    const rows = await this.db.selectFrom('users').select(['id', 'domain_id', 'username', 'extern_id', 'extern_key', 'dn', 'status', 'status_source', 'sync_hash', 'avatar_hash', 'entry_key'])
      .where(this.keyIn(wanted)).execute();
    return withIds(rows, wanted).map((r) => ({
      id: r.id, domainId: r.domain_id, username: r.username, externId: bytes(r.extern_id), dn: r.dn, status: r.status as UserStatus,
      statusSource: r.status_source as StatusSource | null, syncHash: r.sync_hash, avatarHash: r.avatar_hash, entryKey: r.entry_key,
    }));
  }

  /** Users whose key is one of these; `withIds` keeps those whose ID is one asked for. */
  private keyIn(wanted: Map<number, Uint8Array[]>) {
    const keys = [...wanted.keys()];
    return (eb: ExpressionBuilder<Database, 'users'>) => eb('extern_key', 'in', this.valuesIn<number>(keys, 'bigint'));
  }

  /**
   * A page's list of values as one parameter: a binary array on PostgreSQL (see `pg` and
   * pg-arrays.ts), a JSON array on SQLite. A parameter per value made SQLite's statement text
   * differ with the list's length (a statement prepared anew for most pages of a resync) and the
   * query builder walk 1,000 values.
   */
  private valuesIn<T>(values: Array<string | number>, pgType: 'bigint' | 'integer' | 'text') {
    return this.pg ? sql<T>`(SELECT unnest(${sqlArray(pgType, values)}::${sql.raw(pgType)}[]))` : sql<T>`(SELECT value FROM json_each(${JSON.stringify(values)}))`;
  }

  /** See extern-key.ts: linked users without their ID's key get it; returns how many. */
  fillMissingExternKeys(): Promise<number> { return fillMissingExternKeys(this.db, this.pg ? 'postgres' : 'sqlite'); }

  async byUsernames(names: string[]): Promise<StoredUser[]> {
    if (names.length === 0) return [];
    const rows = await this.db.selectFrom('users').select(STORED_COLUMNS).where((eb) => eb('username', 'in', this.valuesIn<string>(names, 'text'))).execute();
    return rows.map(toStored);
  }

  async insertMany(users: NewUser[], now = new Date().toISOString()): Promise<Array<{ id: number; username: string }>> {
    return this.insertPrepared(this.prepareInsert(users, now));
  }

  /** The rows of new users as this store sends them, made at once: see `PreparedInsert`. */
  prepareInsert(users: NewUser[], now: string): PreparedInsert {
    return this.pg ? prepareArrays(users, now) : prepareByPosition(users, now);
  }

  insertPrepared(prepared: PreparedInsert): Promise<Array<{ id: number; username: string }>> {
    return insertPrepared(this.db, prepared);
  }

  async updateSynced(id: number, fields: SyncedFields, now = new Date().toISOString()): Promise<void> {
    await updateSynced(this.db, id, fields, now);
  }

  /** Users written as `updateSynced` writes each, none renamed, each once (see `updateSyncedJson`). */
  async updateSyncedMany(updates: SyncedUpdate[], now = new Date().toISOString()): Promise<void> {
    if (this.pg) await updateSyncedJson(this.db, updates, now);
    else for (const { id, fields } of updates) await updateSynced(this.db, id, fields, now);
  }

  async touchSynced(ids: number[], now = new Date().toISOString()): Promise<void> {
    if (ids.length) await this.db.updateTable('users').set({ last_synced_at: now }).where((eb) => eb('id', 'in', this.valuesIn<number>(ids, 'integer'))).execute();
  }

  /** Keys of the entries unchanged users were found as (a page at a time, one statement). */
  async setEntryKeys(keys: Array<{ id: number; key: string }>): Promise<void> {
    await setUsersColumn(this.db, this.pg ? 'postgres' : 'sqlite', 'entry_key', keys.map((k) => ({ id: k.id, value: k.key })));
  }

  async setStatus(ids: number[], status: UserStatus, source: StatusSource | null, reason: string | null, now = new Date().toISOString()): Promise<void> {
    if (ids.length) await this.db.updateTable('users').set({ status, status_source: source, status_reason: reason, status_changed_at: now, updated_at: now }).where('id', 'in', ids).execute();
  }

  /**
   * PostgreSQL plans from statistics its autovacuum gathers a minute or more after a bulk import;
   * until then it believes the table empty and answers each page's lookup by ID with a sequential
   * scan. Gathered now, the next lookups use the index. SQLite uses its indexes without statistics.
   */
  async refreshStatistics(): Promise<void> {
    if (this.pg) await sql`ANALYZE users`.execute(this.db);
  }

  async maxId(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
    return Number(row?.max ?? 0);
  }

  /** Linked users of a domain in ID order, a chunk at a time (keyset paging keeps memory flat). */
  async *linkedInDomain(domainId: number, chunk = 5000): AsyncGenerator<StoredUser[]> {
    let after = 0;
    for (;;) {
      const rows = await this.db.selectFrom('users').select(STORED_COLUMNS)
        .where('domain_id', '=', domainId).where('extern_id', 'is not', null).where('id', '>', after)
        .orderBy('id').limit(chunk).execute();
      if (rows.length === 0) return;
      yield rows.map(toStored);
      after = rows[rows.length - 1]!.id;
    }
  }

  /**
   * Linked, active users of a domain, only what the search for users gone needs, in ID order a
   * chunk at a time: a full run reads every one of them, so the fewer columns the better.
   */
  async *linkedActiveInDomain(domainId: number, chunk = 5000): AsyncGenerator<Array<{ id: number; username: string; dn: string | null }>> {
    let after = 0;
    for (;;) {
      const rows = await this.db.selectFrom('users').select(['id', 'username', 'dn'])
        .where('domain_id', '=', domainId).where('extern_id', 'is not', null).where('status', '=', 'active').where('id', '>', after)
        .orderBy('id').limit(chunk).execute();
      if (rows.length === 0) return;
      yield rows;
      after = rows[rows.length - 1]!.id;
    }
  }

  /** The same as linkedActiveInDomain, among these IDs only: what a run did not see is usually few. */
  async linkedActiveAmong(domainId: number, ids: number[]): Promise<Array<{ id: number; username: string; dn: string | null }>> {
    if (ids.length === 0) return [];
    return this.db.selectFrom('users').select(['id', 'username', 'dn'])
      .where('id', 'in', ids).where('domain_id', '=', domainId).where('extern_id', 'is not', null).where('status', '=', 'active')
      .orderBy('id').execute();
  }

  /** Linked users the sync deactivated as gone before `before` (candidates for deletion). */
  async goneSince(domainId: number, reason: string, before: string): Promise<Array<{ id: number; username: string }>> {
    return this.db.selectFrom('users').select(['id', 'username'])
      .where('domain_id', '=', domainId).where('status', '=', 'deactivated').where('status_source', '=', 'sync')
      .where('status_reason', '=', reason).where('status_changed_at', '<', before).where('extern_id', 'is not', null).execute();
  }

  /** Linked users of a domain whose stored groups mention any of these group names. */
  async inGroups(domainId: number, groups: string[]): Promise<StoredUser[]> {
    if (groups.length === 0) return [];
    const rows = await this.db.selectFrom('users').select(STORED_COLUMNS).where('domain_id', '=', domainId).where('extern_id', 'is not', null)
      .where((eb) => eb.or(groups.map((g) => eb('groups', 'like', `%${JSON.stringify(g).replace(/[%_]/g, '')}%`)))).execute();
    return rows.map(toStored).filter((u) => (JSON.parse(u.groupsJson) as string[]).some((g) => groups.includes(g)));
  }

  async countLinkedActive(domainId: number): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n'))
      .where('domain_id', '=', domainId).where('status', '=', 'active').where('extern_id', 'is not', null).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Linked users of a domain by DN, compared without case. */
  async byDns(domainId: number, dns: string[]): Promise<StoredUser[]> {
    const out: StoredUser[] = [];
    for (let i = 0; i < dns.length; i += LOOKUP_CHUNK) {
      const chunk = dns.slice(i, i + LOOKUP_CHUNK).map((d) => d.toLowerCase());
      const rows = await this.db.selectFrom('users').select(STORED_COLUMNS).where('domain_id', '=', domainId).where('extern_id', 'is not', null)
        .where((eb) => eb(eb.fn('lower', ['dn']), 'in', chunk)).execute();
      out.push(...rows.map(toStored));
    }
    return out;
  }

  async deleteMany(ids: number[]): Promise<void> {
    if (ids.length) await this.db.deleteFrom('users').where('id', 'in', ids).execute();
  }

  /** Users by ID, in one query a chunk (and one look at the confirming runs), in no order. */
  async byIds(ids: number[]): Promise<User[]> {
    const out: User[] = [];
    for (let i = 0; i < ids.length; i += LOOKUP_CHUNK) {
      const rows = await this.db.selectFrom('users').selectAll().where('id', 'in', ids.slice(i, i + LOOKUP_CHUNK)).execute();
      out.push(...rows.map(toUser));
    }
    return this.confirmedTimes.resolve(out);
  }

  async get(id: number): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && (await this.confirmedTimes.resolve([toUser(row)]))[0];
  }

  async byUsername(username: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username.toLowerCase()).executeTakeFirst();
    return row && (await this.confirmedTimes.resolve([toUser(row)]))[0];
  }

  async list(q: UserQuery): Promise<{ users: User[]; total: number }> {
    const many = Array.isArray(q.domainId);
    if (many && (q.domainId as number[]).length === 0) return { users: [], total: 0 };
    let base = many ? this.db.selectFrom('users').where('domain_id', 'in', q.domainId as number[]) : this.db.selectFrom('users').where('domain_id', '=', q.domainId as number);
    if (q.query) base = base.where((eb) => eb.or([eb('username', 'like', `%${q.query}%`), eb('display_name', 'like', `%${q.query}%`)]));
    if (q.status) base = base.where('status', '=', q.status);
    if (q.statuses) base = q.statuses.length ? base.where('status', 'in', q.statuses) : base.where('id', '<', 0);
    if (q.linked !== undefined) base = base.where('extern_id', q.linked ? 'is not' : 'is', null);
    const ordered = () => {
      if (q.sort) return base.selectAll().orderBy(SORT_COLUMNS[q.sort.key], q.sort.descending ? 'desc' : 'asc').orderBy('id');
      return many ? base.selectAll().orderBy('domain_id').orderBy('id') : base.selectAll().orderBy('id');
    };
    const [rows, count] = await Promise.all([
      q.limit > 0 ? ordered().limit(q.limit).offset(q.offset).execute() : Promise.resolve([]),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { users: await this.confirmedTimes.resolve(rows.map(toUser)), total: Number(count.n) };
  }

  /**
   * The directory groups the sync recorded for a domain's users, by name, with their members'
   * usernames. Reads the groups column of the domain's linked users, a chunk at a time.
   */
  async groupsInDomain(domainId: number): Promise<Array<{ name: string; members: string[] }>> {
    const groups = new Map<string, string[]>();
    let after = 0;
    for (;;) {
      const rows = await this.db.selectFrom('users').select(['id', 'username', 'groups'])
        .where('domain_id', '=', domainId).where('groups', '!=', '[]').where('id', '>', after).orderBy('id').limit(5000).execute();
      if (rows.length === 0) break;
      for (const r of rows) for (const g of JSON.parse(r.groups) as string[]) { const list = groups.get(g); if (list) list.push(r.username); else groups.set(g, [r.username]); }
      after = rows[rows.length - 1]!.id;
    }
    return [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([name, members]) => ({ name, members }));
  }

  async countByStatus(domainId: number): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('users').select(['status', (eb) => eb.fn.countAll().as('n')]).where('domain_id', '=', domainId).groupBy('status').execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  async detach(id: number): Promise<void> {
    await this.db.updateTable('users').set({ extern_id: null, extern_key: null, dn: null, sync_hash: null, entry_key: null, updated_at: new Date().toISOString() }).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<boolean> {
    const r = await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
