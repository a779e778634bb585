/**
 * What a run says, from the command line against a real slapd: a first import counts its
 * created users as synced, a dry run speaks in the conditional, and skipped entries are named.
 */
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

describe('what a run says it did, or would do', () => {
  let slapd: Slapd;
  let dataDir: string;
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, LDAPSYNC_DATA_DIR: dataDir, DATABASE_URL: '' }, encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  before(async () => {
    slapd = await startSlapd({ entries: [...namedPeople, ...bulkPeople(6)] });
    dataDir = mkdtempSync(join(tmpdir(), 'ldapsync-wording-'));
    assert.equal(run('domain', 'add', 'example.org').code, 0);
    const file = join(dataDir, 'source.json');
    writeFileSync(file, JSON.stringify(sourceConfig(slapd)));
    assert.equal(run('source', 'set', '--file', file, '--no-test').code, 0);
  });
  after(async () => { await slapd?.destroy(); rmSync(dataDir, { recursive: true, force: true }); });

  test('a dry run says what would happen, never "User created"', () => {
    const r = run('sync', '--domain', '1', '--import', '--dry-run', '--json');
    const body = JSON.parse(r.out) as { message: string; outcomes: Array<{ code: number; message: string }> };
    assert.match(body.message, /^dry run, nothing written: 10 would be created/);
    const created = body.outcomes.filter((o) => o.code === 201);
    assert.equal(created.length, 10);
    assert.ok(created.every((o) => o.message.startsWith('Would be created')), JSON.stringify(created.slice(0, 2)));
    assert.ok(!body.outcomes.some((o) => /User created|user deactivated/.test(o.message)));
  });

  test('a first import counts created users as synced and names the skipped entries', () => {
    const r = run('sync', '--domain', '1', '--import');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /10\/10 synced: 10 created/);
    assert.doesNotMatch(r.out, /0\/0 synced/);
    assert.match(r.out, /1 skipped because their address is in another domain: olga@other\.example/);
  });

  test('a run with nothing to do says so in the same terms', () => {
    const r = run('sync', '--domain', '1', '--full');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /10\/10 synced: 10 unchanged/);
  });
});
