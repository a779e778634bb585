/** The mapper's rules, as pure logic: account state, address cleaning, aliases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMapper } from '../../src/sync/mapper.ts';
import { parseSource } from '../../src/directory/source.ts';
import type { DirectoryEntry } from '../../src/directory/port.ts';

const entry = (attrs: Record<string, Array<string | Buffer>>): DirectoryEntry => ({
  dn: 'cn=x,dc=example,dc=org',
  attributes: new Map(Object.entries({ entryuuid: ['0b1f2e6c-0000-4000-8000-000000000001'], ...attrs }).map(([k, v]) => [k.toLowerCase(), v])),
});
const base = { connection: { server: 'ldap://127.0.0.1' }, baseDn: 'dc=example,dc=org' };
const mapper = createMapper(parseSource(base));
const mapped = (attrs: Record<string, Array<string | Buffer>>) => {
  const r = mapper.map(entry(attrs));
  assert.ok(r.ok, JSON.stringify(r));
  return r.user;
};

test('account state: AD bit 2, ppolicy lock and nsAccountLock disable; other UAC bits do not', () => {
  assert.equal(mapped({ mail: ['a@x.org'], userAccountControl: ['514'] }).enabled, false);
  assert.equal(mapped({ mail: ['a@x.org'], userAccountControl: ['66048'] }).enabled, true, '512 + DONT_EXPIRE_PASSWORD');
  assert.equal(mapped({ mail: ['a@x.org'], userAccountControl: ['66050'] }).enabled, false);
  assert.match(mapped({ mail: ['a@x.org'], pwdAccountLockedTime: ['000001010000Z'] }).disabledReason!, /password policy/);
  assert.match(mapped({ mail: ['a@x.org'], nsAccountLock: ['TRUE'] }).disabledReason!, /nsAccountLock/);
  assert.equal(mapped({ mail: ['a@x.org'], nsAccountLock: ['false'] }).enabled, true);
});

test('addresses: lower-cased, smtp: stripped, control characters removed, duplicates and junk dropped', () => {
  const u = mapped({ mail: ['SMTP:Main@X.org', 'second@x.org', 'main@x.org'], mailAlternativeAddress: ['smtp:third@x.org', 'not an address', 'sec\u0000ond@x.org'] });
  assert.equal(u.username, 'main@x.org');
  assert.deepEqual(u.aliases, ['second@x.org', 'third@x.org']);
});

test('entries that cannot be users say why', () => {
  const noMail = mapper.map(entry({ cn: ['x'] }));
  assert.equal(noMail.ok, false);
  assert.match(!noMail.ok ? noMail.reason : '', /no mail value/);
  const badMail = mapper.map(entry({ mail: ['line\nbreak@x.org'] }));
  assert.equal(badMail.ok, true, 'control characters are removed, leaving a valid address');
  const noId = createMapper(parseSource(base)).map({ dn: 'cn=y', attributes: new Map([['mail', ['a@x.org']]]) });
  assert.equal(noId.ok, false);
  const huge = mapper.map(entry({ mail: ['a@x.org'], cn: ['x'.repeat(1_000_000)] }));
  assert.ok(huge.ok && huge.user.displayName.length <= 4096, 'a 1 MB attribute is cut, not stored');
  // A cut at 4096 UTF-16 units would fall between the halves of the emoji, leaving a lone surrogate.
  const emoji = mapped({ mail: ['a@x.org'], cn: ['x'.repeat(4095) + '\u{1F600}' + 'y'] });
  assert.equal(emoji.displayName, 'x'.repeat(4095), 'the cut goes before the character it would split');
  assert.ok(emoji.displayName.isWellFormed());
  const longBad = mapper.map(entry({ mail: ['x'.repeat(79) + '\u{1F600}' + ' not an address'] }));
  assert.ok(!longBad.ok && longBad.reason.isWellFormed() && longBad.reason.includes(`'${'x'.repeat(79)}'`), 'the message quotes the address cut whole');
});
