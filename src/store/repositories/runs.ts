import { sql, type Kysely } from 'kysely';
import { int4Array, textArray } from '../pg-arrays.ts';
import type { Database } from '../schema.ts';
import type { Dialect } from '../database.ts';
import type { Outcome, OutcomeCode, RunStatus, SyncCounts } from '../../domain/outcome.ts';
import type { IdBitmap } from '../../domain/id-bitmap.ts';
import { confirmedOutcomes, createdOutcomes, storeConfirmed } from './run-confirmations.ts';

export interface RunRecord {
  id: number;
  taskId: number | null;
  domainId: number;
  status: RunStatus;
  dryRun: boolean;
  importNew: boolean;
  counts: SyncCounts;
  entriesSeen: number;
  errorCode: number | null;
  message: string;
  mode: string;
  startedAt: string;
  finishedAt: string | null;
}

const CHUNK = 1000;

export class RunRepository {
  private readonly db: Kysely<Database>;
  private readonly dialect: Dialect;
  constructor(db: Kysely<Database>, dialect: Dialect = 'sqlite') { this.db = db; this.dialect = dialect; }

  async start(r: { taskId: number | null; domainId: number; dryRun: boolean; importNew: boolean }): Promise<number> {
    const row = await this.db.insertInto('sync_runs').values({
      task_id: r.taskId, domain_id: r.domainId, status: 'running', dry_run: r.dryRun ? 1 : 0, import_new: r.importNew ? 1 : 0,
      counts: '{}', entries_seen: 0, error_code: null, message: '', started_at: new Date().toISOString(), finished_at: null,
    }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async addOutcomes(runId: number, firstSeq: number, outcomes: Outcome[]): Promise<void> {
    if (!outcomes.length) return;
    if (this.dialect === 'postgres') {
      // Five binary arrays (pg-arrays.ts) instead of six parameters a row: PostgreSQL binds one
      // short statement and reads each list by its elements' lengths.
      const seqs = outcomes.map((_, i) => firstSeq + i);
      await this.db.insertInto('sync_outcomes').columns(['run_id', 'seq', 'user_id', 'username', 'code', 'message'])
        .expression(sql`SELECT ${runId}::integer, * FROM unnest(${int4Array(seqs)}::integer[], ${int4Array(outcomes.map((o) => o.ID))}::integer[], ${textArray(outcomes.map((o) => o.username))}::text[], ${int4Array(outcomes.map((o) => o.code))}::integer[], ${textArray(outcomes.map((o) => o.message))}::text[])`)
        .execute();
      return;
    }
    // One JSON parameter instead of six a row: the statement's text never changes, so it is
    // prepared once per run and not rebuilt for every batch.
    const rows = JSON.stringify(outcomes.map((o) => [o.ID, o.username, o.code, o.message]));
    await this.db.insertInto('sync_outcomes').columns(['run_id', 'seq', 'user_id', 'username', 'code', 'message'])
      .expression(sql`SELECT ${runId}, ${firstSeq} + key, value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(${rows})`)
      .execute();
  }

  async finish(runId: number, r: { status: RunStatus; counts: SyncCounts; entriesSeen: number; errorCode: OutcomeCode | null; message: string }): Promise<void> {
    await this.db.updateTable('sync_runs').set({
      status: r.status, counts: JSON.stringify(r.counts), entries_seen: r.entriesSeen, error_code: r.errorCode,
      message: r.message, finished_at: new Date().toISOString(),
    }).where('id', '=', runId).execute();
  }

  async get(runId: number): Promise<RunRecord | undefined> {
    const r = await this.db.selectFrom('sync_runs').selectAll().where('id', '=', runId).executeTakeFirst();
    return r && {
      id: r.id, taskId: r.task_id, domainId: r.domain_id, status: r.status as RunStatus, dryRun: r.dry_run === 1, importNew: r.import_new === 1,
      counts: JSON.parse(r.counts) as SyncCounts, entriesSeen: r.entries_seen, errorCode: r.error_code, message: r.message, mode: r.mode,
      startedAt: r.started_at, finishedAt: r.finished_at,
    };
  }

  /** Holds deactivations of a run until they are applied, approved or rejected. */
  /** `reason`: absent for users gone from the directory; why the account is disabled otherwise. */
  async holdDeactivations(runId: number, users: Array<{ id: number; username: string; reason?: string | null }>): Promise<void> {
    for (let i = 0; i < users.length; i += CHUNK) {
      await this.db.insertInto('pending_deactivations').values(users.slice(i, i + CHUNK).map((u) => ({ run_id: runId, user_id: u.id, username: u.username, reason: u.reason ?? null }))).execute();
    }
  }

  async heldDeactivations(runId: number): Promise<Array<{ id: number; username: string; reason: string | null }>> {
    return (await this.db.selectFrom('pending_deactivations').select(['user_id', 'username', 'reason']).where('run_id', '=', runId).orderBy('user_id').execute())
      .map((r) => ({ id: r.user_id, username: r.username, reason: r.reason }));
  }

  async countHeld(runId: number): Promise<number> {
    const r = await this.db.selectFrom('pending_deactivations').select((eb) => eb.fn.countAll().as('n')).where('run_id', '=', runId).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async releaseHeld(runId: number): Promise<void> {
    await this.db.deleteFrom('pending_deactivations').where('run_id', '=', runId).execute();
  }

  async setStatus(runId: number, status: RunStatus, message?: string): Promise<void> {
    await this.db.updateTable('sync_runs').set({ status, ...(message !== undefined ? { message } : {}) }).where('id', '=', runId).execute();
  }

  async setMode(runId: number, mode: string): Promise<void> {
    await this.db.updateTable('sync_runs').set({ mode }).where('id', '=', runId).execute();
  }

  async nextSeq(runId: number): Promise<number> {
    const r = await this.db.selectFrom('sync_outcomes').select((eb) => eb.fn.max('seq').as('m')).where('run_id', '=', runId).executeTakeFirst();
    return r?.m === null || r?.m === undefined ? 0 : Number(r.m) + 1;
  }

  /** Ends the runs of a task still marked running (their process died), saying why. */
  async failRunning(taskId: number, message: string): Promise<void> {
    await this.db.updateTable('sync_runs').set({ status: 'failed', error_code: 500, message, finished_at: new Date().toISOString() })
      .where('task_id', '=', taskId).where('status', '=', 'running').execute();
  }

  async idsForTask(taskId: number): Promise<number[]> {
    return (await this.db.selectFrom('sync_runs').select('id').where('task_id', '=', taskId).orderBy('id').execute()).map((r) => r.id);
  }

  async lastForDomain(domainId: number): Promise<RunRecord | undefined> {
    const r = await this.db.selectFrom('sync_runs').select('id').where('domain_id', '=', domainId).where('dry_run', '=', 0).orderBy('id', 'desc').executeTakeFirst();
    return r && this.get(r.id);
  }

  /**
   * Per domain: how its last finished run ended, and when a run last completed (for /metrics).
   * Two grouped reads, whatever the number of domains.
   */
  async lastByDomain(): Promise<Array<{ domainId: number; domain: string; lastStatus: string | null; lastFinishedAt: string | null; lastSuccessAt: string | null }>> {
    const last = await this.db.selectFrom('sync_runs as r')
      .innerJoin((eb) => eb.selectFrom('sync_runs').select(['domain_id', (e) => e.fn.max('id').as('id')]).where('dry_run', '=', 0).where('finished_at', 'is not', null).groupBy('domain_id').as('m'), (j) => j.onRef('m.id', '=', 'r.id'))
      .select(['r.domain_id', 'r.status', 'r.finished_at']).execute();
    const success = await this.db.selectFrom('sync_runs').select(['domain_id', (e) => e.fn.max('finished_at').as('at')])
      .where('dry_run', '=', 0).where('status', '=', 'completed').groupBy('domain_id').execute();
    const domains = await this.db.selectFrom('domains').select(['id', 'name']).execute();
    const lastBy = new Map(last.map((r) => [r.domain_id, r]));
    const successBy = new Map(success.map((r) => [r.domain_id, r.at as string | null]));
    return domains.map((d) => ({ domainId: d.id, domain: d.name, lastStatus: lastBy.get(d.id)?.status ?? null, lastFinishedAt: lastBy.get(d.id)?.finished_at ?? null, lastSuccessAt: successBy.get(d.id) ?? null }));
  }

  /** Keeps the users a run found unchanged as one bitmap; their outcomes are generated from it. */
  async confirm(runId: number, domainId: number, confirmed: IdBitmap): Promise<void> {
    await storeConfirmed(this.db, runId, domainId, confirmed);
  }

  /** Keeps the users a run created so far (those with nothing more to say) as one bitmap. */
  async setCreated(runId: number, created: IdBitmap): Promise<void> {
    await this.db.updateTable('sync_runs').set({ created: created.bytes(), created_base: created.base }).where('id', '=', runId).execute();
  }

  /**
   * Outcomes in the order the run reported them, streamed in chunks; then those of the users it
   * created and of those it found unchanged (each kept as a bitmap, not as rows), in ID order.
   */
  async *outcomes(runId: number): AsyncGenerator<Outcome[]> {
    let after = -1;
    for (;;) {
      const rows = await this.db.selectFrom('sync_outcomes').select(['seq', 'user_id', 'username', 'code', 'message'])
        .where('run_id', '=', runId).where('seq', '>', after).orderBy('seq').limit(CHUNK * 5).execute();
      if (rows.length === 0) break;
      yield rows.map((r) => ({ ID: r.user_id, username: r.username, code: r.code as OutcomeCode, message: r.message }));
      after = rows[rows.length - 1]!.seq;
    }
    yield* createdOutcomes(this.db, runId);
    yield* confirmedOutcomes(this.db, runId);
  }

  async allOutcomes(runId: number): Promise<Outcome[]> {
    const out: Outcome[] = [];
    for await (const chunk of this.outcomes(runId)) out.push(...chunk);
    return out;
  }
}
