/**
 * One page of directory entries through a run: mapped, matched with the stored users they link
 * to, planned, and recorded. Most entries of a full run are unchanged, and cost the least here.
 */
import type { DirectoryEntry } from '../directory/port.ts';
import { externIdHex, type MappedUser } from '../domain/user.ts';
import type { Mapper, MapResult } from './mapper.ts';
import { planEntry, unchangedAtAGlance, type PageSnapshot } from './planner.ts';
import type { StoredUser } from '../store/repositories/users.ts';
import { WRITE_BATCH, yieldToLoop } from './applier.ts';
import type { SyncRun } from './run.ts';

/**
 * The stored users these entries link to. Most entries of a full run are unchanged: their sync
 * state alone says so, and only the others are read whole, for the field-by-field diff.
 */
async function linkedUsers(run: SyncRun, mapped: MapResult[], ids: Uint8Array[]): Promise<StoredUser[]> {
  const next = new Map<string, MappedUser | null>();
  for (const m of mapped) {
    if (!m.ok) continue;
    const hex = externIdHex(m.user.externId);
    // Two entries with one ID are planned from the whole stored user, as before.
    next.set(hex, next.has(hex) ? null : m.user);
  }
  const states = await run.store.users.syncStatesByExternIds(ids);
  const atAGlance: StoredUser[] = [];
  const rest: Uint8Array[] = [];
  for (const s of states) {
    const user = s.externId ? next.get(externIdHex(s.externId)) : null;
    // The planner answers 'unchanged' for these before it reads any field they lack.
    if (user && s.domainId === run.domain.id && unchangedAtAGlance(s, user)) atAGlance.push({ ...s, displayName: '', aliasesJson: '[]', propertiesJson: '{}', groupsJson: '[]' });
    else if (s.externId) rest.push(s.externId);
  }
  return [...atAGlance, ...(await run.store.users.byExternIds(rest))];
}

export async function processPage(run: SyncRun, mapper: Mapper, entries: DirectoryEntry[]): Promise<void> {
  const { store } = run;
  // Mapping a page is the longest stretch of CPU in a run: done in slices, with the API's
  // requests let in between.
  const mapped: MapResult[] = [];
  for (let i = 0; i < entries.length; i += WRITE_BATCH) {
    await yieldToLoop();
    for (const entry of entries.slice(i, i + WRITE_BATCH)) mapped.push(mapper.map(entry));
  }
  await yieldToLoop();
  const ids = mapped.flatMap((m) => (m.ok ? [m.user.externId] : m.externId ? [m.externId] : []));
  const linked = await linkedUsers(run, mapped, ids);
  const byExternId = new Map(linked.filter((u) => u.externId).map((u) => [externIdHex(u.externId!), u]));
  // Names are looked up only where they can collide: new entries and renames.
  const names = mapped.flatMap((m) => (m.ok && byExternId.get(externIdHex(m.user.externId))?.username !== m.user.username ? [m.user.username] : []));
  const named = await store.users.byUsernames(names);
  const snapshot: PageSnapshot = {
    domain: run.domain,
    importNew: run.options.importNew,
    byExternId,
    byUsername: new Map(named.map((u) => [u.username, u])),
    claimed: run.sink.claims(),
    adoptLocal: run.options.adoptLocal === true || run.source.mergeExistingUsers,
  };
  for (const u of linked) if (u.domainId === run.domain.id) run.seenUsers.add(u.id);
  const planned = mapped.map((m) => planEntry(m, snapshot));
  await yieldToLoop();
  await run.record(planned);
  run.seen += entries.length;
  await run.lock?.heartbeat();
  run.progress('directory');
}
