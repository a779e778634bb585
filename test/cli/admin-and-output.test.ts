/**
 * `admin create` checks what it can before asking for a password, and asks twice at a terminal;
 * output into a pipe closed early (`| head`) ends quietly; `source set|show|test` and the
 * refusal of unknown keys in a source.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlapd, type Slapd } from '../support/slapd.ts';
import { sourceConfig } from '../support/source.ts';
import { openStore, type Store } from '../../src/open-store.ts';
import { adminCommand } from '../../src/cli/admin-commands.ts';
import { UsageError } from '../../src/cli/args.ts';

const BIN = new URL('../../bin/ldapsync.js', import.meta.url).pathname;

describe('admin create, pipes and the source commands', () => {
  let slapd: Slapd;
  let dataDir: string;
  const env = () => ({ ...process.env, LDAPSYNC_DATA_DIR: dataDir, DATABASE_URL: '' });
  const run = (args: string[], input = '') => {
    const r = spawnSync(process.execPath, [BIN, ...args], { env: env(), encoding: 'utf8', input });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const writeJson = (name: string, value: unknown) => { const f = join(dataDir, name); writeFileSync(f, JSON.stringify(value)); return f; };
  const withStore = async <T>(work: (store: Store) => Promise<T>): Promise<T> => {
    const store = await openStore({ dataDir });
    try { return await work(store); } finally { await store.close(); }
  };

  before(async () => {
    slapd = await startSlapd();
    dataDir = mkdtempSync(join(tmpdir(), 'ldapsync-cli-admin-'));
    assert.equal(run(['domain', 'add', 'example.org']).code, 0);
  });
  after(async () => { await slapd?.destroy(); rmSync(dataDir, { recursive: true, force: true }); });

  test('admin create refuses a domain that does not exist, and a taken name before any password', async () => {
    const missing = run(['admin', 'create', 'alice', '--domain-admin', '7'], 'long-enough-password\n');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /domain 7 does not exist/);
    assert.equal(run(['admin', 'create', 'alice', '--domain-admin', '1'], 'long-enough-password\n').code, 0);
    await withStore(async (store) => {
      let asked = false;
      await assert.rejects(adminCommand(store, ['create', 'alice'], () => undefined, async () => { asked = true; return 'long-enough-password'; }, true), /account alice exists already/);
      assert.equal(asked, false, 'the name is checked before the password is asked for');
    });
  });

  test('at a terminal the password is asked twice; two different ones create nothing', async () => {
    await withStore(async (store) => {
      const answers = ['first-long-password', 'second-long-password'];
      const prompts: string[] = [];
      await assert.rejects(adminCommand(store, ['create', 'bob'], () => undefined, async (p) => { prompts.push(p); return answers.shift()!; }, true),
        (e: unknown) => e instanceof UsageError && /the two passwords differ/.test(e.message));
      assert.deepEqual(prompts, ['password for bob: ', 'the same password again: ']);
      assert.equal(await store.accounts.credentials('bob'), undefined);
    });
  });

  test('output into a pipe closed early ends quietly (users list --json | head)', async () => {
    const child = spawn(process.execPath, [BIN, 'users', 'list', '--domain', '1', '--json'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.destroy();
    let err = '';
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    assert.doesNotMatch(err, /EPIPE|Unhandled|at /);
    assert.equal(code, 0, err);
  });

  test('a source with a misspelt key is refused with a suggestion, and nothing is stored', () => {
    const r = run(['source', 'set', '--file', writeJson('typo.json', { ...sourceConfig(slapd), pagesize: 50, users: { ...(sourceConfig(slapd).users as object), fitler: '(uid=*)' } })]);
    assert.equal(r.code, 2);
    assert.match(r.err, /pagesize is not a known key; did you mean pageSize\?/);
    assert.match(r.err, /users\.fitler is not a known key; did you mean users\.filter\?/);
    assert.match(run(['source', 'show']).err, /no default directory source is set/);
  });

  test('source set tests the connection first; --no-test saves without; source test and show', () => {
    const down = writeJson('down.json', sourceConfig(slapd, { connection: { bindPass: 'wrong-password' } }));
    const refused = run(['source', 'set', '--file', down]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /connection test failed, nothing saved: .*bind refused: invalid credentials/);
    assert.match(refused.err, /--no-test/);
    assert.match(run(['source', 'show']).err, /no default directory source is set/);

    const forced = run(['source', 'set', '--file', down, '--no-test']);
    assert.equal(forced.code, 0, forced.err);
    assert.equal(run(['source', 'test']).code, 1);

    const good = run(['source', 'set', '--file', writeJson('good.json', sourceConfig(slapd))]);
    assert.equal(good.code, 0, good.err);
    assert.match(good.out, /connection works: .* answered \(bound as cn=sync/);
    const tested = run(['source', 'test']);
    assert.equal(tested.code, 0, tested.err);
    assert.match(tested.out, /a search under dc=example,dc=org succeeded/);
    const shown = run(['source', 'show']);
    assert.match(shown.out, /"baseDn": "dc=example,dc=org"/);
    assert.doesNotMatch(shown.out, /bindPass|syncsecret/);
    const fromFile = run(['source', 'test', '--file', writeJson('nobase.json', sourceConfig(slapd, { baseDn: 'ou=gone,dc=example,dc=org' }))]);
    assert.equal(fromFile.code, 1);
    assert.match(fromFile.err, /'ou=gone,dc=example,dc=org' does not exist on/);
  });
});
