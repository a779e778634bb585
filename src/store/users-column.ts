/**
 * Sets one column of many users, a value each, in one statement: `unnest` of two binary arrays
 * on PostgreSQL (pg-arrays.ts), `json_each` of [id, value] pairs on SQLite.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from './sql-dialect.ts';
import { sqlArray } from './pg-arrays.ts';

/** The columns set this way, with their PostgreSQL array type; names are ours, never input. */
const COLUMNS = { entry_key: 'text', extern_key: 'bigint' } as const;

export async function setUsersColumn<DB>(db: Kysely<DB>, dialect: Dialect, column: keyof typeof COLUMNS, values: Array<{ id: number; value: string | number }>): Promise<void> {
  if (values.length === 0) return;
  if (dialect === 'postgres') {
    await sql`UPDATE users SET ${sql.ref(column)} = k.value FROM unnest(${sqlArray('integer', values.map((v) => v.id))}::integer[], ${sqlArray(COLUMNS[column], values.map((v) => v.value))}::${sql.raw(COLUMNS[column])}[]) AS k(id, value) WHERE users.id = k.id`.execute(db);
  } else {
    await sql`UPDATE users SET ${sql.ref(column)} = k.value ->> '$[1]' FROM json_each(${JSON.stringify(values.map((v) => [v.id, v.value]))}) AS k WHERE users.id = k.value ->> '$[0]'`.execute(db);
  }
}
