/**
 * Lints the OpenAPI document the server generates, with Redocly's recommended rules, at zero
 * errors and zero warnings. The document is built from a server over a throw-away SQLite folder,
 * exactly as GET /api/v1/openapi.json serves it. Runs offline (telemetry off).
 * `node tools/lint-openapi.ts [--out FILE]` also keeps the document in FILE.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { buildApp } from '../src/api/app.ts';
import { startServices } from '../src/serve.ts';

const dir = mkdtempSync(join(tmpdir(), 'ldapsync-openapi-'));
try {
  const services = await startServices(loadConfig({ LDAPSYNC_DATA_DIR: dir, LOG_LEVEL: 'silent' }));
  const app = await buildApp(services);
  await app.ready();
  const file = process.argv[2] === '--out' && process.argv[3] ? process.argv[3] : join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(app.swagger(), null, 2) + '\n');
  await app.close();
  await services.close();
  const redocly = new URL('../node_modules/.bin/redocly', import.meta.url).pathname;
  const lint = spawnSync(redocly, ['lint', file, '--extends', 'recommended', '--max-problems', '1000', '--format', 'stylish'], {
    encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
  const output = `${lint.stdout}${lint.stderr}`;
  process.stdout.write(output);
  // Warnings count too: the recommended rules at zero problems, not merely zero errors.
  const clean = lint.status === 0 && !/\bwarnings?\b/i.test(output.replace(/valid|validated/gi, ''));
  if (!clean) console.error('lint-openapi: the OpenAPI document has problems (above)');
  process.exitCode = clean ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
