import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

import type { Domain } from '../../domain/tenancy.ts';
export type { Domain };

type Row = { id: number; org_id: number; name: string; title: string; active: number; created_at: string };
const toDomain = (r: Row): Domain => ({ id: r.id, orgId: r.org_id, name: r.name, title: r.title, active: r.active === 1, createdAt: r.created_at });

export class DomainRepository {
  private readonly db: Kysely<Database>;
  constructor(db: Kysely<Database>) { this.db = db; }

  async create(input: { name: string; orgId?: number; title?: string }): Promise<Domain> {
    const row = await this.db.insertInto('domains')
      .values({ name: input.name.toLowerCase(), org_id: input.orgId ?? 0, title: input.title ?? '', active: 1, created_at: new Date().toISOString() })
      .returningAll().executeTakeFirstOrThrow();
    return toDomain(row);
  }

  async get(id: number): Promise<Domain | undefined> {
    const row = await this.db.selectFrom('domains').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toDomain(row);
  }

  async byName(name: string): Promise<Domain | undefined> {
    const row = await this.db.selectFrom('domains').selectAll().where('name', '=', name.toLowerCase()).executeTakeFirst();
    return row && toDomain(row);
  }

  /** Domains, optionally limited to some IDs or one organization. */
  async list(filter: { ids?: number[]; orgId?: number } = {}): Promise<Domain[]> {
    let q = this.db.selectFrom('domains').selectAll().orderBy('id');
    if (filter.ids) q = filter.ids.length ? q.where('id', 'in', filter.ids) : q.where('id', '<', 0);
    if (filter.orgId !== undefined) q = q.where('org_id', '=', filter.orgId);
    return (await q.execute()).map(toDomain);
  }

  async update(id: number, patch: Partial<Pick<Domain, 'title' | 'orgId' | 'active'>>): Promise<Domain | undefined> {
    const set: Partial<Row> = {};
    if (patch.title !== undefined) set.title = patch.title;
    if (patch.orgId !== undefined) set.org_id = patch.orgId;
    if (patch.active !== undefined) set.active = patch.active ? 1 : 0;
    if (Object.keys(set).length === 0) return this.get(id);
    const row = await this.db.updateTable('domains').set(set).where('id', '=', id).returningAll().executeTakeFirst();
    return row && toDomain(row);
  }

  async delete(id: number): Promise<boolean> {
    const r = await this.db.deleteFrom('domains').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
