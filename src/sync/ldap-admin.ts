/**
 * The directory tools around the sync: test a configuration, search, dump one entry, find
 * orphans, and sync or import one user. Every call names the domains it acts for; the caller
 * (the API) has checked the admin may touch them.
 */
import type { Store } from '../store/store.ts';
import type { DirectoryEntry, DirectoryPort } from '../directory/port.ts';
import { parseSource, type DirectorySource } from '../directory/source.ts';
import { domainOf } from '../domain/user.ts';
import type { Outcome } from '../domain/outcome.ts';
import { createMapper } from './mapper.ts';
import { runSync, sourceForDomain } from './engine.ts';
import { SeenSet } from './seen-set.ts';
import { forcedMechanism } from './delta-choice.ts';
import { DirectoryError } from '../directory/errors.ts';

/** The longest a connection test may take, connect and search each. */
export const TEST_TIMEOUT_MS = 30_000;

export type Connect = (source: DirectorySource) => Promise<DirectoryPort>;

export interface SearchHit { externId: Uint8Array; name: string; email: string | null; dn: string; error: string | null }

/** Every call here holds an admin's request open: each connect and operation gets at most TEST_TIMEOUT_MS. */
const interactive = (source: DirectorySource): DirectorySource => ({
  ...source,
  connection: { ...source.connection, connectTimeoutMs: Math.min(source.connection.connectTimeoutMs, TEST_TIMEOUT_MS), timeoutMs: Math.min(source.connection.timeoutMs, TEST_TIMEOUT_MS) },
});

/** Fails with `message` when `work` has not settled within `ms` (however many servers it tries). */
function within<T>(ms: number, message: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new DirectoryError('unreachable', message)), ms); });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

async function withDirectory<T>(connect: Connect, source: DirectorySource, work: (d: DirectoryPort) => Promise<T>): Promise<T> {
  const directory = await connect(interactive(source));
  try { return await work(directory); } finally { await directory.close(); }
}

export class LdapAdmin {
  private readonly store: Store;
  private readonly connect: Connect;

  constructor(store: Store, connect: Connect) {
    this.store = store;
    this.connect = connect;
  }

  /**
   * Parses the config, binds and runs one small search; throws SourceConfigError or DirectoryError.
   * A test holds a request open, so its timeouts are capped whatever the source says. A change
   * detection the source forces must be there: saving one the server lacks is refused here, not
   * found out at the first run.
   */
  async test(config: unknown): Promise<void> {
    const source = parseSource(config);
    await within(TEST_TIMEOUT_MS, `no answer within ${TEST_TIMEOUT_MS / 1000} s`, withDirectory(this.connect, source, async (d) => {
      await d.search('', 1);
      const forced = forcedMechanism(source);
      const missing = forced && (await forced.unavailable(d));
      if (missing) throw new DirectoryError('search', `delta is set to '${forced.name}', but ${missing}`);
    }));
  }

  /** The parsed source an organization syncs from (its own, else the default), if any. */
  async sourceOf(orgId: number): Promise<DirectorySource | undefined> {
    const saved = await this.store.sources.effective(orgId);
    return saved && parseSource(saved.config);
  }

  /** Entries matching the query whose address lies in one of `domains` (lower-case names). */
  async search(source: DirectorySource, query: string, limit: number, domains: Set<string>): Promise<SearchHit[]> {
    const mapper = createMapper(source);
    const entries = await withDirectory(this.connect, source, (d) => d.search(query, Math.min(limit * 4, 1000)));
    const hits: SearchHit[] = [];
    for (const entry of entries) {
      const m = mapper.map(entry);
      if (!m.ok) continue;
      if (!domains.has(domainOf(m.user.username))) continue;
      hits.push({ externId: m.user.externId, name: m.user.displayName, email: m.user.email, dn: entry.dn, error: null });
      if (hits.length >= limit) break;
    }
    return hits;
  }

  /** How many users in scope have this login (username attribute or the vendor's login name), matched exactly. */
  async countByLogin(source: DirectorySource, login: string): Promise<number> {
    return withDirectory(this.connect, source, async (d) => (await d.byLogin(login)).length);
  }

  /** The one user in scope with this login, or undefined when none or several match. */
  async findByLogin(source: DirectorySource, login: string): Promise<DirectoryEntry | undefined> {
    const found = await withDirectory(this.connect, source, (d) => d.byLogin(login));
    return found.length === 1 ? found[0] : undefined;
  }

  /** One entry by stable ID, if it exists and its address lies in one of `domains`. */
  async entry(source: DirectorySource, id: Uint8Array, domains: Set<string>): Promise<DirectoryEntry | undefined> {
    const [entry] = await withDirectory(this.connect, source, (d) => d.usersById([id]));
    if (!entry) return undefined;
    const m = createMapper(source).map(entry);
    return m.ok && domains.has(domainOf(m.user.username)) ? entry : undefined;
  }

  /**
   * The whole entry, every user attribute (objectClass included), for LDAP Dump: found by stable
   * ID within scope and the domains as `entry` finds it, then read once more by its DN.
   */
  async dump(source: DirectorySource, id: Uint8Array, domains: Set<string>): Promise<DirectoryEntry | undefined> {
    return withDirectory(this.connect, source, async (d) => {
      const [entry] = await d.usersById([id]);
      const m = entry && createMapper(source).map(entry);
      if (!entry || !m || !m.ok || !domains.has(domainOf(m.user.username))) return undefined;
      for await (const page of d.raw(entry.dn, '(objectClass=*)', ['*', source.objectID], { scope: 'base' })) if (page[0]) return page[0];
      return entry;
    });
  }

  /** Linked users of these domains whose entry the directory no longer has (a full ID scan). */
  async orphans(domainIds: number[]): Promise<Array<{ ID: number; username: string }>> {
    const orphans: Array<{ ID: number; username: string }> = [];
    const bySource = new Map<number, number[]>();
    for (const id of domainIds) {
      const domain = await this.store.domains.get(id);
      const saved = domain && (await this.store.sources.effective(domain.orgId));
      if (!saved) continue;
      bySource.set(saved.orgId, [...(bySource.get(saved.orgId) ?? []), id]);
    }
    for (const [orgId, ids] of bySource) {
      const source = (await this.sourceOf(orgId))!;
      const seen = new SeenSet(await this.store.users.maxId());
      await withDirectory(this.connect, source, async (d) => {
        for await (const page of d.ids()) for (const u of await this.store.users.byExternIds(page)) seen.add(u.id);
      });
      for (const domainId of ids) {
        for await (const chunk of this.store.users.linkedInDomain(domainId)) {
          for (const u of chunk) if (seen.covers(u.id) && !seen.has(u.id)) orphans.push({ ID: u.id, username: u.username });
        }
      }
    }
    return orphans;
  }

  /** Syncs one linked user now; its outcome. */
  async syncUser(domainId: number, externId: Uint8Array): Promise<Outcome | undefined> {
    const report = await runSync({ store: this.store, connect: (s) => this.connect(interactive(s)) }, { domainId, importNew: false, lang: '', dryRun: false, only: [externId] });
    if (report.error) return { ID: 0, username: '', code: report.error.code, message: report.error.message };
    return report.runId === null ? undefined : (await this.store.runs.allOutcomes(report.runId))[0];
  }

  /** Imports (or updates) one entry into a domain; `force` links a local user of the same name. */
  async importUser(domainId: number, externId: Uint8Array, options: { force: boolean; lang: string }): Promise<Outcome | undefined> {
    await sourceForDomain(this.store, domainId);
    const report = await runSync({ store: this.store, connect: (s) => this.connect(interactive(s)) }, { domainId, importNew: true, lang: options.lang, dryRun: false, only: [externId], adoptLocal: options.force });
    if (report.error) return { ID: 0, username: '', code: report.error.code, message: report.error.message };
    return report.runId === null ? undefined : (await this.store.runs.allOutcomes(report.runId))[0];
  }

}
