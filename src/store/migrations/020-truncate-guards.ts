/**
 * On PostgreSQL, a TRUNCATE of a domain or a run by hand is refused while users or outcomes hang
 * on it, as the foreign keys that migration 019 replaced refused it. A trigger after TRUNCATE runs
 * once the whole statement has truncated every table it names, so it tells the two cases apart:
 * `TRUNCATE domains, users` goes through, `TRUNCATE domains` alone is taken back whole, with the
 * key's SQLSTATE (0A000) and the first half of its hint (CASCADE would not help here). One thing
 * differs from a key: `TRUNCATE domains CASCADE` is refused too, where the key would have
 * truncated the users along (nothing references the domains any more for CASCADE to follow).
 * ldapsync itself never truncates.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../sql-dialect.ts';

interface Guard { parent: string; child: string; name: string }

const GUARDS: Guard[] = [
  { parent: 'domains', child: 'users', name: 'users_domain_id_truncated' },
  { parent: 'sync_runs', child: 'sync_outcomes', name: 'sync_outcomes_run_id_truncated' },
];

/** Each statement made so it can run again; the function looks in the schema of the table truncated. */
function statements({ parent, child, name }: Guard): string[] {
  return [
    `CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE held boolean;
BEGIN
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.${child})', TG_TABLE_SCHEMA) INTO held;
  IF held THEN
    RAISE feature_not_supported USING
      MESSAGE = 'cannot truncate a table referenced by rows of another: "${child}" has rows linked to "${parent}"',
      HINT = 'Truncate table "${child}" at the same time.';
  END IF;
  RETURN NULL;
END $$`,
    `DROP TRIGGER IF EXISTS ${name} ON ${parent}`,
    `CREATE TRIGGER ${name} AFTER TRUNCATE ON ${parent} FOR EACH STATEMENT EXECUTE FUNCTION ${name}()`,
  ];
}

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') return;
  for (const guard of GUARDS) for (const statement of statements(guard)) await sql.raw(statement).execute(db);
}
