/**
 * The users of a domain are found by an index on (domain_id, id), not (domain_id, extern_id).
 * No query looks a user up by domain and stable ID together (lookups by ID use `users_extern`),
 * while every query by domain reads in ID order; and a directory's IDs arrive in no order (Active
 * Directory's GUIDs are random, OpenLDAP's entryUUIDs only look ordered when loaded at once), so
 * each new user landed on a random page of the old index: on SQLite the import of 100,000 such
 * users spent a third of its store time keeping it. A new ID always lands at the index's end.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // SQLite runs migrations outside a transaction: one cut short between the two runs again whole.
  await db.schema.dropIndex('users_domain_extern').ifExists().execute();
  await db.schema.createIndex('users_domain').ifNotExists().on('users').columns(['domain_id', 'id']).execute();
}
