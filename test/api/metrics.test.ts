/**
 * /metrics of a real server after real runs: the process and Node.js defaults, build info,
 * HTTP requests by route pattern, a series for every task state, and per domain when a run
 * last succeeded and how the last one ended.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { startApi, type TestApi } from '../support/api.ts';
import { sourceConfig } from '../support/source.ts';
import { bulkPeople } from '../fixtures/people.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('/metrics', () => {
  let slapd: Slapd;
  let t: TestStore;
  let api: TestApi;
  let text: string;
  const value = (series: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  before(async () => {
    slapd = await startSlapd({ entries: bulkPeople(5) });
    t = await storeVariants()[0]!.open();
    await t.store.domains.create({ name: 'example.org' });
    await t.store.domains.create({ name: 'never.example' });
    await t.store.domains.create({ name: 'broken.example' });
    await t.store.sources.set(0, sourceConfig(slapd));
    api = await startApi(t);
    const admin = await api.login('admin', 'correct-horse-battery');
    assert.equal((await api.call('POST', '/domains/1/ldap/downsync?import=true&timeout=30', { session: admin })).status, 200);
    const org = await t.store.organizations.create('broken');
    await t.store.domains.update(3, { orgId: org.id });
    await t.store.sources.set(org.id, sourceConfig(slapd, { baseDn: 'ou=nowhere,dc=example,dc=org' }));
    await api.call('POST', '/domains/3/ldap/downsync?timeout=30', { session: admin });
    text = await (await fetch(api.url.replace(/\/api\/v1$/, '/metrics'))).text();
  });
  after(async () => { await api?.close(); await slapd?.destroy(); await t?.cleanup(); });

  test('process and Node.js metrics, and build info', () => {
    assert.ok((value('process_cpu_seconds_total') ?? 0) > 0);
    assert.ok((value('nodejs_heap_size_used_bytes') ?? 0) > 0);
    assert.match(text, new RegExp(`^ldapsync_build_info\\{version="${VERSION.replace(/\./g, '\\.')}",role="all",mode="embedded",node="v\\d+\\.\\d+\\.\\d+"\\} 1$`, 'm'));
  });

  test('HTTP requests by method, route pattern and status', () => {
    assert.equal(value('ldapsync_http_requests_total{method="POST",route="/api/v1/domains/:domainID/ldap/downsync",status_code="200"}'), 1);
    assert.ok((value('ldapsync_http_request_duration_seconds_count{method="POST",route="/api/v1/login"}') ?? 0) >= 1);
  });

  test('a series for every task state, zero included', () => {
    for (const state of ['queued', 'loaded', 'running', 'completed', 'error', 'cancelled', 'awaiting_approval']) {
      assert.notEqual(value(`ldapsync_tasks{state="${state}"}`), undefined, state);
    }
    assert.equal(value('ldapsync_tasks{state="cancelled"}'), 0);
    assert.equal(value('ldapsync_tasks{state="completed"}'), 1);
  });

  test('per domain: the last success and how the last run ended', () => {
    const at = value('ldapsync_domain_last_success_timestamp_seconds{domain="example.org"}')!;
    assert.ok(Math.abs(at - Date.now() / 1000) < 120, `recent: ${at}`);
    assert.equal(value('ldapsync_domain_last_success_timestamp_seconds{domain="never.example"}'), 0);
    assert.equal(value('ldapsync_domain_last_run_status{domain="example.org",status="completed"}'), 1);
    assert.equal(value('ldapsync_domain_last_run_status{domain="example.org",status="failed"}'), 0);
    assert.equal(value('ldapsync_domain_last_run_status{domain="broken.example",status="failed"}'), 1);
    assert.equal(value('ldapsync_domain_last_success_timestamp_seconds{domain="broken.example"}'), 0);
  });
});
