/** The `ldapsync` command as other tools call it: flags, output and exit codes are a contract. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { sourceConfig } from '../support/source.ts';
import { bulkPeople, namedPeople } from '../fixtures/people.ts';

const BIN = new URL('../../bin/ldapsync.js', import.meta.url).pathname;

describe('ldapsync CLI', () => {
  let slapd: Slapd;
  let dataDir: string;
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, LDAPSYNC_DATA_DIR: dataDir, DATABASE_URL: '' }, encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const writeJson = (name: string, value: unknown) => { const f = join(dataDir, name); writeFileSync(f, JSON.stringify(value)); return f; };

  before(async () => {
    slapd = await startSlapd({ entries: [...namedPeople, ...bulkPeople(12)] });
    dataDir = mkdtempSync(join(tmpdir(), 'ldapsync-cli-'));
  });
  after(async () => { await slapd?.destroy(); rmSync(dataDir, { recursive: true, force: true }); });

  test('domain add prints the new ID; a duplicate is refused with exit 2', () => {
    const r = run('domain', 'add', 'example.org');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), '1');
    const again = run('domain', 'add', 'example.org');
    assert.equal(again.code, 2);
    assert.match(again.err, /exists already/);
  });

  test('source set refuses a contradictory config and says what to fix, then stores a good one', () => {
    const bad = run('source', 'set', '--file', writeJson('bad.json', sourceConfig(slapd, { connection: { server: slapd.ldapsUrl, starttls: true }, baseDn: '' })));
    assert.equal(bad.code, 2);
    assert.match(bad.err, /baseDn is required/);
    assert.match(bad.err, /ldaps:\/\/ but starttls is on/);
    const good = run('source', 'set', '--file', writeJson('good.json', sourceConfig(slapd)));
    assert.equal(good.code, 0, good.err);
    const shown = run('source', 'show');
    assert.doesNotMatch(shown.out, /syncsecret|bindPass/);
    assert.match(shown.out, /"baseDn": "dc=example,dc=org"/);
  });

  test('sync --dry-run --json shows the plan and writes nothing', () => {
    const r = run('sync', '--domain', '1', '--import', '--dry-run', '--json');
    assert.equal(r.code, 0, r.err);
    const body = JSON.parse(r.out) as { dryRun: boolean; plan: unknown[]; outcomes: Array<{ code: number }> };
    assert.equal(body.dryRun, true);
    assert.equal(body.outcomes.length, 16);
    assert.equal(body.plan.length, 16);
    assert.equal(JSON.parse(run('users', 'list', '--domain', '1', '--json').out).length, 0);
  });

  test('sync --import --json imports and exits 0; users list shows them', () => {
    const r = run('sync', '--domain', '1', '--import', '--lang', 'en_US', '--json');
    assert.equal(r.code, 0, r.err);
    const body = JSON.parse(r.out) as { status: string; counts: { created: number }; outcomes: Array<{ ID: number; username: string; code: number; message: string }> };
    assert.equal(body.status, 'completed');
    assert.equal(body.counts.created, 16);
    assert.deepEqual(Object.keys(body.outcomes[0]!), ['ID', 'username', 'code', 'message']);
    const users = JSON.parse(run('users', 'list', '--domain', '1', '--json').out) as Array<{ username: string; lang: string }>;
    assert.equal(users.length, 16);
    assert.ok(users.every((u) => u.lang === 'en_US'));
    const table = run('users', 'list', '--domain', '1');
    assert.match(table.out, /^ID\s+USERNAME/);
    assert.match(table.out, /Jürgen Müller/);
  });

  test('a sync with some outcomes at 400 or above exits 1, and the summary lists them', () => {
    slapd.remove('uid=user012,ou=people,dc=example,dc=org');
    const r = run('sync', '--domain', '1');
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /deactivated\s+1/);
    assert.match(r.out, /user012@example.org\s+404/);
  });

  test('deactivations beyond the threshold are held: exit 1, then approve --run applies them', () => {
    run('source', 'set', '--file', writeJson('strict.json', sourceConfig(slapd, { threshold: { count: 1, percent: 100 } })));
    slapd.remove('uid=user011,ou=people,dc=example,dc=org');
    slapd.remove('uid=user010,ou=people,dc=example,dc=org');
    const held = run('sync', '--domain', '1');
    assert.equal(held.code, 1, held.err);
    const runId = /approve --run (\d+)/.exec(held.out)?.[1];
    assert.ok(runId, held.out);
    const users = () => JSON.parse(run('users', 'list', '--domain', '1', '--json').out) as Array<{ username: string; status: string }>;
    assert.equal(users().find((u) => u.username === 'user010@example.org')?.status, 'active');
    const approve = run('approve', '--run', runId);
    assert.equal(approve.code, 0, approve.err);
    assert.match(approve.out, /2 users deactivated/);
    assert.equal(users().find((u) => u.username === 'user010@example.org')?.status, 'deactivated');
    assert.equal(run('reject', '--run', runId).code, 2, 'decided once');
    run('source', 'set', '--file', writeJson('good.json', sourceConfig(slapd)));
  });

  test('a run that fails exits 2: directory down, unknown domain, bad flags', async () => {
    await slapd.stop();
    try {
      const down = run('sync', '--domain', '1', '--json');
      assert.equal(down.code, 2);
      const body = JSON.parse(down.out) as { status: string; error: { code: number } };
      assert.deepEqual([body.status, body.error.code], ['failed', 503]);
    } finally { await slapd.start(); }
    const unknown = run('sync', '--domain', '99');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /Domain 99 not found/);
    assert.equal(run('sync').code, 2);
    assert.equal(run('sync', '--domain', 'x').code, 2);
    assert.equal(run('sync', '--domain', '1', '--bogus').code, 2);
  });
});
