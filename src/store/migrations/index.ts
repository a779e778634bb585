/** Runs the schema migrations at start; each migration is a file of its own, in order. */
import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { Dialect } from '../sql-dialect.ts';
import * as initial from './001-initial.ts';
import * as accounts from './002-accounts.ts';
import * as deltaAndGuards from './003-delta-and-guards.ts';
import * as syncLocks from './004-sync-locks.ts';
import * as taskCancel from './005-task-cancel.ts';
import * as scheduleFires from './006-schedule-fires.ts';
import * as rocketchatAuth from './007-rocketchat-auth.ts';
import * as avatars from './008-avatars.ts';
import * as emailTwoFactor from './009-email-two-factor.ts';
import * as sessionsAndIdentity from './010-sessions-and-identity.ts';
import * as heldReasons from './011-held-reasons.ts';
import * as settingsAndAdminRole from './012-settings-and-admin-role.ts';
import * as runConfirmations from './013-run-confirmations.ts';
import * as entryKeys from './014-entry-keys.ts';
import * as runBitmaps from './015-run-bitmaps.ts';
import * as usersDomainIndex from './016-users-domain-index.ts';
import * as externKeys from './017-extern-keys.ts';
import * as partialAvatarIndex from './018-partial-avatar-index.ts';
import * as statementLinks from './019-statement-links.ts';
import * as truncateGuards from './020-truncate-guards.ts';

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
  '010-sessions-and-identity': sessionsAndIdentity,
  '011-held-reasons': heldReasons,
  '012-settings-and-admin-role': settingsAndAdminRole,
  '013-run-confirmations': runConfirmations,
  '014-entry-keys': entryKeys,
  '015-run-bitmaps': runBitmaps,
  '016-users-domain-index': usersDomainIndex,
  '017-extern-keys': externKeys,
  '018-partial-avatar-index': partialAvatarIndex,
  '019-statement-links': statementLinks,
  '020-truncate-guards': truncateGuards,
};

class InlineProvider implements MigrationProvider {
  private readonly dialect: Dialect;
  constructor(dialect: Dialect) { this.dialect = dialect; }
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(Object.entries(MIGRATIONS).map(([name, m]) => [name, { up: (db: Kysely<unknown>) => m.up(db, this.dialect) }]));
  }
}

/**
 * `schema`: the PostgreSQL schema the store lives in. Named, the migrator looks for its own
 * tables there only; unnamed, it takes a kysely_migration_lock in any other schema of the
 * database for its own, skips creating one, and fails ("relation does not exist").
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on any schema
export async function migrate(db: Kysely<any>, dialect: Dialect, schema?: string): Promise<void> {
  // Kysely looks for its own tables in every schema unless told which: another schema's
  // (another tenant's, another test's) would be taken for ours, and ours never created.
  const current = async () => (await sql<{ name: string }>`select current_schema() as name`.execute(db)).rows[0]?.name ?? 'public';
  const where = dialect === 'postgres' ? { migrationTableSchema: schema ?? (await current()) } : {};
  const migrator = new Migrator({ db, provider: new InlineProvider(dialect), ...where });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (!error && !failed) return;
    const message = (error as Error)?.message ?? String(error);
    // Kysely reads the table list of every schema; a neighbour's schema dropped during that read
    // fails it with "schema ... does not exist". Nothing of ours went wrong: read again.
    const neighbour = /^schema "([^"]+)" does not exist$/.exec(message)?.[1];
    if (!failed && neighbour && neighbour !== where.migrationTableSchema && attempt < 5) continue;
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${message}`);
  }
}
