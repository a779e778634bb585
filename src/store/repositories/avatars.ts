import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { AvatarImage } from '../../domain/user.ts';

export interface StoredAvatar { hash: string; contentType: string; width: number; height: number; size: number; data: Uint8Array; createdAt: string }

/** Images per INSERT: seven parameters each, well under either dialect's limit. */
const PUT_CHUNK = 100;

/** Avatar images, one row per content hash however many users show it. */
export class AvatarRepository {
  private readonly db: Kysely<Database>;
  constructor(db: Kysely<Database>) { this.db = db; }

  /** Stores the image unless one with the same hash is there already. */
  async put(image: AvatarImage, now = new Date().toISOString()): Promise<void> {
    await this.db.insertInto('avatars')
      .values({ hash: image.hash, content_type: image.contentType, width: image.width, height: image.height, size: image.bytes.length, data: image.bytes, created_at: now })
      .onConflict((oc) => oc.column('hash').doNothing())
      .execute();
  }

  /** Stores many images in few statements; an image already there, or twice in the list, is stored once. */
  async putMany(images: AvatarImage[], now = new Date().toISOString()): Promise<void> {
    const unique = [...new Map(images.map((i) => [i.hash, i])).values()];
    for (let i = 0; i < unique.length; i += PUT_CHUNK) {
      await this.db.insertInto('avatars')
        .values(unique.slice(i, i + PUT_CHUNK).map((image) => ({ hash: image.hash, content_type: image.contentType, width: image.width, height: image.height, size: image.bytes.length, data: image.bytes, created_at: now })))
        .onConflict((oc) => oc.column('hash').doNothing())
        .execute();
    }
  }

  async get(hash: string): Promise<StoredAvatar | undefined> {
    const r = await this.db.selectFrom('avatars').selectAll().where('hash', '=', hash).executeTakeFirst();
    return r && { hash: r.hash, contentType: r.content_type, width: r.width, height: r.height, size: r.size, data: new Uint8Array(r.data), createdAt: r.created_at };
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('avatars').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Removes images no user points at any more; returns how many. */
  async pruneUnused(): Promise<number> {
    // Said outright, so each store plans the lookup on its index of users with an avatar.
    const r = await this.db.deleteFrom('avatars')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('users').select('id').where('users.avatar_hash', 'is not', null).whereRef('users.avatar_hash', '=', 'avatars.hash'))))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
