/** `--help`, `--version` and mistakes on the command line: answered before anything is touched. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMAND_USAGE } from '../../src/cli/usage.ts';

const BIN = new URL('../../bin/ldapsync.js', import.meta.url).pathname;
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('ldapsync usage', () => {
  let dataDir: string;
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, LDAPSYNC_DATA_DIR: join(dataDir, 'data'), DATABASE_URL: '' }, encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  before(() => { dataDir = mkdtempSync(join(tmpdir(), 'ldapsync-usage-')); });
  after(() => { rmSync(dataDir, { recursive: true, force: true }); });

  test('every command answers --help with its usage, exit 0, and touches nothing', () => {
    for (const command of Object.keys(COMMAND_USAGE)) {
      const sub = command === 'keys' ? ['rotate'] : command === 'users' ? ['list'] : [];
      const r = run(command, ...sub, '--help');
      assert.equal(r.code, 0, `${command}: ${r.err}`);
      assert.match(r.out, new RegExp(`^usage: ldapsync ${command}`), command);
    }
    assert.equal(existsSync(join(dataDir, 'data')), false, 'no data folder, no keys, no database: nothing rotated, nothing created');
    assert.deepEqual(readdirSync(dataDir), []);
  });

  test('--version prints the version', () => {
    const r = run('--version');
    assert.equal(r.code, 0);
    assert.equal(r.out.trim(), `ldapsync ${VERSION}`);
  });

  test('an unknown flag gets one short sentence and the usage line, exit 2', () => {
    const r = run('sync', '--domain', '1', '--fitler', 'x');
    assert.equal(r.code, 2);
    assert.equal(r.err.trim(), 'ldapsync: unknown option --fitler\nusage: ldapsync sync --domain ID [--import] [--lang L] [--dry-run] [--full] [--json]');
    const missing = run('users', 'list', '--domain');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /^ldapsync: option --domain needs a value\nusage: ldapsync users list/);
    assert.doesNotMatch(missing.err + r.err, /To specify a positional argument|ERR_PARSE_ARGS/);
  });

  test('an unknown command lists the commands', () => {
    const r = run('rotate-keys');
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command 'rotate-keys'/);
    assert.match(r.err, /keys rotate/);
  });
});
