/**
 * One page of directory entries through a run: matched with the stored users they link to,
 * mapped, planned, and recorded. Most entries of a full run are unchanged, and cost the least
 * here: an entry whose key (sync/entry-key.ts) its user has stored is not even mapped.
 */
import type { DirectoryEntry } from '../directory/port.ts';
import { externIdHex, type MappedUser } from '../domain/user.ts';
import type { Mapper, MapResult } from './mapper.ts';
import { planEntry, unchangedAtAGlance, type PageSnapshot, type PlanItem } from './planner.ts';
import type { StoredSyncState, StoredUser } from '../store/repositories/users.ts';
import { WRITE_BATCH, yieldToLoop } from './applier.ts';
import { keepsKey, type KeyedEntry, type PageMapper } from './entry-key.ts';
import type { SyncRun } from './run.ts';

/** A stored user the entry's key vouches for: the same key, synced by us, nothing to undo. */
function vouchedFor(run: SyncRun, state: StoredSyncState | undefined, keyed: KeyedEntry): state is StoredSyncState {
  return state !== undefined && state.domainId === run.domain.id && state.entryKey === keyed.key && state.syncHash !== null
    // The sync reactivates a user it deactivated as gone: that is a change, and mapping tells it.
    && !(state.status === 'deactivated' && state.statusSource === 'sync');
}

/**
 * The stored users these entries link to. Most entries of a full run are unchanged: their sync
 * state alone says so, and only the others are read whole, for the field-by-field diff.
 */
async function linkedUsers(run: SyncRun, mapped: MapResult[], hexOf: Array<string | null>, states: Array<[string, StoredSyncState]>): Promise<StoredUser[]> {
  // An import's pages link to nobody.
  if (states.length === 0) return [];
  const next = new Map<string, MappedUser | null>();
  mapped.forEach((m, j) => {
    if (!m.ok) return;
    const hex = hexOf[j]!;
    // Two entries with one ID are planned from the whole stored user, as before.
    next.set(hex, next.has(hex) ? null : m.user);
  });
  const atAGlance: StoredUser[] = [];
  const rest: Uint8Array[] = [];
  for (const [hex, s] of states) {
    const user = next.get(hex);
    // The planner answers 'unchanged' for these before it reads any field they lack.
    if (user && s.domainId === run.domain.id && unchangedAtAGlance(s, user)) atAGlance.push({ ...s, displayName: '', aliasesJson: '[]', propertiesJson: '{}', groupsJson: '[]', rolesJson: '[]' });
    else if (s.externId) rest.push(s.externId);
  }
  return [...atAGlance, ...(await run.store.users.byExternIds(rest))];
}

/** Maps a page's entries in slices, with the API's requests let in between (a sync thread's own loop, or the API's). */
async function mapAll(mapper: Mapper, entries: DirectoryEntry[]): Promise<MapResult[]> {
  const mapped: MapResult[] = [];
  for (let i = 0; i < entries.length; i += WRITE_BATCH) {
    await yieldToLoop();
    for (const entry of entries.slice(i, i + WRITE_BATCH)) mapped.push(mapper.map(entry));
  }
  return mapped;
}

/** What a page's keys told before any entry was mapped. */
interface Vouched {
  keyed: Array<KeyedEntry | null>;
  /** IDs (hex) looked up by key. */
  lookedUp: Set<string>;
  /** Stored sync states by ID (hex): those the keys looked up, then those the mapping added. */
  states: Map<string, StoredSyncState>;
  /** IDs (hex) two entries of the page share: their users are never taken on trust. */
  repeated: Set<string>;
  /** Plan items by entry: the vouched-for ones filled in, the rest to be planned. */
  items: Array<PlanItem | null>;
  toMap: number[];
}

/** Looks the page's keys up and answers 'unchanged' for every entry its user's key vouches for. */
async function vouch(run: SyncRun, mapper: PageMapper, entries: DirectoryEntry[]): Promise<Vouched> {
  const keyed = entries.map((e) => mapper.keyOf(e));
  const lookedUp = new Set<string>();
  const repeated = new Set<string>();
  for (const k of keyed) if (k) { if (lookedUp.has(k.hex)) repeated.add(k.hex); lookedUp.add(k.hex); }
  // Users the page still being written touches are looked up once it is written.
  if (run.sink.writing(lookedUp, [])) await run.sink.flush();
  const states = new Map<string, StoredSyncState>();
  for (const s of await run.store.users.syncStatesByExternIds(keyed.flatMap((k) => (k ? [k.id] : [])))) if (s.externId) states.set(externIdHex(s.externId), s);
  const items: Array<PlanItem | null> = entries.map(() => null);
  const toMap: number[] = [];
  keyed.forEach((k, i) => {
    const state = k && !repeated.has(k.hex) ? states.get(k.hex) : undefined;
    if (k && vouchedFor(run, state, k)) {
      items[i] = { kind: 'unchanged', userId: state.id, username: state.username };
      run.seenUsers.add(state.id);
    } else toMap.push(i);
  });
  return { keyed, lookedUp, states, repeated, items, toMap };
}

export async function processPage(run: SyncRun, mapper: PageMapper, entries: DirectoryEntry[]): Promise<void> {
  const { store } = run;
  const { keyed, lookedUp, states, repeated, items, toMap } = await vouch(run, mapper, entries);
  const mapped = await mapAll(mapper, toMap.map((i) => entries[i]!));
  await yieldToLoop();
  // Each entry's ID in hex once: the lookups, the links and the names below key by it.
  const hexOf = mapped.map((m) => { const id = m.ok ? m.user.externId : m.externId; return id ? externIdHex(id) : null; });
  const ids = mapped.flatMap((m) => (m.ok ? [m.user.externId] : m.externId ? [m.externId] : []));
  const idHex = hexOf.filter((h): h is string => h !== null);
  if (run.sink.writing(idHex, mapped.flatMap((m) => (m.ok ? [m.user.username] : [])))) {
    // Looked up before that page was written: once it is, the page is planned again from the start.
    await run.sink.flush();
    return processPage(run, mapper, entries);
  }
  // An entry without a key was not looked up by it: its ID comes from the mapping.
  const unkeyed = ids.filter((_, j) => !lookedUp.has(idHex[j]!));
  for (const s of await store.users.syncStatesByExternIds(unkeyed)) if (s.externId) states.set(externIdHex(s.externId), s);
  const mappedHex = new Set(idHex);
  const linked = await linkedUsers(run, mapped, hexOf, [...states].filter(([hex]) => mappedHex.has(hex)));
  const byExternId = new Map(linked.filter((u) => u.externId).map((u) => [externIdHex(u.externId!), u]));
  // Names are looked up only where they can collide: new entries and renames.
  const names = mapped.flatMap((m, j) => (m.ok && byExternId.get(hexOf[j]!)?.username !== m.user.username ? [m.user.username] : []));
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

  const keysFound: Array<{ id: number; key: string }> = [];
  mapped.forEach((m, j) => {
    const i = toMap[j]!;
    const k = keyed[i];
    // The key goes with the user only where the user will be exactly what the entry maps to:
    // of two entries with one ID, either may be the one written.
    if (k && m.ok && keepsKey(m.user) && !repeated.has(k.hex)) m.user.entryKey = k.key;
    const item = planEntry(m, snapshot);
    items[i] = item;
    if (item.kind === 'unchanged' && !item.note && k && m.ok && m.user.entryKey && states.get(k.hex)?.entryKey !== k.key) keysFound.push({ id: item.userId, key: k.key });
  });
  await yieldToLoop();
  await run.record(items as PlanItem[]);
  await run.sink.keepKeys(keysFound);
  run.seen += entries.length;
  run.mapped += mapped.length;
  await run.lock?.heartbeat();
  run.progress('directory');
}
