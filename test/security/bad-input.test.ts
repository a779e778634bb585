/**
 * Bad input, by property: every endpoint's parameters and bodies with wrong types, huge values,
 * unknown fields and unicode edge cases. Each answer is a clear error in grommunio's shape (never
 * a 500), and nothing is written.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { sourceConfig } from '../support/source.ts';
import { startApi, type Answer, type Session, type TestApi } from '../support/api.ts';
import { bulkPeople } from '../fixtures/people.ts';

const RUNS = 60;
const weird = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', '\ud800', '\udfff', 'a\u202eb', '𝒜😀', '%00', '../../etc/passwd', '*)(uid=*', '\\00', ' ', '', 'null', 'true', '1e400', '-1', 'NaN'),
  fc.string({ minLength: 5000, maxLength: 20000 }),
);
const anyJson = fc.oneof(fc.anything(), fc.object({ maxDepth: 3 }), fc.array(fc.anything(), { maxLength: 5 }), weird);

/** Node refuses oversized request lines and headers (414, 431) before any route: also clear answers. */
const TOO_LARGE = [414, 431];

function assertClearError(r: Answer, expected: number[]): void {
  const allowed = [...expected, ...TOO_LARGE];
  assert.notEqual(r.status, 500, `no 500: ${r.text.slice(0, 300)}`);
  assert.ok(allowed.includes(r.status), `status ${r.status} is one of ${allowed}: ${r.text.slice(0, 200)}`);
  if (r.status >= 400) {
    assert.equal(typeof r.body?.message, 'string', `a message says what went wrong: ${r.text.slice(0, 200)}`);
    if (r.status === 400 && !r.body.code) assert.ok(Array.isArray(r.body.errors) && r.body.errors.every((e: unknown) => typeof e === 'string'), 'a 400 lists its errors');
  }
}

export const properties: Record<string, number> = {};

describe('bad input to every endpoint, by property', () => {
  let slapd: Slapd;
  let t: TestStore;
  let api: TestApi;
  let admin: Session;
  /** Percent-encodes anything; lone surrogates become what UTF-8 makes of them (U+FFFD). */
  const q = (v: unknown) => {
    const text = typeof v === 'string' ? v : JSON.stringify(v) ?? '';
    try { return encodeURIComponent(text); } catch { return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''); }
  };
  const counted = async (name: string, property: fc.IAsyncProperty<unknown[]> | fc.IAsyncPropertyWithHooks<unknown[]>) => {
    await fc.assert(property, { numRuns: RUNS });
    properties[name] = RUNS;
  };

  before(async () => {
    slapd = await startSlapd({ entries: bulkPeople(10) });
    t = await storeVariants()[0]!.open();
    await t.store.domains.create({ name: 'example.org' });
    await t.store.sources.set(0, sourceConfig(slapd));
    api = await startApi(t);
    admin = await api.login('admin', 'correct-horse-battery');
    await api.call('POST', '/domains/1/ldap/downsync?import=true&timeout=10', { session: admin });
  });
  after(async () => {
    await api?.close(); await slapd?.destroy(); await t?.cleanup();
    console.log(`bad-input properties: ${JSON.stringify(properties)}`);
  });

  test('downsync parameters: 400 with errors, or a run; never a 500; a refused request queues nothing', async () => {
    await counted('downsync query', fc.asyncProperty(weird, weird, weird, async (imp, lang, timeout) => {
      const before = (await t.store.tasks.list({ all: true, domainIds: [] }, 10000, 0)).length;
      const r = await api.call('POST', `/domains/1/ldap/downsync?import=${q(imp)}&lang=${q(lang)}&timeout=${q(timeout)}`, { session: admin });
      assertClearError(r, [200, 202, 400]);
      if (r.status === 400) assert.equal((await t.store.tasks.list({ all: true, domainIds: [] }, 10000, 0)).length, before);
    }));
  });

  test('sign-in bodies: 400, 401 or 429, never a token for garbage', async () => {
    await counted('login body', fc.asyncProperty(anyJson, async (body) => {
      const r = await api.call('POST', '/login', { json: body });
      assertClearError(r, [400, 401, 429]);
      assert.equal(r.headers.get('set-cookie'), null);
    }));
  });

  test('user changes: only known fields, else 400 and the user unchanged', async () => {
    const before = await t.store.users.get(1);
    // Judged by what is sent: {"": undefined} travels as {}, an empty (and valid) change.
    const sent = (o: object) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>;
    await counted('user PATCH body', fc.asyncProperty(fc.object({ maxDepth: 2 }).filter((o) => { const b = sent(o); return !('ldapID' in b) && !('status' in b) && Object.keys(b).length > 0; }), async (body) => {
      const r = await api.call('PATCH', '/domains/1/users/1', { session: admin, json: body });
      assertClearError(r, [400]);
    }));
    assert.deepEqual(await t.store.users.get(1), before);
  });

  test('LDAP configuration bodies: 400 naming what to fix, and the saved configuration unchanged', async () => {
    const saved = await t.store.sources.get(0);
    await counted('ldap config body', fc.asyncProperty(anyJson, async (body) => {
      const r = await api.call('PUT', '/system/mconf/ldap?force=true', { session: admin, json: body });
      if (r.status === 200) await t.store.sources.set(0, saved!); // a body that happens to be valid
      assertClearError(r, [200, 400]);
    }));
    assert.deepEqual(await t.store.sources.get(0), saved);
  });

  test('organization and domain bodies: 400 (or 409), and nothing created', async () => {
    const before = [(await t.store.organizations.list()).length, (await t.store.domains.list()).length];
    await counted('org and domain bodies', fc.asyncProperty(anyJson.filter((b) => !(typeof b === 'object' && b !== null && ('name' in b || 'domainname' in b))), async (body) => {
      assertClearError(await api.call('POST', '/system/orgs', { session: admin, json: body }), [400]);
      assertClearError(await api.call('POST', '/system/domains', { session: admin, json: body }), [400]);
      assertClearError(await api.call('PATCH', '/system/domains/1', { session: admin, json: body }), [200, 400]);
    }));
    assert.deepEqual([(await t.store.organizations.list()).length, (await t.store.domains.list()).length], before);
  });

  test('path parameters and queries of the read endpoints: 400, 403 or 404, never a 500', async () => {
    await counted('path and query parameters', fc.asyncProperty(weird, async (value) => {
      for (const path of [`/domains/${q(value)}/users`, `/domains/1/users/${q(value)}`, `/tasq/tasks/${q(value)}`, `/system/orgs/${q(value)}/ldap`, `/domains/1/users?limit=${q(value)}&offset=${q(value)}&match=${q(value)}`]) {
        assertClearError(await api.call('GET', path, { session: admin }), [200, 400, 403, 404]);
      }
    }));
  });

  test('a search value with a NUL or control character is refused with 400', async () => {
    for (const s of ['abc\u0000*', 'ab\u0001c', 'abc\u007f']) {
      const r = await api.call('GET', `/domains/ldap/search?query=${encodeURIComponent(s)}`, { session: admin });
      assertClearError(r, [400]);
    }
  });

  test('search, dump and import with hostile strings: literal values, clear answers', async () => {
    await counted('ldap search/dump/import strings', fc.asyncProperty(weird, async (value) => {
      assertClearError(await api.call('GET', `/domains/ldap/search?query=${q(value)}`, { session: admin }), [200, 400]);
      assertClearError(await api.call('GET', `/domains/ldap/dump?ID=${q(value)}`, { session: admin }), [400, 404]);
      assertClearError(await api.call('POST', `/domains/ldap/importUser?ID=${q(value)}`, { session: admin }), [400, 404]);
    }));
  });
});
