/**
 * On PostgreSQL, a user's domain and an outcome's run are checked once per statement, not once
 * per row. A foreign key checks each inserted row by itself (a lookup and a row lock of the parent
 * each): 100,000 outcome rows in 100 statements took the server 0.40 to 0.45 s with the key,
 * 0.19 to 0.24 s with the check of this file, 0.14 s with none. An import inserts every user;
 * outcome rows are written for changes. SQLite keeps its keys: it has no statement triggers with
 * the rows they added.
 *
 * What the keys promised stays promised, under any interleaving of transactions:
 * - An inserted row names a parent that exists: the check locks the statement's parents as the
 *   key did (FOR KEY SHARE, so they cannot be deleted until the inserting transaction ends), then
 *   looks, in a snapshot of its own, for a row whose parent is not there. A parent deleted by a
 *   transaction that committed meanwhile is not locked, and is missing from that snapshot.
 * - Deleting a parent deletes its children, in the same statement's end, as ON DELETE CASCADE did.
 * - Moving a row to another parent (which nothing does) is checked as an insert is; a parent's
 *   ID cannot change while it has children (NO ACTION, as the keys had).
 * The errors carry the key's SQLSTATE (23503, foreign_key_violation). A TRUNCATE of a parent by
 * hand, which the keys refused too, is refused by migration 020.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../sql-dialect.ts';

interface Link { child: string; column: string; parent: string; constraint: string }

const LINKS: Link[] = [
  { child: 'users', column: 'domain_id', parent: 'domains', constraint: 'users_domain_id_fkey' },
  { child: 'sync_outcomes', column: 'run_id', parent: 'sync_runs', constraint: 'sync_outcomes_run_id_fkey' },
];

/**
 * Every statement of the link, each made so it can run again (a store migrated before, then asked
 * again). The functions name the tables in the schema of the table that fired them, whatever the
 * caller's search_path, and after a rename of the schema too (as a key's reference would).
 */
function statements({ child, column, parent, constraint }: Link): string[] {
  const name = `${child}_${column}_link`;
  const violation = `RAISE foreign_key_violation USING MESSAGE = format('insert or update on table "${child}" violates its link to "${parent}": no ${parent}.id = %s', missing)`;
  return [
    `ALTER TABLE ${child} DROP CONSTRAINT IF EXISTS ${constraint}`,
    // The rows a statement added, checked together.
    `CREATE OR REPLACE FUNCTION ${name}_added() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing bigint;
BEGIN
  EXECUTE format('SELECT 1 FROM %I.${parent} p WHERE p.id IN (SELECT DISTINCT a.${column} FROM added a) FOR KEY SHARE OF p', TG_TABLE_SCHEMA);
  EXECUTE format('SELECT a.${column} FROM added a WHERE NOT EXISTS (SELECT 1 FROM %I.${parent} p WHERE p.id = a.${column}) LIMIT 1', TG_TABLE_SCHEMA) INTO missing;
  IF missing IS NOT NULL THEN ${violation}; END IF;
  RETURN NULL;
END $$`,
    // A row moved to another parent: the WHEN clause keeps every other update from calling it.
    `CREATE OR REPLACE FUNCTION ${name}_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing bigint := NEW.${column}; locked bigint;
BEGIN
  EXECUTE format('SELECT p.id FROM %I.${parent} p WHERE p.id = $1 FOR KEY SHARE OF p', TG_TABLE_SCHEMA) INTO locked USING NEW.${column};
  IF locked IS NULL THEN ${violation}; END IF;
  RETURN NULL;
END $$`,
    `CREATE OR REPLACE FUNCTION ${name}_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('DELETE FROM %I.${child} c WHERE c.${column} IN (SELECT r.id FROM removed r)', TG_TABLE_SCHEMA);
  RETURN NULL;
END $$`,
    `CREATE OR REPLACE FUNCTION ${name}_renumbered() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE held boolean;
BEGIN
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.${child} c WHERE c.${column} = $1)', TG_TABLE_SCHEMA) INTO held USING OLD.id;
  IF held THEN
    RAISE foreign_key_violation USING MESSAGE = format('update on table "${parent}" would leave rows of "${child}" without their link: id %s', OLD.id);
  END IF;
  RETURN NULL;
END $$`,
    `DROP TRIGGER IF EXISTS ${name}_added ON ${child}`,
    `CREATE TRIGGER ${name}_added AFTER INSERT ON ${child} REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION ${name}_added()`,
    `DROP TRIGGER IF EXISTS ${name}_moved ON ${child}`,
    `CREATE TRIGGER ${name}_moved AFTER UPDATE OF ${column} ON ${child} FOR EACH ROW WHEN (OLD.${column} IS DISTINCT FROM NEW.${column}) EXECUTE FUNCTION ${name}_moved()`,
    `DROP TRIGGER IF EXISTS ${name}_removed ON ${parent}`,
    `CREATE TRIGGER ${name}_removed AFTER DELETE ON ${parent} REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION ${name}_removed()`,
    `DROP TRIGGER IF EXISTS ${name}_renumbered ON ${parent}`,
    `CREATE TRIGGER ${name}_renumbered AFTER UPDATE OF id ON ${parent} FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION ${name}_renumbered()`,
  ];
}

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') return;
  for (const link of LINKS) for (const statement of statements(link)) await sql.raw(statement).execute(db);
}
