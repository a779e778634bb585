/**
 * Writes a page of the plan with its outcomes, in one transaction per page (PostgreSQL) or per
 * SQLITE_BATCH users (SQLite): every user in a batch is either fully updated or, if anything
 * fails, left as before. The event loop gets a turn between batches, so the API stays responsive.
 */
import type { Store } from '../store/store.ts';
import { CREATED_MESSAGE, OutcomeCode, SYNCED_MESSAGE, type Outcome } from '../domain/outcome.ts';
import type { IdBitmap } from '../domain/id-bitmap.ts';
import { describeUpdate, syncHash, type PlanItem } from './planner.ts';
import type { NewUser } from '../store/repositories/users.ts';
import { isAvatarImage } from '../domain/user.ts';
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

/** Applies the items and returns the next outcome sequence number. */
export async function applyPage(store: Store, target: PageTarget, items: PlanItem[]): Promise<number> {
  const reported = items.filter((i) => i.kind !== 'skip');
  // PostgreSQL serves requests on other connections, and each commit costs a flush: one per page.
  const batch = store.dialect === 'sqlite' ? SQLITE_BATCH : Math.max(1, reported.length);
  let seq = target.firstSeq;
  for (let i = 0; i < reported.length; i += batch) {
    if (i > 0) await yieldToLoop();
    seq = await applyBatch(store, { ...target, firstSeq: seq }, reported.slice(i, i + batch));
  }
  return seq;
}

async function applyBatch(store: Store, target: PageTarget, reported: PlanItem[]): Promise<number> {
  if (reported.length === 0) return target.firstSeq;
  const now = new Date().toISOString();
  const { creations } = target;
  let created: IdBitmap | null = null;
  let rows = 0;
  await store.transaction(async (tx) => {
    const creates = reported.flatMap((i) => (i.kind === 'create' ? [i] : []));
    await tx.avatars.putMany(creates.flatMap(({ user }) => (isAvatarImage(user.avatar) ? [user.avatar] : [])), now);
    const newUsers: NewUser[] = creates.map(({ user }) => ({
      domainId: target.domainId, username: user.username, externId: user.externId, dn: user.dn, displayName: user.displayName,
      email: user.email, aliases: user.aliases, lang: target.lang, properties: user.properties, groups: user.groups, roles: user.roles, syncHash: syncHash(user), entryKey: user.entryKey ?? null,
      status: user.enabled ? 'active' : 'deactivated', statusSource: user.enabled ? null : 'sync', statusReason: user.disabledReason,
      avatarHash: isAvatarImage(user.avatar) ? user.avatar.hash : null,
    }));
    const ids = new Map((await tx.users.insertMany(newUsers, now)).map((r) => [r.username, r.id]));
    const unchanged: number[] = [];
    const gone: number[] = [];
    for (const item of reported) {
      if (item.kind === 'unchanged') unchanged.push(item.userId);
      else if (item.kind === 'gone') gone.push(item.userId);
      else if (item.kind === 'update') {
        const u = item.user;
        if (item.avatar) await tx.avatars.put(item.avatar, now);
        await tx.users.updateSynced(item.userId, {
          username: u.username, dn: u.dn, displayName: u.displayName, email: u.email, aliases: u.aliases, properties: u.properties, groups: u.groups, roles: u.roles,
          syncHash: syncHash(u), entryKey: u.entryKey ?? null, ...(item.link ? { externId: u.externId } : {}), ...(item.avatar !== undefined ? { avatarHash: item.avatar?.hash ?? null } : {}), ...(item.status ? { status: item.status.to, statusSource: item.status.to === 'active' ? null : 'sync', statusReason: item.status.reason } : {}),
        }, now);
      }
    }
    await tx.users.touchSynced(unchanged, now);
    await tx.users.setStatus(gone, 'deactivated', 'sync', GONE_REASON, now);
    const listed = creations ? reported.filter((i) => !quietCreation(i)) : reported;
    if (creations && listed.length < reported.length) {
      // A copy, kept only once the batch commits: a batch rolled back names none of its users.
      created = creations.bitmap.copy();
      for (const item of reported) if (item.kind === 'create' && quietCreation(item)) created.add(ids.get(item.user.username) ?? -1);
      await tx.runs.setCreated(target.runId, created);
    }
    const outcomes = listed.map((item) => outcomeOf(item, item.kind === 'create' ? ids.get(item.user.username) ?? 0 : 0));
    await tx.runs.addOutcomes(target.runId, target.firstSeq, outcomes);
    rows = outcomes.length;
  });
  if (creations && created) creations.bitmap = created;
  return target.firstSeq + rows;
}
