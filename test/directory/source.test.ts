/** Source validation: pure logic, so unit tests suffice. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSource, publicSourceView, SourceConfigError } from '../../src/directory/source.ts';
import { escapeDnValue } from '../../src/directory/escape.ts';

const valid = { connection: { server: 'ldap://127.0.0.1:389', bindUser: 'cn=x', bindPass: 'p' }, baseDn: 'dc=example,dc=org', users: {}, groups: {} };

const errorsOf = (input: unknown): string[] => {
  try { parseSource(input); return []; } catch (e) { assert.ok(e instanceof SourceConfigError); return e.errors; }
};

test('a minimal OpenLDAP source gets the preset and safe defaults', () => {
  const s = parseSource(valid);
  assert.equal(s.objectID, 'entryUUID');
  assert.equal(s.users.username, 'mail');
  assert.equal(s.connection.tlsVerify, true);
  assert.equal(s.pageSize, 1000);
  assert.equal(s.deactivateGone, true);
});

test('the Active Directory preset uses objectGUID and proxyAddresses', () => {
  const s = parseSource({ ...valid, vendor: 'activedirectory' });
  assert.equal(s.objectID, 'objectGUID');
  assert.equal(s.users.aliases, 'proxyAddresses');
});

test('contradictions and gaps are refused with what to fix', () => {
  assert.match(errorsOf({ ...valid, connection: { server: 'ldaps://h', starttls: true } }).join(), /ldaps:\/\/ but starttls is on/);
  assert.match(errorsOf({ ...valid, baseDn: '' }).join(), /baseDn is required/);
  assert.match(errorsOf({ ...valid, users: { filter: '(&(objectClass=person)' } }).join(), /users.filter .* is not a valid LDAP filter/);
  assert.match(errorsOf({ ...valid, connection: { server: 'http://h' } }).join(), /must start with ldap:\/\/ or ldaps:\/\//);
  assert.match(errorsOf({ ...valid, pageSize: 0 }).join(), /pageSize must be a whole number/);
  assert.match(errorsOf({ ...valid, vendor: 'novell' }).join(), /vendor 'novell' is unknown/);
  assert.match(errorsOf({ ...valid, users: { templates: ['Nope'] } }).join(), /unknown template 'Nope'/);
  assert.match(errorsOf('x').join(), /must be a JSON object/);
});

test('the public view never carries the bind password', () => {
  const view = publicSourceView(valid);
  assert.equal((view.connection as Record<string, unknown>).bindPass, undefined);
  assert.equal(valid.connection.bindPass, 'p', 'the original is left alone');
});

test('DN values are escaped per RFC 4514', () => {
  assert.equal(escapeDnValue('Doe, Jane "JD" + Co \\ Ltd'), 'Doe\\, Jane \\"JD\\" \\+ Co \\\\ Ltd');
  assert.equal(escapeDnValue(' lead'), '\\ lead');
  assert.equal(escapeDnValue('#hash'), '\\#hash');
  assert.equal(escapeDnValue('trail '), 'trail\\ ');
  assert.equal(escapeDnValue('nul\0'), 'nul\\00');
});
