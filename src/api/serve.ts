/** `ldapsync serve`: the HTTP API on the configured store, with the embedded task queue. */
import type { Config } from '../config.ts';
import { openStore, type Store } from '../store/store.ts';
import { loadKeys } from '../auth/keys.ts';
import { LoginThrottle } from '../auth/throttle.ts';
import { bootstrapAdmin } from '../auth/admins.ts';
import { connect } from '../directory/client.ts';
import { EmbeddedQueue } from '../tasks/embedded-queue.ts';
import { SYNC_COMMAND, syncTaskHandler } from '../tasks/sync-task.ts';
import { LdapAdmin } from '../sync/ldap-admin.ts';
import type { ApiContext } from './context.ts';
import { buildApp } from './app.ts';

/** Everything a server needs, opened and started; `close` undoes it. */
export async function startServices(config: Readonly<Config>, store?: Store): Promise<ApiContext & { close(): Promise<void> }> {
  const opened = store ?? (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, keyFile: config.secretKeyFile }));
  await bootstrapAdmin(opened, config.adminUser, config.adminPassword);
  const deps = { store: opened, connect: (source: Parameters<typeof connect>[0]) => connect(source) };
  const queue = new EmbeddedQueue(opened, { [SYNC_COMMAND]: syncTaskHandler(deps) });
  await queue.start();
  return {
    config, store: opened, queue, keys: loadKeys(config.dataDir), throttle: new LoginThrottle(), ldap: new LdapAdmin(opened, deps.connect), connect: deps.connect,
    close: async () => { await queue.stop(); if (!store) await opened.close(); },
  };
}

export async function serve(config: Readonly<Config>, _argv: string[]): Promise<number> {
  const services = await startServices(config);
  const app = await buildApp(services, { logger: true });
  const stop = async () => { await app.close(); await services.close(); process.exit(0); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await app.listen({ host: config.host, port: config.port });
  if ((await services.store.accounts.count()) === 0) {
    app.log.warn('no admin account yet: set LDAPSYNC_ADMIN_USER and LDAPSYNC_ADMIN_PASSWORD, or run `ldapsync admin create NAME`');
  }
  return new Promise<number>(() => undefined);
}
