/** Opens the store: node:sqlite in the data folder by default, PostgreSQL when a URL is given. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { openSqlite } from './sqlite-adapter.ts';
import type { CommitGroup, CommitTiming } from './commit-group.ts';
import { migrate } from './migrations/index.ts';

import type { Dialect } from './sql-dialect.ts';
export type { Dialect };

export interface StoreLocation {
  /** postgres://... ; when absent the embedded SQLite file is used. */
  databaseUrl?: string | null;
  dataDir: string;
  /** PostgreSQL schema to work in (tests isolate themselves this way). */
  schema?: string;
  /** SQLite: the connection is a sync's own, whose runs commit pages together (see commit-group.ts). */
  groupCommits?: boolean | CommitTiming;
}

export interface OpenDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  commitGroup: CommitGroup | null;
  close(): Promise<void>;
}

// int8 counts arrive as strings from pg; ours always fit a JS number.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export async function openDatabase(location: StoreLocation): Promise<OpenDatabase> {
  let db: Kysely<Database>;
  let dialect: Dialect;
  let commitGroup: CommitGroup | null = null;
  if (location.databaseUrl) {
    const options = location.schema ? `-c search_path=${location.schema}` : undefined;
    const pool = new pg.Pool({ connectionString: location.databaseUrl, max: 10, options });
    // An idle connection the server dropped (restart, failover) must not crash the process: the
    // pool discards it, and the next query opens a new one or fails where it is awaited.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => { client.on('error', () => undefined); });
    if (location.schema) {
      const client = await pool.connect();
      try { await client.query(`CREATE SCHEMA IF NOT EXISTS "${location.schema.replace(/"/g, '')}"`); } finally { client.release(); }
    }
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    dialect = 'postgres';
  } else {
    mkdirSync(location.dataDir, { recursive: true });
    const file = join(location.dataDir, 'ldapsync.sqlite');
    const sqlite = openSqlite(file, { groupCommits: location.groupCommits ?? false });
    commitGroup = sqlite.group;
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    dialect = 'sqlite';
  }
  await migrate(db, dialect, location.schema);
  return { db, dialect, commitGroup, close: () => db.destroy() };
}
