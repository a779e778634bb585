/** What the engine needs from a directory; the LDAP client implements it, nothing else does. */
import type { RefreshResult } from './content-sync.ts';
import type { RequestControl } from './ldap-requests.ts';
import type { ResponseControl } from './ldap-responses.ts';

/** How a search with controls of its own ended: the result and the controls that came with it. */
export interface ControlledResult { code: number; message: string; controls: ResponseControl[]; references: string[] }

import { lowerName, textValues, type DirectoryEntry } from './entry.ts';
export type { DirectoryEntry };

export interface GroupEntry {
  dn: string;
  name: string;
  /** Member DNs (member, uniqueMember), every range fetched. */
  members: string[];
  /** posixGroup memberUid values. */
  memberUids: string[];
  /** The group's stable ID, to tell which groups a delta touched. */
  externId: Uint8Array | null;
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
  /** Users whose login (the username attribute or the vendor's login name) equals this, exactly. */
  byLogin(login: string): Promise<DirectoryEntry[]>;
  /** A substring search over the source's search attributes (for the admin API). */
  search(query: string, limit: number): Promise<DirectoryEntry[]>;
  /** Every group matching the source's group filter, in pages. */
  groups(): AsyncIterable<GroupEntry[]>;
  /** Users in scope changed at or after a generalized time (modifyTimestamp / whenChanged). */
  usersChangedSince(generalizedTime: string, attribute: string): AsyncIterable<DirectoryEntry[]>;
  /** A paged search anywhere (the accesslog, deleted objects); for change detection. */
  raw(base: string, filter: string, attributes: string[], options?: { scope?: 'base' | 'one' | 'sub'; controls?: unknown[] }): AsyncIterable<DirectoryEntry[]>;
  /** Referrals and continuation references searches on this connection answered with so far. */
  references(): string[];
  /** The root DSE (supportedControl, namingContexts, vendor attributes), or null if unreadable. */
  rootDse(attributes: string[]): Promise<DirectoryEntry | null>;
  /**
   * One RFC 4533 refreshOnly search under `base`: since `cookie`, or everything when it is null.
   * A server without content sync answers with a non-zero code, not an exception.
   */
  contentSync(base: string, filter: string, attributes: string[], cookie: Buffer | null): Promise<RefreshResult>;
  /**
   * A subtree search with request controls, read by our own message reader: every entry goes to
   * `onEntry` as it arrives (nothing is kept), the result's controls come back (AD DirSync).
   */
  controlledSearch(base: string, filter: string, attributes: string[], controls: RequestControl[], onEntry: (entry: DirectoryEntry) => void): Promise<ControlledResult>;
  close(): Promise<void>;
}

export function first(entry: DirectoryEntry, attribute: string): string | Buffer | undefined {
  return entry.attributes.get(lowerName(attribute))?.[0];
}

export function allStrings(entry: DirectoryEntry, attribute: string): string[] {
  return textValues(entry.attributes.get(lowerName(attribute)));
}
