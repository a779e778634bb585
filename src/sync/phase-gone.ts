/**
 * Settling the gone: users of the domain a complete answer did not name, and entries that became
 * disabled, counted together against the source's threshold, then applied or held (by the sink).
 * A disabled filter that suddenly matches half the directory waits like a filter matching nobody.
 */
import { referenceBase, under } from './references.ts';
import type { GoneCandidates } from './run-sink.ts';
import type { SyncRun } from './run.ts';

/** Deactivations, counted first, then applied or held: the users gone (or none) with the deferred disabled. */
export async function settleGone(run: SyncRun, candidates: GoneCandidates | null): Promise<void> {
  const settled = await run.sink.settleGone(candidates, run);
  run.held += settled.held;
  if (settled.cancelled) run.cancelled = true;
}

/** A user whose entry lies behind a reference the directory did not resolve is not gone. */
function behindReference(run: SyncRun, dn: string | null): boolean {
  const bases = [...run.references].map(referenceBase).filter((b): b is string => b !== null);
  return bases.length > 0 && under(dn, bases);
}

/** IDs looked up at a time when the run saw most users. */
const AMONG = 1000;

/**
 * Linked, active users of this domain that existed at the start and were not seen. After a full
 * answer the IDs not seen are few (the gone, other domains' users, deleted IDs): those are looked
 * up by ID, instead of reading every user of the domain; when they are many, the domain is read.
 */
export const unseen = (run: SyncRun): GoneCandidates => {
  const { seenUsers } = run;
  let missing: number[] | null = null;
  return () => (async function* () {
    missing ??= seenUsers.unseenIds();
    const gone = (users: Array<{ id: number; username: string; dn: string | null }>) => users.filter((u) => seenUsers.covers(u.id) && !seenUsers.has(u.id) && !behindReference(run, u.dn)).map((u) => ({ id: u.id, username: u.username }));
    if (missing.length > Math.max(AMONG, run.seen)) {
      for await (const chunk of run.store.users.linkedActiveInDomain(run.domain.id)) yield gone(chunk);
      return;
    }
    for (let i = 0; i < missing.length; i += AMONG) yield gone(await run.store.users.linkedActiveAmong(run.domain.id, missing.slice(i, i + AMONG)));
  })();
};

/** Linked, active users of this domain among these IDs that were not seen. */
export const unseenAmong = (run: SyncRun, ids: Uint8Array[]): GoneCandidates => () => (async function* () {
  const { seenUsers } = run;
  for (let i = 0; i < ids.length; i += 1000) {
    const users = await run.store.users.byExternIds(ids.slice(i, i + 1000));
    yield users.filter((u) => u.domainId === run.domain.id && seenUsers.covers(u.id) && !seenUsers.has(u.id) && u.status === 'active').map((u) => ({ id: u.id, username: u.username }));
  }
})();
