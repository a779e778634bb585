/**
 * The paged results control (RFC 2696) as our reader writes and reads it, and the errors a
 * refused page gives: the same classes and codes ldapts gives, so messages stay as they were.
 * The paged search itself runs against slapd in the client and sync tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerCursor } from '../../src/directory/ldap-responses.ts';
import { PAGED_RESULTS, pagedCookie, pagedResultsControl, resultError } from '../../src/directory/paged-results.ts';
import { classify } from '../../src/directory/errors.ts';

// The server answers with a control of the same shape (RFC 2696's realSearchControlValue), whose
// encoding the first test checks byte by byte.
const serverControl = pagedResultsControl;

test('the request control carries the page size and the cookie, not critical', () => {
  const control = pagedResultsControl(1000, Buffer.from('abc'));
  assert.equal(control.oid, PAGED_RESULTS);
  assert.equal(control.critical, false);
  const c = new BerCursor(control.value!).enter(0x30);
  assert.equal(c.int(), 1000);
  assert.deepEqual(c.bytes(), Buffer.from('abc'));
  assert.equal(c.more, false);
});

test("the server's cookie is read back; none, or an empty one, means the last page", () => {
  assert.deepEqual(pagedCookie([serverControl(0, Buffer.from([1, 2, 3]))]), Buffer.from([1, 2, 3]));
  assert.equal(pagedCookie([serverControl(0, Buffer.alloc(0))]).length, 0);
  assert.equal(pagedCookie([]).length, 0);
  assert.equal(pagedCookie([{ oid: '1.2.3', critical: false, value: Buffer.from([0x30, 0]) }]).length, 0);
});

test('a refused page gives the error ldapts gives, with its result code, classified the same', () => {
  const e = resultError({ code: 32, matchedDn: '', message: 'no such base', referrals: [] }) as Error & { code: number };
  assert.equal(e.code, 32);
  assert.equal(e.name, 'NoSuchObjectError');
  const classified = classify(e, 'ldap://example', 'search', { dn: 'ou=nowhere' });
  assert.equal(classified.failure, 'config');
  assert.match(classified.message, /'ou=nowhere' does not exist/);
  assert.equal(classify(resultError({ code: 4, matchedDn: '', message: '', referrals: [] }), 'ldap://example', 'search').failure, 'search');
});
