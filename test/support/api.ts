/** A real ldapsync HTTP server on a loopback port, over a test store, and a small client for it. */
import type { FastifyInstance } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/api/app.ts';
import { startServices } from '../../src/serve.ts';
import type { ApiContext } from '../../src/api/context.ts';
import type { TestStore } from './stores.ts';
import { createLogger } from '../../src/logger.ts';

export interface Session { cookie: string; csrf: string; jwt: string }
export interface Answer { status: number; body: any; headers: Headers; text: string } // eslint-disable-line @typescript-eslint/no-explicit-any

export interface TestApi {
  url: string;
  ctx: ApiContext;
  /** Every response body this API sent, for secret-leak checks. */
  bodies: string[];
  /** grommunio's form sign-in; `code` is the second factor's, for an account that has one. */
  login(user: string, pass: string, code?: string): Promise<Session>;
  call(method: string, path: string, options?: { session?: Session; csrf?: string | null; json?: unknown; form?: Record<string, string>; headers?: Record<string, string> }): Promise<Answer>;
  close(): Promise<void>;
}

/** Secrets the tests use; none may ever appear in a server log. */
export const KNOWN_SECRETS = ['syncsecret', 'correct-horse-battery', 'domain-one-password', 'org-boss-password', 'Passw0rd!Secret'];

export async function startApi(t: TestStore, env: Record<string, string> = {}): Promise<TestApi> {
  const config = loadConfig({ LDAPSYNC_DATA_DIR: t.dataDir, LDAPSYNC_ADMIN_USER: 'admin', LDAPSYNC_ADMIN_PASSWORD: 'correct-horse-battery', LDAPSYNC_SECURE_COOKIES: 'never', LOG_LEVEL: 'debug', ...env });
  const logFile = join(t.dataDir, 'server.log');
  // One log for requests, tasks and runs, as in `ldapsync serve`; the leak check reads all of it.
  const services = await startServices(config, t.store, 'all', {}, createLogger(config.logLevel, logFile));
  const app: FastifyInstance = await buildApp(services, { logger: true });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  const url = `http://127.0.0.1:${port}/api/v1`;
  const bodies: string[] = [];

  const call: TestApi['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.session) headers.cookie = options.session.cookie;
    const csrf = options.csrf === undefined ? options.session?.csrf : options.csrf;
    if (csrf) headers['x-csrf-token'] = csrf;
    let body: string | undefined;
    if (options.form) { body = new URLSearchParams(options.form).toString(); headers['content-type'] = 'application/x-www-form-urlencoded'; }
    if (options.json !== undefined) { body = JSON.stringify(options.json); headers['content-type'] = 'application/json'; }
    const res = await fetch(`${url}${path}`, { method, headers, body });
    const text = await res.text();
    bodies.push(text);
    let parsed: unknown;
    try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
    return { status: res.status, body: parsed, headers: res.headers, text };
  };

  return {
    url, ctx: services, bodies, call,
    async login(user, pass, code) {
      const r = await call('POST', '/login', { form: { user, pass, ...(code ? { code } : {}) } });
      if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
      const setCookie = r.headers.get('set-cookie') ?? '';
      return { cookie: setCookie.split(';')[0]!, csrf: r.body.csrf, jwt: r.body.grommunioAuthJwt };
    },
    async close() {
      await app.close();
      await services.close();
      // Every API test ends by reading the whole server log for the secrets it used.
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
      const leaked = KNOWN_SECRETS.filter((secret) => log.includes(secret));
      if (leaked.length) throw new Error(`secrets in the server log ${logFile}: ${leaked.join(', ')}`);
      if (!log.includes('"msg"')) throw new Error(`the server log ${logFile} is empty: the leak check read nothing`);
    },
  };
}
