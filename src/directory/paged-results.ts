/**
 * The simple paged results control (RFC 2696): asks for a page of entries at a time and carries
 * the server's cookie from one page to the next. Written and read here so that a full search
 * can use our own message reader instead of ldapts.
 */
import { BerWriter, StatusCodeParser } from 'ldapts';
import type { RequestControl } from './ldap-requests.ts';
import { BerCursor, type LdapResult, type ResponseControl } from './ldap-responses.ts';

export const PAGED_RESULTS = '1.2.840.113556.1.4.319';

export function pagedResultsControl(size: number, cookie: Buffer): RequestControl {
  const w = new BerWriter();
  w.startSequence();
  w.writeInt(size);
  w.writeBuffer(cookie, 0x04);
  w.endSequence();
  // Not critical, as ldapts sends it: a server without paging answers everything in one page.
  return { oid: PAGED_RESULTS, critical: false, value: w.buffer };
}

/** The cookie for the next page; empty when the server has sent the last one. */
export function pagedCookie(controls: ResponseControl[]): Buffer {
  const control = controls.find((c) => c.oid === PAGED_RESULTS);
  if (!control?.value?.length) return Buffer.alloc(0);
  const c = new BerCursor(control.value).enter(0x30);
  c.int();
  return c.more ? c.bytes() : Buffer.alloc(0);
}

/**
 * The error ldapts throws for the same result, so that what an administrator reads about a
 * refused search (and how it is classified) does not depend on which reader ran it.
 */
export function resultError(result: LdapResult): Error {
  return StatusCodeParser.parse({ status: result.code, errorMessage: result.message } as Parameters<typeof StatusCodeParser.parse>[0]);
}
