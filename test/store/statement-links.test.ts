/**
 * PostgreSQL checks a user's domain and an outcome's run once per statement (migration 019), and
 * keeps every promise of the foreign keys it replaced, concurrent transactions included, and a
 * TRUNCATE by hand refused as the keys refused it (migration 020). A real server; SQLite keeps its
 * keys.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { storeVariants, type TestStore } from '../support/stores.ts';

const postgres = storeVariants().find((v) => v.name === 'postgres')!;

describe('links checked per statement on PostgreSQL', { skip: postgres.skip }, () => {
  let t: TestStore;
  const clients: pg.Client[] = [];
  const connect = async (): Promise<pg.Client> => {
    const c = new pg.Client({ connectionString: t.databaseUrl!, options: `-c search_path=${t.schema}` });
    await c.connect();
    clients.push(c);
    return c;
  };
  const addUser = (c: pg.Client, domainId: number, name: string) =>
    c.query(`INSERT INTO users (domain_id, username, created_at, updated_at) VALUES ($1, $2, 'now', 'now')`, [domainId, name]);
  const users = async (c: pg.Client, domainId: number) => Number((await c.query('SELECT count(*) AS n FROM users WHERE domain_id = $1', [domainId])).rows[0].n);
  const code = (e: unknown) => (e as { code?: string }).code;

  before(async () => { t = await postgres.open(); });
  after(async () => { for (const c of clients) await c.end().catch(() => undefined); await t?.cleanup(); });

  test('no foreign key is left on the two links, and the triggers stand in their place', async () => {
    const c = await connect();
    const keys = await c.query(`SELECT conrelid::regclass::text AS t FROM pg_constraint WHERE contype = 'f' AND connamespace = $1::regnamespace AND conrelid::regclass::text IN ('users', 'sync_outcomes')`, [t.schema]);
    assert.deepEqual(keys.rows, []);
    const triggers = (await c.query(`SELECT tgname FROM pg_trigger WHERE tgname LIKE '%_link_%' AND tgrelid::regclass::text IN ('users', 'domains', 'sync_outcomes', 'sync_runs') ORDER BY tgname`)).rows.map((r: { tgname: string }) => r.tgname);
    assert.equal(triggers.length, 8, triggers.join(', '));
  });

  test('a row naming a parent that is not there is refused whole, with the key\'s SQLSTATE', async () => {
    const c = await connect();
    const d = await t.store.domains.create({ name: 'links.example' });
    await assert.rejects(c.query(`INSERT INTO users (domain_id, username, created_at, updated_at) VALUES ($1, 'ok@links', 'now', 'now'), (987654, 'orphan@links', 'now', 'now')`, [d.id]),
      (e) => code(e) === '23503' && /987654/.test((e as Error).message));
    assert.equal(await users(c, d.id), 0, 'the statement wrote nothing');
    await assert.rejects(c.query(`INSERT INTO sync_outcomes (run_id, seq, user_id, username, code, message) VALUES (987654, 1, 1, 'x', 0, '')`), (e) => code(e) === '23503');
    await addUser(c, d.id, 'mover@links');
    await assert.rejects(c.query(`UPDATE users SET domain_id = 987654 WHERE username = 'mover@links'`), (e) => code(e) === '23503', 'a row moved to no domain');
    await assert.rejects(c.query(`UPDATE domains SET id = 987655 WHERE id = $1`, [d.id]), (e) => code(e) === '23503', 'a parent renumbered under its rows');
    await c.query(`UPDATE users SET display_name = 'still here' WHERE username = 'mover@links'`);
  });

  test('deleting a domain or a run deletes what hangs on it', async () => {
    const c = await connect();
    const d = await t.store.domains.create({ name: 'cascade.example' });
    const other = await t.store.domains.create({ name: 'kept.example' });
    await addUser(c, d.id, 'a@cascade'); await addUser(c, d.id, 'b@cascade'); await addUser(c, other.id, 'c@kept');
    const runId = (await c.query(`INSERT INTO sync_runs (domain_id, started_at, status) VALUES ($1, 'now', 'completed') RETURNING id`, [d.id])).rows[0].id as number;
    await c.query('DELETE FROM domains WHERE id = $1', [d.id]);
    assert.equal(await users(c, d.id), 0);
    assert.equal(await users(c, other.id), 1, 'other domains keep their users');
    await c.query(`INSERT INTO sync_outcomes (run_id, seq, user_id, username, code, message) VALUES ($1, 1, 1, 'x', 0, ''), ($1, 2, 2, 'y', 0, '')`, [runId]);
    await c.query('DELETE FROM sync_runs WHERE id = $1', [runId]);
    assert.equal(Number((await c.query('SELECT count(*) AS n FROM sync_outcomes WHERE run_id = $1', [runId])).rows[0].n), 0);
  });

  test('the checks find their tables from any search_path, and after the schema is renamed', async () => {
    const d = await t.store.domains.create({ name: 'paths.example' });
    const outside = new pg.Client({ connectionString: t.databaseUrl! });
    await outside.connect();
    clients.push(outside);
    const at = (schema: string) => `"${schema}".users`;
    const insert = (schema: string, domainId: number, name: string) =>
      outside.query(`INSERT INTO ${at(schema)} (domain_id, username, created_at, updated_at) VALUES ($1, $2, 'now', 'now')`, [domainId, name]);
    await insert(t.schema!, d.id, 'a@paths');
    await assert.rejects(insert(t.schema!, 987654, 'b@paths'), (e) => code(e) === '23503', 'checked in the table\'s own schema, not the caller\'s');
    const renamed = `${t.schema}_renamed`;
    await outside.query(`ALTER SCHEMA "${t.schema}" RENAME TO "${renamed}"`);
    try {
      await insert(renamed, d.id, 'c@paths');
      await assert.rejects(insert(renamed, 987654, 'd@paths'), (e) => code(e) === '23503');
      await outside.query(`DELETE FROM "${renamed}".domains WHERE id = $1`, [d.id]);
      assert.equal(Number((await outside.query(`SELECT count(*) AS n FROM ${at(renamed)} WHERE domain_id = $1`, [d.id])).rows[0].n), 0, 'the cascade too');
    } finally {
      await outside.query(`ALTER SCHEMA "${renamed}" RENAME TO "${t.schema}"`);
    }
  });

  test('a TRUNCATE of a domain or a run alone is refused while rows hang on it, and goes with them', async () => {
    const c = await connect();
    const d = await t.store.domains.create({ name: 'truncate.example' });
    await addUser(c, d.id, 'held@truncate');
    const runId = (await c.query(`INSERT INTO sync_runs (domain_id, started_at, status) VALUES ($1, 'now', 'completed') RETURNING id`, [d.id])).rows[0].id as number;
    await c.query(`INSERT INTO sync_outcomes (run_id, seq, user_id, username, code, message) VALUES ($1, 1, 1, 'x', 0, '')`, [runId]);
    /** Runs the statement in a transaction always taken back: the schema's other tests keep their rows. */
    const inTakenBack = async (statement: string): Promise<unknown> => {
      await c.query('BEGIN');
      try { await c.query(statement); return null; } catch (e) { return e; } finally { await c.query('ROLLBACK'); }
    };
    const refused = (e: unknown, child: string) => code(e) === '0A000' && (e as Error).message.includes(`"${child}"`);
    assert.ok(refused(await inTakenBack('TRUNCATE domains'), 'users'), 'the domains alone, while users hang on them');
    assert.ok(refused(await inTakenBack('TRUNCATE domains CASCADE'), 'users'), 'nothing references the domains for CASCADE to follow');
    assert.ok(refused(await inTakenBack('TRUNCATE sync_runs, pending_deactivations'), 'sync_outcomes'), 'the runs without their outcomes');
    assert.equal(await inTakenBack('TRUNCATE domains, users'), null);
    assert.equal(await inTakenBack('TRUNCATE users, domains'), null, 'in either order: the check runs once both are truncated');
    assert.equal(await inTakenBack('TRUNCATE sync_runs, pending_deactivations, sync_outcomes'), null);
    assert.equal(await users(c, d.id), 1, 'every refusal took its statement back whole');
  });

  test('an insert and a delete of its domain, in either order, leave no user without a domain', async () => {
    const [a, b] = [await connect(), await connect()];
    // The insert first: the delete waits for it, then takes its users with the domain.
    const first = await t.store.domains.create({ name: 'race-one.example' });
    await a.query('BEGIN'); await addUser(a, first.id, 'x@race-one');
    const deleting = b.query('DELETE FROM domains WHERE id = $1', [first.id]);
    await new Promise((r) => setTimeout(r, 200));
    await a.query('COMMIT');
    await deleting;
    assert.equal(await users(a, first.id), 0, 'the cascade saw the committed user');
    // The delete first: the insert waits for it, then finds no domain.
    const second = await t.store.domains.create({ name: 'race-two.example' });
    await b.query('BEGIN'); await b.query('DELETE FROM domains WHERE id = $1', [second.id]);
    const inserting = addUser(a, second.id, 'y@race-two').then(() => null, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    await b.query('COMMIT');
    assert.equal(code(await inserting), '23503');
    assert.equal(await users(a, second.id), 0);
  });
});
