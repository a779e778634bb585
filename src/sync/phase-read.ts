/**
 * Reading the directory: every user (full), the entries named (single entries), or what changed
 * since the cookie (delta). Each returns the users it found gone, to settle, or null: a run cut
 * short, a single-entry run, or a source that deactivates nobody settles none.
 */
import type { DirectoryEntry, DirectoryPort } from '../directory/port.ts';
import type { ChangeSet } from './delta.ts';
import type { GroupIndex } from './groups.ts';
import type { GoneCandidates } from './run-sink.ts';
import type { SyncRun } from './run.ts';
import { processPage } from './phase-page.ts';
import type { PageMapper } from './entry-key.ts';
import { unseen, unseenAmong } from './phase-gone.ts';

async function* onePage(entries: Promise<DirectoryEntry[]>): AsyncGenerator<DirectoryEntry[]> {
  yield await entries;
}

/** Looks entries up by ID in batches small enough for one filter each. */
async function* byIds(directory: DirectoryPort, ids: Uint8Array[], batch: number): AsyncGenerator<DirectoryEntry[]> {
  for (let i = 0; i < ids.length; i += batch) yield await directory.usersById(ids.slice(i, i + batch));
}

/** Stable IDs in pages, as the directory's ID scan gives them. */
async function* inPages(ids: Uint8Array[], size = 1000): AsyncGenerator<Uint8Array[]> {
  for (let i = 0; i < ids.length; i += size) yield ids.slice(i, i + size);
}

async function readPages(run: SyncRun, mapper: PageMapper, pages: AsyncIterable<DirectoryEntry[]>): Promise<void> {
  for await (const page of pages) {
    if (run.options.signal?.aborted) {
      // A page still being written that failed makes the run a failure, not a cancelled one.
      await run.sink.flush();
      run.cancelled = true;
      break;
    }
    await processPage(run, mapper, page);
  }
  // What follows the pages reads the store: every page is written first.
  await run.sink.flush();
}

/** Every user in the filter, or only the entries asked for (those not found are reported missing). */
export async function readFull(run: SyncRun, directory: DirectoryPort, mapper: PageMapper): Promise<GoneCandidates | null> {
  const { only } = run.options;
  await readPages(run, mapper, only ? onePage(directory.usersById(only)) : directory.users());
  if (only) {
    const missing = (await run.store.users.byExternIds(only)).filter((u) => u.domainId === run.domain.id && !run.seenUsers.has(u.id));
    await run.record(missing.map((u) => ({ kind: 'missing', userId: u.id, username: u.username })));
    return null;
  }
  if (run.cancelled || !run.source.deactivateGone) return null;
  // Reached only after the directory answered every page: a complete enumeration.
  for (const r of directory.references()) run.references.add(r);
  return unseen(run);
}

/** The entries that changed, and the users in groups whose membership changed. */
export async function readDelta(run: SyncRun, directory: DirectoryPort, mapper: PageMapper, groups: GroupIndex | null, changes: ChangeSet): Promise<GoneCandidates | null> {
  const { store, domain } = run;
  run.nextCookie = changes.cookie;
  run.changesRead = changes.read ?? 0;
  for (const r of changes.references ?? []) run.references.add(r);
  const ids = [...changes.changedIds];
  if (groups) {
    // Membership changes: re-read the users in touched groups, before and after the change.
    const touched = groups.groupNamesAmong(changes.changedIds);
    if (touched.size) {
      const before = await store.users.inGroups(domain.id, [...touched]);
      const after = await store.users.byDns(domain.id, groups.membersOf(touched));
      for (const u of [...before, ...after]) if (u.externId) ids.push(u.externId);
    }
  }
  await readPages(run, mapper, byIds(directory, ids, 200));
  if (run.cancelled || !run.source.deactivateGone) return null;
  if (!changes.scanForDeletions) {
    // Changed entries the user filter no longer returns left the scope; deleted ones are gone.
    return unseenAmong(run, [...ids, ...changes.deletedIds]);
  }
  // Deletions are found by what is still there: the IDs the mechanism named present, or a scan.
  const present = changes.presentIds ? inPages(changes.presentIds) : directory.ids();
  for await (const page of present) for (const u of await store.users.byExternIds(page)) if (u.domainId === domain.id) run.seenUsers.add(u.id);
  return unseen(run);
}
