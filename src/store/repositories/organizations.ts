import type { Kysely, Selectable } from 'kysely';
import type { Database, OrganizationsTable } from '../schema.ts';

import type { Organization } from '../../domain/tenancy.ts';
export type { Organization };

const toOrganization = (r: Selectable<OrganizationsTable>): Organization => ({ id: r.id, name: r.name, description: r.description, createdAt: r.created_at });

export class OrganizationRepository {
  private readonly db: Kysely<Database>;
  constructor(db: Kysely<Database>) { this.db = db; }

  async create(name: string, description = ''): Promise<Organization> {
    const row = await this.db.insertInto('organizations').values({ name, description, created_at: new Date().toISOString() }).returningAll().executeTakeFirstOrThrow();
    return toOrganization(row);
  }

  async get(id: number): Promise<Organization | undefined> {
    const row = await this.db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toOrganization(row);
  }

  async list(): Promise<Organization[]> {
    return (await this.db.selectFrom('organizations').selectAll().where('id', '>', 0).orderBy('id').execute()).map(toOrganization);
  }

  async update(id: number, patch: Partial<Pick<Organization, 'name' | 'description'>>): Promise<Organization | undefined> {
    if (Object.keys(patch).length === 0) return this.get(id);
    const row = await this.db.updateTable('organizations').set(patch).where('id', '=', id).where('id', '>', 0).returningAll().executeTakeFirst();
    return row && toOrganization(row);
  }

  async delete(id: number): Promise<boolean> {
    const r = await this.db.deleteFrom('organizations').where('id', '=', id).where('id', '>', 0).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
