/**
 * Users are looked up by a number made from their stable ID (`store/extern-key.ts`), indexed in
 * place of the ID's bytes: the index a directory's unordered IDs write all over is a third of
 * the size. Users linked before get their key here, a chunk at a time.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../sql-dialect.ts';
import { externKey } from '../extern-key.ts';

const CHUNK = 5000;

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('users').addColumn('extern_key', dialect === 'postgres' ? 'bigint' : 'integer').execute();
  for (let after = 0; ;) {
    const rows = (await sql<{ id: number; extern_id: Uint8Array }>`SELECT id, extern_id FROM users WHERE extern_id IS NOT NULL AND id > ${after} ORDER BY id LIMIT ${CHUNK}`.execute(db)).rows;
    if (rows.length === 0) break;
    const keys = rows.map((r) => ({ id: r.id, key: externKey(r.extern_id) }));
    if (dialect === 'postgres') {
      await sql`UPDATE users SET extern_key = k.key FROM unnest(${keys.map((k) => k.id)}::integer[], ${keys.map((k) => k.key)}::bigint[]) AS k(id, key) WHERE users.id = k.id`.execute(db);
    } else {
      await sql`UPDATE users SET extern_key = k.value ->> '$[1]' FROM json_each(${JSON.stringify(keys.map((k) => [k.id, k.key]))}) AS k WHERE users.id = k.value ->> '$[0]'`.execute(db);
    }
    after = rows[rows.length - 1]!.id;
  }
  await db.schema.createIndex('users_extern_key').on('users').column('extern_key').execute();
  await db.schema.dropIndex('users_extern').execute();
}
