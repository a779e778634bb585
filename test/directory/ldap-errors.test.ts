/**
 * LDAP errors as an administrator reads them, from real slapd servers (one with TLS, one
 * without): each names the server and the DN and says what to check, and a source set up wrong
 * is filed as a configuration error (400), not as the directory being down (503).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { sourceConfig } from '../support/source.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { startApi, type TestApi } from '../support/api.ts';
import { bulkPeople } from '../fixtures/people.ts';
import { connect } from '../../src/directory/client.ts';
import { parseSource } from '../../src/directory/source.ts';
import { DirectoryError } from '../../src/directory/errors.ts';
import { runSync } from '../../src/sync/engine.ts';

describe('LDAP errors name the server, the DN and what to check', () => {
  let tls: Slapd;
  let plain: Slapd;
  let t: TestStore;
  let api: TestApi;

  const failure = async (config: Record<string, unknown>): Promise<DirectoryError> => {
    try {
      const directory = await connect(parseSource(config));
      try { for await (const page of directory.users()) void page; } finally { await directory.close(); }
    } catch (e) {
      assert.ok(e instanceof DirectoryError, String(e));
      return e;
    }
    throw new Error('no error');
  };

  before(async () => {
    [tls, plain] = await Promise.all([startSlapd({ entries: bulkPeople(3) }), startSlapd({ plain: true })]);
    t = await storeVariants()[0]!.open();
    await t.store.domains.create({ name: 'example.org' });
    api = await startApi(t);
  });
  after(async () => { await api?.close(); await tls?.destroy(); await plain?.destroy(); await t?.cleanup(); });

  test('a base DN that does not exist: a configuration error naming the DN, the server and the check', async () => {
    const e = await failure(sourceConfig(tls, { baseDn: 'ou=nowhere,dc=example,dc=org' }));
    assert.equal(e.failure, 'config');
    assert.match(e.message, new RegExp(`'ou=nowhere,dc=example,dc=org' does not exist on ${tls.url.replace(/[/.]/g, '\\$&')} \\(LDAP result 32, noSuchObject\\): check baseDn`));
    assert.doesNotMatch(e.message, /Code: 0x20/);
  });

  test('StartTLS on a server without it says so, as a configuration error', async () => {
    const e = await failure(sourceConfig(plain, { connection: { starttls: true } }));
    assert.equal(e.failure, 'config');
    assert.match(e.message, /does not offer StartTLS \(LDAP result 2, protocolError: unsupported extended operation\): use ldaps:\/\/ .* or set connection\.starttls to false/);
  });

  test('ldaps:// to a plain port gets a hint', async () => {
    const e = await failure(sourceConfig(plain, { connection: { server: plain.url.replace('ldap://', 'ldaps://') } }));
    assert.equal(e.failure, 'tls');
    assert.match(e.message, /if this port is plain LDAP, use ldap:\/\//);
  });

  test('a refused bind names the bind DN', async () => {
    const e = await failure(sourceConfig(tls, { connection: { bindUser: 'cn=nobody,dc=example,dc=org' } }));
    assert.equal(e.failure, 'bind');
    assert.match(e.message, /bind refused: invalid credentials for 'cn=nobody,dc=example,dc=org': check connection\.bindUser and connection\.bindPass/);
  });

  test('a sync of a source with a wrong base DN fails 400 "LDAP configuration error", over the API too', async () => {
    await t.store.sources.set(0, sourceConfig(tls, { baseDn: 'ou=nowhere,dc=example,dc=org' }));
    const report = await runSync({ store: t.store, connect: (s) => connect(s) }, { domainId: 1, importNew: true, lang: '', dryRun: false });
    assert.equal(report.status, 'failed');
    assert.equal(report.error?.code, 400);
    assert.match(report.error!.message, /^LDAP configuration error: 'ou=nowhere,dc=example,dc=org' does not exist/);
    const admin = await api.login('admin', 'correct-horse-battery');
    const r = await api.call('POST', '/domains/1/ldap/downsync?timeout=30', { session: admin });
    assert.equal(r.status, 400, r.text);
    assert.match(r.body.message, /LDAP configuration error: .*does not exist/);
  });
});
