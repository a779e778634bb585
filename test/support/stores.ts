/** The two stores every store test runs on: node:sqlite in a temp folder and PostgreSQL. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store } from '../../src/open-store.ts';

export interface StoreVariant { name: 'sqlite' | 'postgres'; skip: string | false; open(): Promise<TestStore> }
export interface TestStore { store: Store; dataDir: string; databaseUrl: string | null; schema: string | null; cleanup(): Promise<void> }

export const databaseUrl = process.env.DATABASE_URL || null;

export function storeVariants(): StoreVariant[] {
  return [
    {
      name: 'sqlite', skip: false,
      async open() {
        const dataDir = mkdtempSync(join(tmpdir(), 'ldapsync-store-'));
        // As the sync thread opens it: its runs' pages commit together (src/store/commit-group.ts).
        const store = await openStore({ dataDir, groupCommits: true });
        return { store, dataDir, databaseUrl: null, schema: null, cleanup: async () => { await store.close().catch(() => undefined); rmSync(dataDir, { recursive: true, force: true }); } };
      },
    },
    {
      name: 'postgres', skip: databaseUrl ? false : 'DATABASE_URL is not set (CI sets it; e.g. postgres://postgres@127.0.0.1:5432/test)',
      async open() {
        const dataDir = mkdtempSync(join(tmpdir(), 'ldapsync-store-'));
        const schema = `t_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
        const store = await openStore({ dataDir, databaseUrl, schema });
        return {
          store, dataDir, databaseUrl, schema,
          cleanup: async () => {
            await store.close();
            const client = new pg.Client({ connectionString: databaseUrl! });
            await client.connect();
            try { await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); } finally { await client.end(); }
            rmSync(dataDir, { recursive: true, force: true });
          },
        };
      },
    },
  ];
}
