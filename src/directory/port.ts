/** What the engine needs from a directory; the LDAP client implements it, nothing else does. */

/** Attribute names lower-cased; values as strings, or bytes for binary attributes. */
export interface DirectoryEntry {
  dn: string;
  attributes: Map<string, Array<string | Buffer>>;
}

export interface DirectoryPort {
  /** Streams the users in scope one page at a time; memory is bounded by the page size. */
  users(): AsyncIterable<DirectoryEntry[]>;
  /** Looks entries up by stable ID, many at once (one search for the whole list). */
  usersById(ids: Uint8Array[]): Promise<DirectoryEntry[]>;
  /** The stable IDs of every user in scope, a page at a time (nothing else is fetched). */
  ids(): AsyncIterable<Uint8Array[]>;
  /** Stable IDs (hex) of the users in scope that also match `filter` (one ID-only search). */
  idsMatching(filter: string): Promise<Set<string>>;
  /** A substring search over the source's search attributes (for the admin API). */
  search(query: string, limit: number): Promise<DirectoryEntry[]>;
  close(): Promise<void>;
}

export function first(entry: DirectoryEntry, attribute: string): string | Buffer | undefined {
  return entry.attributes.get(attribute.toLowerCase())?.[0];
}

export function allStrings(entry: DirectoryEntry, attribute: string): string[] {
  return (entry.attributes.get(attribute.toLowerCase()) ?? []).map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
}
