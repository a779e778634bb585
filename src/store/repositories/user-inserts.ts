/**
 * New users in bulk, the write an import spends most of its store time on. Each dialect gets the
 * statement it parses and binds fastest; both return the IDs the users received.
 */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { externIdHex, type User } from '../../domain/user.ts';
import { externKey } from '../extern-key.ts';

/** A user as the sync or an admin creates it: everything but what the store assigns. */
export type NewUser = Omit<User, 'id' | 'lastSyncedAt' | 'createdAt' | 'updatedAt' | 'statusChangedAt' | 'groups' | 'roles' | 'avatarHash'> & Partial<Pick<User, 'groups' | 'roles' | 'avatarHash'>> & { entryKey?: string | null };

type Created = Array<{ id: number; username: string }>;

const INSERT_COLUMNS = ['domain_id', 'username', 'extern_id', 'extern_key', 'dn', 'display_name', 'email', 'aliases', 'lang', 'status', 'status_source', 'status_reason', 'properties', 'sync_hash', 'entry_key', 'groups', 'roles', 'avatar_hash', 'status_changed_at', 'last_synced_at', 'created_at', 'updated_at'];

/** The INSERT of one new user, bound by position; SQLite runs it once per row (see `runEach`). */
const INSERT_ROW = `insert into "users" (${INSERT_COLUMNS.map((c) => `"${c}"`).join(', ')}) values (${INSERT_COLUMNS.map(() => '?').join(', ')})`;

/**
 * New users as the dialect sends them, made before the insert waits for anything: the users they
 * came from can be collected while it does (on PostgreSQL the next page is read meanwhile, and
 * what lives across that is promoted to the old generation).
 */
export type PreparedInsert =
  | { dialect: 'sqlite'; rows: unknown[][] }
  | { dialect: 'postgres'; document: Buffer | null; now: string };

/**
 * SQLite: a row of values bound by position per user, for one statement prepared once; a query
 * builder's bookkeeping of 22 parameters a row cost more than SQLite's insert itself.
 */
export function prepareByPosition(users: NewUser[], now: string): PreparedInsert {
  const rows: unknown[][] = new Array(users.length);
  for (let k = 0; k < users.length; k++) {
    const u = users[k]!;
    // Sized once: pushing 22 values grew the array a few times per row.
    const row: unknown[] = new Array(INSERT_COLUMNS.length);
    let p = 0;
    row[p++] = u.domainId; row[p++] = u.username; row[p++] = u.externId; row[p++] = u.externId ? externKey(u.externId) : null; row[p++] = u.dn; row[p++] = u.displayName;
    row[p++] = u.email; row[p++] = JSON.stringify(u.aliases); row[p++] = u.lang; row[p++] = u.status; row[p++] = u.statusSource;
    row[p++] = u.statusReason; row[p++] = JSON.stringify(u.properties); row[p++] = u.syncHash; row[p++] = u.entryKey ?? null;
    row[p++] = JSON.stringify(u.groups ?? []); row[p++] = JSON.stringify(u.roles ?? []); row[p++] = u.avatarHash ?? null;
    row[p++] = u.status === 'active' ? null : now; row[p++] = u.externId ? now : null; row[p++] = now; row[p] = now;
    rows[k] = row;
  }
  return { dialect: 'sqlite', rows };
}

/** Where a row's username is among its parameters. */
const USERNAME_AT = INSERT_COLUMNS.indexOf('username');

/**
 * The rows go to the adapter as one list, which it runs row by row in this transaction (a
 * failing row fails the whole insert, and its transaction rolls back). The IDs come from the
 * last rowid, not from RETURNING (a result row per user, 10 % of the insert's time): `users.id`
 * is AUTOINCREMENT, so each row takes the largest ID the table ever had plus one, in order, and
 * no other writer runs meanwhile.
 */
async function insertByPosition(db: Kysely<Database>, rows: unknown[][]): Promise<Created> {
  if (rows.length === 0) return [];
  const result = await db.executeQuery(CompiledQuery.raw(INSERT_ROW, rows));
  if (Number(result.numAffectedRows) !== rows.length || result.insertId === undefined) throw new Error(`inserted ${String(result.numAffectedRows)} users of ${rows.length}`);
  const first = Number(result.insertId) - rows.length + 1;
  return rows.map((row, r) => ({ id: first + r, username: row[USERNAME_AT] as string }));
}

/**
 * PostgreSQL: the page as one JSON document of rows, read back by `json_to_recordset`. One
 * native `JSON.stringify` in place of twenty arrays, each of whose elements pg quoted and escaped
 * in JavaScript: for 100,000 new users 0.6 s of client CPU against 1.1 s, with the server's as it
 * was. Every text here is decoded from UTF-8 or made by this code, so none holds a lone surrogate
 * PostgreSQL's JSON would refuse, and the mapper strips the NULs it cannot store. The JSON lists
 * go in as the `json` type, whose text is kept as written: the very `JSON.stringify` of each.
 * The document is sent as its UTF-8 bytes (pg passes a Buffer as is, and binary `json` is its
 * text): the string dies at once, where pg kept it until the server answered, long enough for
 * 60 to 90 MB of them per 100,000 users to be promoted to the old generation.
 */
export function prepareJson(users: NewUser[], now: string): PreparedInsert {
  if (users.length === 0) return { dialect: 'postgres', document: null, now };
  // Keys of a letter or two: a page's document is a fifth smaller than with the column names.
  const rows = users.map((u) => ({
    d: u.domainId, u: u.username, x: u.externId ? externIdHex(u.externId) : null, k: u.externId ? externKey(u.externId) : null,
    n: u.dn, v: u.displayName, e: u.email, a: u.aliases, l: u.lang, s: u.status, o: u.statusSource, r: u.statusReason, p: u.properties, h: u.syncHash,
    y: u.entryKey ?? null, g: u.groups ?? [], ro: u.roles ?? [], av: u.avatarHash ?? null, c: u.status === 'active' ? null : now,
  }));
  return { dialect: 'postgres', document: Buffer.from(JSON.stringify(rows)), now };
}

async function insertFromJson(db: Kysely<Database>, document: Buffer | null, now: string): Promise<Created> {
  if (document === null) return [];
  const result = await sql<{ id: number; username: string }>`
    INSERT INTO users (${sql.raw(INSERT_COLUMNS.join(', '))})
    SELECT d, u, decode(x, 'hex'), k, n, v, e, a::text, l, s, o, r, p::text, h, y, g::text, ro::text, av, c, CASE WHEN x IS NULL THEN NULL ELSE ${now}::text END, ${now}::text, ${now}::text
    FROM json_to_recordset(${document}::json) AS t(d integer, u text, x text, k bigint, n text, v text, e text, a json, l text, s text, o text, r text, p json, h text, y text, g json, ro json, av text, c text)
    RETURNING id, username`.execute(db);
  return result.rows;
}

/** Inserts what `prepareByPosition` or `prepareJson` made; returns the IDs the users received. */
export function insertPrepared(db: Kysely<Database>, prepared: PreparedInsert): Promise<Created> {
  return prepared.dialect === 'sqlite' ? insertByPosition(db, prepared.rows) : insertFromJson(db, prepared.document, prepared.now);
}
