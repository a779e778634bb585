/**
 * New users in bulk, the write an import spends most of its store time on. Each dialect gets the
 * statement it parses and binds fastest; both return the IDs the users received.
 */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { User } from '../../domain/user.ts';
import { externKey } from '../extern-key.ts';

/** A user as the sync or an admin creates it: everything but what the store assigns. */
export type NewUser = Omit<User, 'id' | 'lastSyncedAt' | 'createdAt' | 'updatedAt' | 'statusChangedAt' | 'groups' | 'roles' | 'avatarHash'> & Partial<Pick<User, 'groups' | 'roles' | 'avatarHash'>> & { entryKey?: string | null };

type Created = Array<{ id: number; username: string }>;

/** Rows per INSERT on SQLite: 22 parameters each, well under its bound-parameter limit. */
const INSERT_CHUNK = 500;

const INSERT_COLUMNS = ['domain_id', 'username', 'extern_id', 'extern_key', 'dn', 'display_name', 'email', 'aliases', 'lang', 'status', 'status_source', 'status_reason', 'properties', 'sync_hash', 'entry_key', 'groups', 'roles', 'avatar_hash', 'status_changed_at', 'last_synced_at', 'created_at', 'updated_at'];
const statements = new Map<number, string>();

/** The INSERT of `rows` new users, bound by position, RETURNING their IDs; one text per row count. */
function insertStatement(rows: number): string {
  let text = statements.get(rows);
  if (text === undefined) {
    const row = `(${INSERT_COLUMNS.map(() => '?').join(', ')})`;
    text = `insert into "users" (${INSERT_COLUMNS.map((c) => `"${c}"`).join(', ')}) values ${Array(rows).fill(row).join(', ')} returning "id", "username"`;
    statements.set(rows, text);
  }
  return text;
}

/**
 * SQLite: values bound by position into a statement kept per row count (prepared once); a query
 * builder's bookkeeping of 22 parameters a row cost more than SQLite's insert itself.
 */
export async function insertByPosition(db: Kysely<Database>, users: NewUser[], now: string): Promise<Created> {
  const out: Created = [];
  for (let i = 0; i < users.length; i += INSERT_CHUNK) {
    const rows = Math.min(INSERT_CHUNK, users.length - i);
    // Sized once: pushing 10,000 values grew the array a dozen times per statement.
    const parameters: unknown[] = new Array(rows * INSERT_COLUMNS.length);
    let p = 0;
    for (let k = i; k < i + rows; k++) {
      const u = users[k]!;
      parameters[p++] = u.domainId; parameters[p++] = u.username; parameters[p++] = u.externId; parameters[p++] = u.externId ? externKey(u.externId) : null; parameters[p++] = u.dn; parameters[p++] = u.displayName;
      parameters[p++] = u.email; parameters[p++] = JSON.stringify(u.aliases); parameters[p++] = u.lang; parameters[p++] = u.status; parameters[p++] = u.statusSource;
      parameters[p++] = u.statusReason; parameters[p++] = JSON.stringify(u.properties); parameters[p++] = u.syncHash; parameters[p++] = u.entryKey ?? null;
      parameters[p++] = JSON.stringify(u.groups ?? []); parameters[p++] = JSON.stringify(u.roles ?? []); parameters[p++] = u.avatarHash ?? null;
      parameters[p++] = u.status === 'active' ? null : now; parameters[p++] = u.externId ? now : null; parameters[p++] = now; parameters[p++] = now;
    }
    out.push(...(await db.executeQuery<{ id: number; username: string }>(CompiledQuery.raw(insertStatement(rows), parameters))).rows);
  }
  return out;
}

/**
 * PostgreSQL: one array per column instead of twenty parameters a row, so a page of new users
 * is one short statement to parse and bind, whatever its size.
 */
export async function insertUnnest(db: Kysely<Database>, users: NewUser[], now: string): Promise<Created> {
  if (users.length === 0) return [];
  const column = <T,>(f: (u: NewUser) => T): T[] => users.map(f);
  const rows = await sql<{ id: number; username: string }>`
    INSERT INTO users (${sql.raw(INSERT_COLUMNS.join(', '))})
    SELECT *, ${now}::text, ${now}::text FROM unnest(
      ${column((u) => u.domainId)}::integer[], ${column((u) => u.username)}::text[], ${column((u) => u.externId)}::bytea[], ${column((u) => (u.externId ? externKey(u.externId) : null))}::bigint[], ${column((u) => u.dn)}::text[],
      ${column((u) => u.displayName)}::text[], ${column((u) => u.email)}::text[], ${column((u) => JSON.stringify(u.aliases))}::text[], ${column((u) => u.lang)}::text[],
      ${column((u) => u.status)}::text[], ${column((u) => u.statusSource)}::text[], ${column((u) => u.statusReason)}::text[], ${column((u) => JSON.stringify(u.properties))}::text[],
      ${column((u) => u.syncHash)}::text[], ${column((u) => u.entryKey ?? null)}::text[], ${column((u) => JSON.stringify(u.groups ?? []))}::text[], ${column((u) => JSON.stringify(u.roles ?? []))}::text[], ${column((u) => u.avatarHash ?? null)}::text[],
      ${column((u) => (u.status === 'active' ? null : now))}::text[], ${column((u) => (u.externId ? now : null))}::text[])
    RETURNING id, username`.execute(db);
  return rows.rows;
}
