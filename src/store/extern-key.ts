/** Keys of users' stable IDs: what the store indexes and looks users up by. */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from './sql-dialect.ts';
import { setUsersColumn } from './users-column.ts';

/**
 * The number a user's stable ID is indexed by: 48 bits of a hash of its bytes. A directory's IDs
 * are 16 to 64 bytes (a GUID, an entryUUID's 36 characters, a uid) and arrive in no order, so
 * every new user lands at a random place of the ID index; as a key, a number is a third of the
 * size and compares in one step (100,000 new users in random order on SQLite: 2.0–2.6 s to 1.5 s).
 * Neither secret nor free of collisions: a lookup by key compares the ID itself too, so IDs that
 * share a key, by chance or made to, cost a row more to read and never match wrongly.
 * Stored in the users table: this function must never change.
 */
export function externKey(id: Uint8Array): number {
  let a = 0x811c9dc5 ^ id.length;
  let b = 0x9747b28c;
  for (let i = 0; i < id.length; i++) {
    const c = id[i]!;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (mix(a) >>> 0) * 0x10000 + (mix(b) >>> 16);
}

const FILL_CHUNK = 5000;

/**
 * Gives every linked user without a key its key, a chunk at a time; returns how many. Users are
 * written with their key by this code; a row written otherwise (by hand, or by an instance from
 * before keys, during an upgrade) would be found by no lookup, planned anew and refused by name.
 * The partial index `users_extern_key_missing` holds just those rows: asking costs nothing.
 */
export async function fillMissingExternKeys<DB>(db: Kysely<DB>, dialect: Dialect): Promise<number> {
  let filled = 0;
  for (;;) {
    const rows = (await sql<{ id: number; extern_id: Uint8Array }>`SELECT id, extern_id FROM users WHERE extern_id IS NOT NULL AND extern_key IS NULL ORDER BY id LIMIT ${FILL_CHUNK}`.execute(db)).rows;
    if (rows.length === 0) return filled;
    await setUsersColumn(db, dialect, 'extern_key', rows.map((r) => ({ id: r.id, value: externKey(r.extern_id) })));
    filled += rows.length;
  }
}

/** Murmur3's finaliser: every bit of the input moves every bit of the output. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
