/**
 * The LDAP directory over ldapts: failover across the source's servers, one bound connection
 * (`ldap-bind.ts`), paged searches streamed a page at a time.
 */
import type { Client, Control, Entry, Filter } from 'ldapts';
import { avatarAttributes, type DirectorySource } from './source.ts';
import type { ControlledResult, DirectoryEntry, DirectoryPort, GroupEntry } from './port.ts';
import { lowerName } from './entry.ts';
import type { RequestControl } from './ldap-requests.ts';
import { GreaterThanEqualsFilter } from 'ldapts';
import { allOf, anyOf, configured, contains, equals } from './escape.ts';
import { classify, DirectoryError, isRefusal } from './errors.ts';
import { openBoundClient, tlsOptionsFor } from './ldap-bind.ts';
import { attributeMap, presetFor } from './presets.ts';
import { LdapSession } from './ldap-session.ts';
import { RefreshCollector, syncRequestControl, type RefreshResult } from './content-sync.ts';

export interface ConnectOptions {
  /** Called when a server in the list failed and the next one is tried. */
  onFailover?: (server: string, error: DirectoryError) => void;
}

/** Connects to the first server of the list that answers and accepts the bind. */
export async function connect(source: DirectorySource, options: ConnectOptions = {}): Promise<LdapDirectory> {
  const failures: DirectoryError[] = [];
  for (const server of source.connection.servers) {
    try {
      return new LdapDirectory(source, await openBoundClient(source, server), server);
    } catch (e) {
      const error = e instanceof DirectoryError ? e : classify(e, server, 'connect');
      failures.push(error);
      options.onFailover?.(server, error);
    }
  }
  const worst = failures.find((f) => f.failure === 'bind') ?? failures.find((f) => f.failure === 'tls') ?? failures[0];
  throw new DirectoryError(worst?.failure ?? 'unreachable', failures.map((f) => f.message).join('; ') || 'no LDAP server configured');
}

function toEntry(raw: Entry): DirectoryEntry {
  const attributes = new Map<string, Array<string | Buffer>>();
  for (const key in raw) {
    if (key === 'dn') continue;
    const value = raw[key] as string | Buffer | Array<string | Buffer>;
    if (Array.isArray(value)) {
      // ldapts lists every requested attribute, present or not; absent ones are not attributes.
      if (value.length) attributes.set(lowerName(key), value);
    } else {
      attributes.set(lowerName(key), [value]);
    }
  }
  return { dn: raw.dn, attributes };
}

export class LdapDirectory implements DirectoryPort {
  readonly server: string;
  private readonly source: DirectorySource;
  private readonly client: Client;
  private readonly referencesSeen = new Set<string>();

  constructor(source: DirectorySource, client: Client, server: string) {
    this.source = source;
    this.client = client;
    this.server = server;
  }

  /** Every attribute the mappers read, and nothing more. */
  attributes(): string[] {
    const u = this.source.users;
    const mapped = Object.keys(attributeMap(this.source.vendor, u.templates, u.attributes));
    const photos = this.source.avatars.enabled ? avatarAttributes(this.source.avatars.attribute) : [];
    const accountState = presetFor(this.source.vendor).accountState.map((rule) => rule.attribute);
    const wanted = [this.source.objectID, u.username, u.displayName, u.aliases, 'uid', 'preferredLanguage', ...accountState, ...mapped, ...photos];
    return [...new Set(wanted.filter(Boolean))];
  }

  private userFilter(extra?: Filter): Filter {
    const u = this.source.users;
    const parts = [configured(u.filter), ...u.filters.map(configured)];
    if (extra) parts.push(extra);
    return allOf(parts);
  }

  private binaryAttributes(): string[] {
    return [...new Set([...presetFor(this.source.vendor).binaryAttributes, this.source.objectID, ...avatarAttributes(this.source.avatars.attribute)])];
  }

  private async *pages(filter: Filter, attributes: string[], sizeLimit = 0, base = this.source.baseDn, scope: 'base' | 'one' | 'sub' = 'sub', controls?: Control[]): AsyncGenerator<DirectoryEntry[]> {
    try {
      const iterator = this.client.searchPaginated(base, {
        scope,
        filter,
        attributes,
        explicitBufferAttributes: this.binaryAttributes(),
        paged: { pageSize: this.source.pageSize },
        sizeLimit,
      }, controls);
      for await (const page of iterator) {
        for (const r of page.searchReferences) this.referencesSeen.add(r);
        yield page.searchEntries.map(toEntry);
      }
    } catch (e) {
      throw classify(e, this.server, 'search', { dn: base });
    }
  }

  /**
   * The full read, the one that sets a sync's pace: our own reader on a connection of its own
   * (ldapts' per-entry bookkeeping cost three times the parsing), pages pipelined.
   */
  async *users(): AsyncGenerator<DirectoryEntry[]> {
    const base = this.source.baseDn;
    let session: LdapSession | null = null;
    try {
      session = await this.session();
      for await (const page of session.pagedSearch({ base, scope: 'sub', filter: this.userFilter(), attributes: this.attributes() }, this.source.pageSize)) {
        for (const r of page.references) this.referencesSeen.add(r);
        yield page.entries;
      }
    } catch (e) {
      throw classify(e, this.server, 'search', { dn: base });
    } finally {
      await session?.close();
    }
  }

  async *ids(): AsyncGenerator<Uint8Array[]> {
    const key = this.source.objectID.toLowerCase();
    for await (const page of this.pages(this.userFilter(), [this.source.objectID])) {
      yield page.flatMap((e) => { const id = e.attributes.get(key)?.[0]; return id === undefined ? [] : [new Uint8Array(Buffer.from(id))]; });
    }
  }

  raw(base: string, filter: string, attributes: string[], options: { scope?: 'base' | 'one' | 'sub'; controls?: unknown[] } = {}): AsyncIterable<DirectoryEntry[]> {
    return this.pages(configured(filter), attributes, 0, base, options.scope ?? 'sub', options.controls as Control[] | undefined);
  }

  usersChangedSince(generalizedTime: string, attribute: string): AsyncIterable<DirectoryEntry[]> {
    return this.pages(this.userFilter(new GreaterThanEqualsFilter({ attribute, value: generalizedTime })), this.attributes());
  }

  async *groups(): AsyncGenerator<GroupEntry[]> {
    const g = this.source.groups;
    // Where the server hands out a large member list in ranges (AD), ask for the first explicitly.
    const rangeSize = presetFor(this.source.vendor).memberRange;
    const memberAttr = rangeSize ? `member;range=0-${rangeSize - 1}` : 'member';
    for await (const page of this.pages(configured(g.filter), [g.nameAttribute, memberAttr, 'uniqueMember', 'memberUid', this.source.objectID])) {
      const out: GroupEntry[] = [];
      for (const entry of page) {
        const members = [...this.strings(entry, 'member'), ...this.strings(entry, 'uniquemember')];
        for (const [key] of entry.attributes) {
          const range = /^member;range=(\d+)-(\d+)$/.exec(key);
          if (range) members.push(...(await this.restOfRange(entry.dn, Number(range[2]) + 1)));
          if (key.startsWith('member;range=')) members.push(...this.strings(entry, key));
        }
        const id = entry.attributes.get(this.source.objectID.toLowerCase())?.[0];
        out.push({
          dn: entry.dn, name: this.strings(entry, g.nameAttribute.toLowerCase())[0] ?? entry.dn, members,
          memberUids: this.strings(entry, 'memberuid'), externId: id === undefined ? null : new Uint8Array(Buffer.from(id)),
        });
      }
      yield out;
    }
  }

  private strings(entry: DirectoryEntry, key: string): string[] {
    return (entry.attributes.get(key) ?? []).map((v) => v.toString());
  }

  /** Fetches `member;range=start-*` and on, until the server says it sent the last range. */
  private async restOfRange(dn: string, start: number): Promise<string[]> {
    const out: string[] = [];
    for (let from = start; ;) {
      let next: number | null = null;
      for await (const page of this.pages(configured('(objectClass=*)'), [`member;range=${from}-*`], 0, dn, 'base')) {
        for (const entry of page) for (const [key, values] of entry.attributes) {
          const m = /^member;range=(\d+)-(\d+|\*)$/.exec(key);
          if (!m) continue;
          out.push(...values.map(String));
          next = m[2] === '*' ? null : Number(m[2]) + 1;
        }
      }
      if (next === null) return out;
      from = next;
    }
  }

  async idsMatching(filter: string): Promise<Set<string>> {
    const ids = new Set<string>();
    for await (const page of this.pages(this.userFilter(configured(filter)), [this.source.objectID])) {
      for (const entry of page) {
        const id = entry.attributes.get(this.source.objectID.toLowerCase())?.[0];
        if (id !== undefined) ids.add(Buffer.from(id).toString('hex'));
      }
    }
    return ids;
  }

  async usersById(ids: Uint8Array[]): Promise<DirectoryEntry[]> {
    if (ids.length === 0) return [];
    const byId = anyOf(ids.map((id) => equals(this.source.objectID, Buffer.from(id))));
    const out: DirectoryEntry[] = [];
    for await (const page of this.pages(this.userFilter(byId), this.attributes())) out.push(...page);
    return out;
  }

  async byLogin(login: string): Promise<DirectoryEntry[]> {
    if (/\p{Cc}/u.test(login)) return [];
    const names = [...new Set([this.source.users.username, presetFor(this.source.vendor).altname])];
    const out: DirectoryEntry[] = [];
    for await (const page of this.pages(this.userFilter(anyOf(names.map((n) => equals(n, login)))), this.attributes(), 3)) out.push(...page);
    return out;
  }

  async search(query: string, limit: number): Promise<DirectoryEntry[]> {
    // Control characters (NUL above all) can mean nothing in a name, and servers cut values at
    // them: "a\0b" would match like "a". Such a query matches nothing.
    if (/\p{Cc}/u.test(query)) return [];
    const attrs = this.source.users.searchAttributes;
    const match = query ? anyOf(attrs.map((a) => contains(a, query))) : undefined;
    const out: DirectoryEntry[] = [];
    try {
      for await (const page of this.pages(this.userFilter(match), this.attributes(), limit)) {
        out.push(...page);
        if (out.length >= limit) break;
      }
    } catch (e) {
      if (!(e instanceof DirectoryError && /size limit/i.test(e.message))) throw e;
    }
    return out.slice(0, limit);
  }

  references(): string[] { return [...this.referencesSeen]; }

  async rootDse(attributes: string[]): Promise<DirectoryEntry | null> {
    try {
      const { searchEntries } = await this.client.search('', { scope: 'base', filter: '(objectClass=*)', attributes, explicitBufferAttributes: this.binaryAttributes() });
      return searchEntries[0] ? toEntry(searchEntries[0]) : null;
    } catch (e) {
      const error = classify(e, this.server, 'search');
      if (isRefusal(error)) return null;
      throw error;
    }
  }

  /**
   * ldapts cannot read what change detection needs (IntermediateResponse, controls on entries):
   * a connection of our own to the same server, with the same bind, reads it.
   */
  private session(): Promise<LdapSession> {
    return LdapSession.open({ source: this.source, server: this.server, tlsOptions: (host) => tlsOptionsFor(this.source, host), binaryAttributes: this.binaryAttributes() });
  }

  async controlledSearch(base: string, filter: string, attributes: string[], controls: RequestControl[], onEntry: (entry: DirectoryEntry) => void): Promise<ControlledResult> {
    const session = await this.session();
    try {
      const references: string[] = [];
      for await (const batch of session.search({ base, scope: 'sub', filter, attributes, controls })) {
        for (const m of batch) {
          if (m.op === 'entry') onEntry(m.entry);
          else if (m.op === 'reference') references.push(...m.uris);
          else if (m.op === 'done') return { code: m.result.code, message: m.result.message, controls: m.controls, references: [...references, ...m.result.referrals] };
        }
      }
      throw new DirectoryError('search', `${this.server}: the search ended without a result`);
    } finally {
      await session.close();
    }
  }

  async contentSync(base: string, filter: string, attributes: string[], cookie: Buffer | null): Promise<RefreshResult> {
    const session = await this.session();
    try {
      const collector = new RefreshCollector();
      for await (const batch of session.search({ base, scope: 'sub', filter, attributes, controls: [syncRequestControl(cookie)] })) {
        for (const m of batch) collector.add(m);
      }
      return collector.result;
    } finally {
      await session.close();
    }
  }

  async close(): Promise<void> {
    await this.client.unbind().catch(() => undefined);
  }
}
