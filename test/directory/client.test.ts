/** The directory port against a real slapd: TLS verified by default, StartTLS, failover, binds. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSlapd, freePort, type Slapd } from '../support/slapd.ts';
import { sourceConfig } from '../support/source.ts';
import { bulkPeople, namedPeople } from '../fixtures/people.ts';
import { connect } from '../../src/directory/client.ts';
import { DirectoryError } from '../../src/directory/errors.ts';
import { parseSource } from '../../src/directory/source.ts';
import { first } from '../../src/directory/port.ts';

describe('LDAP directory port', () => {
  let slapd: Slapd;
  before(async () => { slapd = await startSlapd({ entries: [...namedPeople, ...bulkPeople(30)] }); });
  after(async () => { await slapd?.destroy(); });

  const open = (overrides: Parameters<typeof sourceConfig>[1] = {}) => connect(parseSource(sourceConfig(slapd, overrides)));
  const countUsers = async (overrides: Parameters<typeof sourceConfig>[1] = {}) => {
    const dir = await open(overrides);
    let n = 0;
    let pages = 0;
    try { for await (const page of dir.users()) { n += page.length; pages++; } } finally { await dir.close(); }
    return { n, pages };
  };

  test('streams every entry in scope a page at a time', async () => {
    const { n, pages } = await countUsers();
    assert.equal(n, 36); // 30 bulk + 6 named people within the filter (the contractor is excluded)
    assert.equal(pages, Math.ceil(36 / 7));
  });

  test('keeps the stable ID as bytes and finds entries by it, many in one search', async () => {
    const dir = await open();
    try {
      const found = await dir.search('user00', 20);
      assert.equal(found.length, 9);
      const ids = found.map((e) => first(e, 'entryUUID'));
      assert.ok(ids.every((id) => Buffer.isBuffer(id)));
      const again = await dir.usersById(ids as Buffer[]);
      assert.deepEqual(again.map((e) => e.dn).sort(), found.map((e) => e.dn).sort());
    } finally { await dir.close(); }
  });

  test('ldaps with the test CA works', async () => {
    assert.equal((await countUsers({ connection: { server: slapd.ldapsUrl } })).n, 36);
  });

  test('ldaps without trusting the CA is refused: verification is on by default', async () => {
    await assert.rejects(open({ connection: { server: slapd.ldapsUrl, caFile: null } }), (e: unknown) => e instanceof DirectoryError && e.failure === 'tls');
  });

  test('StartTLS with the test CA works, and fails without it', async () => {
    assert.equal((await countUsers({ connection: { starttls: true } })).n, 36);
    await assert.rejects(open({ connection: { starttls: true, caFile: null } }), (e: unknown) => e instanceof DirectoryError && e.failure === 'tls');
  });

  test('fails over to the next server when the first is down', async () => {
    const dead = `ldap://127.0.0.1:${await freePort()}`;
    const failed: string[] = [];
    const dir = await connect(parseSource(sourceConfig(slapd, { connection: { server: `${dead} ${slapd.url}` } })), { onFailover: (s) => failed.push(s) });
    assert.equal(dir.server, slapd.url);
    assert.deepEqual(failed, [dead]);
    await dir.close();
  });

  test('a wrong bind password is a bind failure that names no secret', async () => {
    await assert.rejects(open({ connection: { bindPass: 'wrong-password' } }), (e: unknown) => {
      assert.ok(e instanceof DirectoryError);
      assert.equal(e.failure, 'bind');
      assert.doesNotMatch(e.message, /wrong-password|syncsecret/);
      return true;
    });
  });

  test('all servers down is an unreachable failure', async () => {
    await assert.rejects(open({ connection: { server: `ldap://127.0.0.1:${await freePort()}` } }), (e: unknown) => e instanceof DirectoryError && e.failure === 'unreachable');
  });

  test('search values are sent literally: filter syntax in a query matches nothing extra', async () => {
    const dir = await open();
    try {
      assert.equal((await dir.search('*)(uid=*', 50)).length, 0);
      assert.equal((await dir.search('\\00', 50)).length, 0);
      assert.equal((await dir.search('user01', 50)).length, 10);
    } finally { await dir.close(); }
  });
});
