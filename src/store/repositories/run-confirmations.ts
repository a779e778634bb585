/**
 * The users a run found unchanged, kept as one bitmap per run (sync_runs.confirmed) instead of an
 * outcome row and a last-synced write each. What those rows said is generated when asked: the
 * outcome lines of the run, and each user's last-synced time (the start of the newest run of its
 * domain that confirmed it, when that is later than the time stored on the user).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { IdBitmap } from '../../domain/id-bitmap.ts';
import { CREATED_MESSAGE, OutcomeCode, SYNCED_MESSAGE, type Outcome } from '../../domain/outcome.ts';

const CHUNK = 1000;

/**
 * Stores the run's bitmap. Only the newest bitmap of a domain is consulted for last-synced
 * times, so the users the previous one confirmed and this one did not (changed, gone, or not
 * reached by a run cut short) first get that confirmation written into their own row.
 */
export async function storeConfirmed(db: Kysely<Database>, runId: number, domainId: number, confirmed: IdBitmap): Promise<void> {
  const prev = await db.selectFrom('sync_runs').select(['started_at', 'confirmed', 'confirmed_base']).where('domain_id', '=', domainId)
    .where('confirmed', 'is not', null).where('id', '<', runId).orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (prev?.confirmed) {
    const at = prev.started_at;
    const write = (ids: number[]) => db.updateTable('users').set({ last_synced_at: at }).where('id', 'in', ids).where('domain_id', '=', domainId)
      .where((eb) => eb.or([eb('last_synced_at', 'is', null), eb('last_synced_at', '<', at)])).execute();
    // Walked bit by bit: the previous run confirmed most of the directory, and few are dropped.
    for (const dropped of inChunks(new IdBitmap(prev.confirmed, prev.confirmed_base ?? 0).ids(), (id) => !confirmed.has(id))) await write(dropped);
  }
  await db.updateTable('sync_runs').set({ confirmed: confirmed.bytes(), confirmed_base: confirmed.base }).where('id', '=', runId).execute();
}

/** The outcome lines of the users a run confirmed, in ID order; users deleted since are left out. */
export function confirmedOutcomes(db: Kysely<Database>, runId: number): AsyncGenerator<Outcome[]> {
  return bitmapOutcomes(db, runId, 'confirmed', OutcomeCode.synced, SYNCED_MESSAGE);
}

/** The outcome lines of the users a run created (those with nothing more to say), in ID order. */
export function createdOutcomes(db: Kysely<Database>, runId: number): AsyncGenerator<Outcome[]> {
  return bitmapOutcomes(db, runId, 'created', OutcomeCode.created, CREATED_MESSAGE);
}

async function* bitmapOutcomes(db: Kysely<Database>, runId: number, column: 'confirmed' | 'created', code: OutcomeCode, message: string): AsyncGenerator<Outcome[]> {
  const run = await db.selectFrom('sync_runs').select(['confirmed', 'confirmed_base', 'created', 'created_base', 'domain_id']).where('id', '=', runId).executeTakeFirst();
  const bits = run?.[column];
  if (!run || !bits) return;
  const bitmap = new IdBitmap(bits, (column === 'created' ? run.created_base : run.confirmed_base) ?? 0);
  for (const ids of inChunks(bitmap.ids(), () => true)) {
    // A run confirms and creates only users of its own domain; the filter says so again where they are read.
    const rows = await db.selectFrom('users').select(['id', 'username']).where('id', 'in', ids).where('domain_id', '=', run.domain_id).orderBy('id').execute();
    if (rows.length) yield rows.map((r) => ({ ID: r.id, username: r.username, code, message }));
  }
}

/** The IDs that pass, CHUNK at a time, without an array of every ID the bitmap holds. */
function* inChunks(ids: Iterable<number>, keep: (id: number) => boolean): Generator<number[]> {
  let chunk: number[] = [];
  for (const id of ids) {
    if (!keep(id)) continue;
    chunk.push(id);
    if (chunk.length === CHUNK) { yield chunk; chunk = []; }
  }
  if (chunk.length) yield chunk;
}

/** Fills in last-synced times from the newest confirmation of each user's domain. */
export class ConfirmedTimes {
  private readonly db: Kysely<Database>;
  /** Bitmaps by run ID: written once, so never stale. */
  private readonly bitmaps = new Map<number, IdBitmap>();
  constructor(db: Kysely<Database>) { this.db = db; }

  async resolve<U extends { id: number; domainId: number; lastSyncedAt: string | null }>(users: U[]): Promise<U[]> {
    if (users.length === 0) return users;
    const domains = [...new Set(users.map((u) => u.domainId))];
    const newest = await this.db.selectFrom('sync_runs').select(['id', 'domain_id', 'started_at'])
      .where('id', 'in', (eb) => eb.selectFrom('sync_runs').select((s) => s.fn.max('id').as('id')).where('domain_id', 'in', domains).where('confirmed', 'is not', null).groupBy('domain_id'))
      .execute();
    if (newest.length === 0) return users;
    const byDomain = new Map<number, { at: string; bits: IdBitmap }>();
    for (const run of newest) byDomain.set(run.domain_id, { at: run.started_at, bits: await this.bitmap(run.id) });
    return users.map((u) => {
      const run = byDomain.get(u.domainId);
      return run && run.bits.has(u.id) && (u.lastSyncedAt === null || u.lastSyncedAt < run.at) ? { ...u, lastSyncedAt: run.at } : u;
    });
  }

  private async bitmap(runId: number): Promise<IdBitmap> {
    const hit = this.bitmaps.get(runId);
    if (hit) return hit;
    const row = await this.db.selectFrom('sync_runs').select(['confirmed', 'confirmed_base']).where('id', '=', runId).executeTakeFirst();
    const bits = new IdBitmap(row?.confirmed ?? undefined, row?.confirmed_base ?? 0);
    if (this.bitmaps.size >= 16) this.bitmaps.delete(this.bitmaps.keys().next().value!);
    this.bitmaps.set(runId, bits);
    return bits;
  }
}
