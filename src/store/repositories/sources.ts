import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { SecretCipher } from '../../domain/secret-cipher.ts';

type Json = Record<string, unknown>;

/** Applies `fn` to connection.bindPass, the one secret a source holds. */
function mapSecret(config: Json, fn: (secret: string) => string): Json {
  const connection = config.connection as Json | undefined;
  if (!connection || typeof connection.bindPass !== 'string' || connection.bindPass === '') return config;
  return { ...config, connection: { ...connection, bindPass: fn(connection.bindPass) } };
}

/**
 * Source configs as saved (grommunio's ldapConfig shape plus extensions); org 0 is the default.
 * The bind password is encrypted at rest and decrypted only when read back here.
 */
export class SourceRepository {
  private readonly db: Kysely<Database>;
  private readonly cipher: SecretCipher;
  constructor(db: Kysely<Database>, cipher: SecretCipher) { this.db = db; this.cipher = cipher; }

  async get(orgId: number): Promise<Json | undefined> {
    const row = await this.db.selectFrom('directory_sources').select('config').where('org_id', '=', orgId).executeTakeFirst();
    return row && mapSecret(JSON.parse(row.config) as Json, (s) => this.cipher.decrypt(s));
  }

  /** The organization's own source, else the system default. */
  async effective(orgId: number): Promise<{ orgId: number; config: Record<string, unknown> } | undefined> {
    const own = orgId ? await this.get(orgId) : undefined;
    if (own) return { orgId, config: own };
    const fallback = await this.get(0);
    return fallback && { orgId: 0, config: fallback };
  }

  async set(orgId: number, config: Json): Promise<void> {
    const values = { org_id: orgId, config: JSON.stringify(mapSecret(config, (s) => this.cipher.encrypt(s))), updated_at: new Date().toISOString() };
    await this.db.insertInto('directory_sources').values(values)
      .onConflict((oc) => oc.column('org_id').doUpdateSet({ config: values.config, updated_at: values.updated_at }))
      .execute();
  }

  async delete(orgId: number): Promise<boolean> {
    const r = await this.db.deleteFrom('directory_sources').where('org_id', '=', orgId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Re-encrypts every stored secret not under the current key; returns how many changed. */
  async reencrypt(): Promise<number> {
    let changed = 0;
    for (const row of await this.db.selectFrom('directory_sources').select(['org_id', 'config']).execute()) {
      const stored = JSON.parse(row.config) as Json;
      const secret = (stored.connection as Json | undefined)?.bindPass;
      if (typeof secret !== 'string' || secret === '' || !this.cipher.stale(secret)) continue;
      await this.set(row.org_id, mapSecret(stored, (s) => this.cipher.decrypt(s)));
      changed++;
    }
    return changed;
  }

  async orgIds(): Promise<number[]> {
    return (await this.db.selectFrom('directory_sources').select('org_id').orderBy('org_id').execute()).map((r) => r.org_id);
  }
}
