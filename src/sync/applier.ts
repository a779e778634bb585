/**
 * Writes a page of the plan with its outcomes, in one transaction per page (PostgreSQL, and
 * SQLite in a commit group) or per SQLITE_BATCH users (SQLite): every user in a batch is either
 * fully updated or, if anything fails, left as before. The event loop gets a turn between
 * batches, so the API stays responsive.
 */
import type { Store } from '../store/store.ts';
import { CREATED_MESSAGE, OutcomeCode, SYNCED_MESSAGE, type Outcome } from '../domain/outcome.ts';
import type { IdBitmap } from '../domain/id-bitmap.ts';
import { describeUpdate, syncHash, type PlanItem } from './planner.ts';
import type { NewUser, PreparedInsert, SyncedFields } from '../store/repositories/users.ts';
import { isAvatarImage, type AvatarImage } from '../domain/user.ts';
import { GONE_REASON, goneOutcome } from './deactivation.ts';

/**
 * `creations`: where a run keeps the users it created as a bitmap, written with each batch, in
 * place of an outcome row each (a creation with a note still gets its row).
 */
export interface PageTarget { runId: number; firstSeq: number; domainId: number; lang: string; creations?: { bitmap: IdBitmap } }

const quietCreation = (item: PlanItem): boolean => item.kind === 'create' && !item.note;


/** The outcome line a plan item gives; `id` is the user ID a creation received. */
export function outcomeOf(item: PlanItem, id: number): Outcome {
  switch (item.kind) {
    case 'create': return { ID: id, username: item.user.username, code: OutcomeCode.created, message: item.note ? `${CREATED_MESSAGE} (${item.note})` : CREATED_MESSAGE };
    case 'update': return { ID: item.userId, username: item.username, code: OutcomeCode.synced, message: describeUpdate(item) };
    case 'unchanged': return { ID: item.userId, username: item.username, code: OutcomeCode.synced, message: item.note ? `${SYNCED_MESSAGE} (${item.note})` : SYNCED_MESSAGE };
    case 'conflict': return { ID: item.userId, username: item.username, code: OutcomeCode.conflict, message: item.message };
    case 'invalid': return { ID: item.userId, username: item.username, code: OutcomeCode.invalid, message: item.message };
    case 'gone': return goneOutcome({ id: item.userId, username: item.username });
    case 'missing': return { ID: item.userId, username: item.username, code: OutcomeCode.gone, message: 'Not found in the directory; left as it is (only a full sync deactivates)' };
    case 'skip': throw new Error('skipped entries have no outcome');
  }
}

/** Entries mapped between two turns of the event loop. */
export const WRITE_BATCH = 250;

/**
 * Users per transaction on SQLite. Syncs of the embedded mode run on a thread with a connection
 * of its own, and the API reads beside the writer (WAL): a transaction holds up only another
 * writer, for the few ms 1,000 users take. Each commit rewrites the index pages it touched, so
 * fewer commits write far less (four times 250 users cost 0.3 s more per 100,000 than one 1,000).
 */
const SQLITE_BATCH = 1000;

/** Lets timers and I/O (the API's requests) run before the next stretch of work. */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A batch of plan items as the store writes it: what the write needs of the items, drawn from
 * them before it waits for anything, so the items (mapped users, their attributes) can be
 * collected meanwhile. On PostgreSQL the next page is read and planned while this one is
 * written, and whatever lives across that is promoted to the old generation.
 */
interface PreparedBatch {
  now: string;
  /** The avatars of the users created, stored before they are. */
  avatars: AvatarImage[];
  insert: PreparedInsert;
  /** Users created with nothing more to say: kept in the run's bitmap, not an outcome row each. */
  quiet: string[];
  /** `renames`: the update gives the user another name (written one by one, see `updateSyncedMany`). */
  updates: Array<{ userId: number; avatar: AvatarImage | null | undefined; fields: SyncedFields; renames: boolean }>;
  unchanged: number[];
  gone: number[];
  /** The batch's outcome rows in order; a creation's ID comes from the insert, by its name. */
  outcomes: Array<{ outcome: Outcome; createdAs?: string }>;
}

export interface PreparedPage { batches: PreparedBatch[]; created: number }

type BatchTarget = Pick<PageTarget, 'domainId' | 'lang' | 'creations'>;

function prepareBatch(store: Store, target: BatchTarget, reported: PlanItem[]): PreparedBatch {
  const now = new Date().toISOString();
  const creates = reported.flatMap((i) => (i.kind === 'create' ? [i] : []));
  const newUsers: NewUser[] = creates.map(({ user }) => ({
    domainId: target.domainId, username: user.username, externId: user.externId, dn: user.dn, displayName: user.displayName,
    email: user.email, aliases: user.aliases, lang: target.lang, properties: user.properties, groups: user.groups, roles: user.roles, syncHash: syncHash(user), entryKey: user.entryKey ?? null,
    status: user.enabled ? 'active' : 'deactivated', statusSource: user.enabled ? null : 'sync', statusReason: user.disabledReason,
    avatarHash: isAvatarImage(user.avatar) ? user.avatar.hash : null,
  }));
  const batch: PreparedBatch = {
    now, avatars: creates.flatMap(({ user }) => (isAvatarImage(user.avatar) ? [user.avatar] : [])), insert: store.users.prepareInsert(newUsers, now),
    quiet: [], updates: [], unchanged: [], gone: [], outcomes: [],
  };
  for (const item of reported) {
    if (item.kind === 'unchanged') batch.unchanged.push(item.userId);
    else if (item.kind === 'gone') batch.gone.push(item.userId);
    else if (item.kind === 'update') {
      const u = item.user;
      batch.updates.push({ userId: item.userId, avatar: item.avatar, renames: item.changes.some((c) => c.field === 'username'), fields: {
        username: u.username, dn: u.dn, displayName: u.displayName, email: u.email, aliases: u.aliases, properties: u.properties, groups: u.groups, roles: u.roles,
        syncHash: syncHash(u), entryKey: u.entryKey ?? null, ...(item.link ? { externId: u.externId } : {}), ...(item.avatar !== undefined ? { avatarHash: item.avatar?.hash ?? null } : {}), ...(item.status ? { status: item.status.to, statusSource: item.status.to === 'active' ? null : 'sync', statusReason: item.status.reason } : {}),
      } });
    }
    if (target.creations && quietCreation(item) && item.kind === 'create') batch.quiet.push(item.user.username);
    else batch.outcomes.push({ outcome: outcomeOf(item, 0), ...(item.kind === 'create' ? { createdAs: item.user.username } : {}) });
  }
  return batch;
}

/** The items in their batches, ready to write: see `PreparedBatch`. */
export function preparePage(store: Store, target: BatchTarget, items: PlanItem[]): PreparedPage {
  const reported = items.filter((i) => i.kind !== 'skip');
  // PostgreSQL serves requests on other connections, and each commit costs a flush: one per page.
  const size = store.dialect === 'sqlite' ? SQLITE_BATCH : Math.max(1, reported.length);
  const batches: PreparedBatch[] = [];
  for (let i = 0; i < reported.length; i += size) batches.push(prepareBatch(store, target, reported.slice(i, i + size)));
  return { batches, created: reported.reduce((n, i) => (i.kind === 'create' ? n + 1 : n), 0) };
}

/**
 * Writes a prepared page and returns the next outcome sequence number: each batch in a
 * transaction of its own, or with `whole`, the page in one (a commit group on SQLite counts a
 * page once its commit is done, so none of it may be committed apart).
 */
export async function applyPrepared(store: Store, target: PageTarget, page: PreparedPage, whole = false): Promise<number> {
  const { creations } = target;
  const transactions = whole ? [page.batches] : page.batches.map((batch) => [batch]);
  let seq = target.firstSeq;
  for (let t = 0; t < transactions.length; t++) {
    if (t > 0) await yieldToLoop();
    let created: IdBitmap | null = null;
    await store.transaction(async (tx) => {
      for (const [i, batch] of transactions[t]!.entries()) {
        if (i > 0) await yieldToLoop();
        created = await writeBatch(tx, { ...target, firstSeq: seq }, batch, created);
        seq += batch.outcomes.length;
      }
    });
    if (creations && created) creations.bitmap = created;
  }
  return seq;
}

/** Applies the items and returns the next outcome sequence number. */
export function applyPage(store: Store, target: PageTarget, items: PlanItem[]): Promise<number> {
  return applyPrepared(store, target, preparePage(store, target, items));
}

/**
 * Writes a batch in the transaction given. Returns the run's bitmap of created users with this
 * batch's in it, a copy (of `created`, or of the run's), to be kept only once the transaction
 * commits: one rolled back names none of its users. Null when the batch created none quietly.
 */
async function writeBatch(tx: Store, target: PageTarget, batch: PreparedBatch, created: IdBitmap | null): Promise<IdBitmap | null> {
  const { now } = batch;
  const { creations } = target;
  await tx.avatars.putMany(batch.avatars, now);
  const ids = new Map((await tx.users.insertPrepared(batch.insert)).map((r) => [r.username, r.id]));
  for (const { avatar } of batch.updates) if (avatar) await tx.avatars.put(avatar, now);
  // Users who keep their names change no name another holds, so they go first and together.
  // Renames follow one by one in the plan's order, which the planner's checks of names assume,
  // and so does a user two entries of the batch update (both written, the later one last).
  const times = new Map<number, number>();
  for (const { userId } of batch.updates) times.set(userId, (times.get(userId) ?? 0) + 1);
  const together = (u: PreparedBatch['updates'][number]) => !u.renames && times.get(u.userId) === 1;
  await tx.users.updateSyncedMany(batch.updates.flatMap((u) => (together(u) ? [{ id: u.userId, fields: u.fields }] : [])), now);
  for (const u of batch.updates) if (!together(u)) await tx.users.updateSynced(u.userId, u.fields, now);
  await tx.users.touchSynced(batch.unchanged, now);
  await tx.users.setStatus(batch.gone, 'deactivated', 'sync', GONE_REASON, now);
  let next = created;
  if (creations && batch.quiet.length) {
    next = (created ?? creations.bitmap).copy();
    for (const name of batch.quiet) next.add(ids.get(name) ?? -1);
    await tx.runs.setCreated(target.runId, next);
  }
  await tx.runs.addOutcomes(target.runId, target.firstSeq, batch.outcomes.map(({ outcome, createdAs }) => (createdAs === undefined ? outcome : { ...outcome, ID: ids.get(createdAs) ?? 0 })));
  return next;
}
