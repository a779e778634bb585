import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface AuditEvent {
  id: number;
  at: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
}

const parse = (v: string | null): unknown => (v === null ? null : JSON.parse(v));

export class AuditRepository {
  private readonly db: Kysely<Database>;
  constructor(db: Kysely<Database>) { this.db = db; }

  async record(e: Omit<AuditEvent, 'id' | 'at'>): Promise<void> {
    await this.db.insertInto('audit_events').values({
      at: new Date().toISOString(), actor: e.actor, action: e.action, target_type: e.targetType, target_id: e.targetId,
      before: e.before === undefined || e.before === null ? null : JSON.stringify(e.before),
      after: e.after === undefined || e.after === null ? null : JSON.stringify(e.after),
    }).execute();
  }

  async list(limit = 100, offset = 0): Promise<AuditEvent[]> {
    const rows = await this.db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute();
    return rows.map((r) => ({ id: r.id, at: r.at, actor: r.actor, action: r.action, targetType: r.target_type, targetId: r.target_id, before: parse(r.before), after: parse(r.after) }));
  }
}
