/** Runs the schema migrations at start; each migration is a file of its own, in order. */
import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { Dialect } from '../database.ts';
import * as initial from './001-initial.ts';
import * as accounts from './002-accounts.ts';
import * as deltaAndGuards from './003-delta-and-guards.ts';
import * as syncLocks from './004-sync-locks.ts';
import * as taskCancel from './005-task-cancel.ts';
import * as scheduleFires from './006-schedule-fires.ts';
import * as rocketchatAuth from './007-rocketchat-auth.ts';
import * as avatars from './008-avatars.ts';
import * as emailTwoFactor from './009-email-two-factor.ts';

export interface DialectMigration {
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

const MIGRATIONS: Record<string, DialectMigration> = {
  '001-initial': initial,
  '002-accounts': accounts,
  '003-delta-and-guards': deltaAndGuards,
  '004-sync-locks': syncLocks,
  '005-task-cancel': taskCancel,
  '006-schedule-fires': scheduleFires,
  '007-rocketchat-auth': rocketchatAuth,
  '008-avatars': avatars,
  '009-email-two-factor': emailTwoFactor,
};

class InlineProvider implements MigrationProvider {
  private readonly dialect: Dialect;
  constructor(dialect: Dialect) { this.dialect = dialect; }
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(Object.entries(MIGRATIONS).map(([name, m]) => [name, { up: (db: Kysely<unknown>) => m.up(db, this.dialect) }]));
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on any schema
export async function migrate(db: Kysely<any>, dialect: Dialect): Promise<void> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one: another
  // ldapsync (or a test) in a neighbouring schema of the same database would make this one skip
  // creating them, then fail. Pin them to the schema this connection works in.
  const schema = dialect === 'postgres' ? (await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db)).rows[0]?.schema : undefined;
  const migrator = new Migrator({ db, provider: new InlineProvider(dialect), ...(schema ? { migrationTableSchema: schema } : {}) });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (!error && !failed) return;
    const message = (error as Error)?.message ?? String(error);
    // Kysely reads the table list of every schema; a neighbour's schema dropped during that read
    // fails it with "schema ... does not exist". Nothing of ours went wrong: read again.
    const neighbour = /^schema "([^"]+)" does not exist$/.exec(message)?.[1];
    if (!failed && neighbour && neighbour !== schema && attempt < 5) continue;
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${message}`);
  }
}
