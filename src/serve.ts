/** `ldapsync serve`: the HTTP API on the configured store, with the embedded task queue. */
import type { Config } from './config.ts';
import { openStore, type Store } from './open-store.ts';
import { loadKeys } from './auth/keys.ts';
import { LoginThrottle } from './auth/throttle.ts';
import { bootstrapAdmin } from './auth/admins.ts';
import { connect } from './directory/client.ts';
import { EmbeddedQueue } from './tasks/embedded-queue.ts';
import type { TaskQueue } from './tasks/queue.ts';
import { queueScheduledSyncs } from './tasks/schedule.ts';
import { ClusterQueue, type ClusterOptions } from './tasks/cluster-queue.ts';
import { SyncThread } from './tasks/sync-thread.ts';
import { Metrics } from './api/metrics.ts';
import { parse, UsageError } from './cli/args.ts';
import { SYNC_COMMAND, syncTaskHandler } from './tasks/sync-task.ts';
import { LdapAdmin, type Connect } from './sync/ldap-admin.ts';
import { smtpMailer, type Mailer } from './auth/mailer.ts';
import { ROLES, type Role, type ServerContext } from './api/context.ts';
import { createLogger } from './logger.ts';
import { VERSION } from './version.ts';
import type { Logger } from 'pino';
import { signInFailureLog } from './auth/sign-in-log.ts';
import { buildApp, buildOpsApp } from './api/app.ts';
import { createServices } from './services/index.ts';

export { ROLES, type Role };

/**
 * What the routes see, and what the composition root opened for the services besides (the store,
 * the directory tools, the mailer). `close` stops the queue (running tasks are queued again) and
 * says which tasks it interrupted.
 */
export type Services = ServerContext & { store: Store; ldap: LdapAdmin; connect: Connect; mailer: Mailer | null; close(signal?: string): Promise<number[]> };

/**
 * Everything a server needs, opened and started; `close` undoes it. Without DATABASE_URL the
 * embedded queue runs tasks in this process, on a thread of their own when the store can be
 * opened there too; with it, pg-boss spreads them over worker processes.
 */
export async function startServices(config: Readonly<Config>, store?: Store, role: Role = 'all', cluster: Partial<ClusterOptions> = {}, log: Logger = createLogger(config.logLevel)): Promise<Services> {
  const opened = store ?? (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, keyFile: config.secretKeyFile }));
  if (role !== 'worker') await bootstrapAdmin(opened, config.adminUser, config.adminPassword);
  const deps = { store: opened, connect: (source: Parameters<typeof connect>[0]) => connect(source) };
  const metrics = new Metrics(opened, { version: VERSION, role, mode: config.databaseUrl ? 'cluster' : 'embedded' });
  const observeRun = (report: Parameters<Metrics['observeRun']>[0]) => metrics.observeRun(report);
  const handlers = { [SYNC_COMMAND]: syncTaskHandler(deps, observeRun, log) };
  const onSchedule = (orgId: number, occurrence: string) => queueScheduledSyncs(opened, queue, orgId, occurrence, log);
  const thread = !config.databaseUrl && opened.location ? new SyncThread(opened, opened.location, log, observeRun) : null;
  await thread?.start();
  const queue: TaskQueue = config.databaseUrl
    ? new ClusterQueue(opened, handlers, { databaseUrl: config.databaseUrl, worker: role !== 'api', concurrency: config.workerConcurrency, bossSchema: config.queueSchema, superviseSeconds: config.queueSuperviseSeconds, onSchedule, ...cluster })
    : new EmbeddedQueue(opened, handlers, 2, onSchedule, thread?.run);
  await queue.start();
  const ldap = new LdapAdmin(opened, deps.connect);
  const throttle = new LoginThrottle({}, Date.now, signInFailureLog(log));
  const mailer = config.smtpUrl ? smtpMailer({ url: config.smtpUrl, from: config.smtpFrom, caFile: config.smtpCaFile }) : null;
  return {
    config, store: opened, queue, keys: loadKeys(config.dataDir), throttle, log, ldap, connect: deps.connect, mailer,
    services: createServices({ store: opened, schedules: queue, ldap, connect: deps.connect }, queue, { throttle, mailer }),
    metrics, role,
    close: async (signal?: string) => {
      const interrupted = await queue.stop(signal);
      await thread?.close();
      if (!store) await opened.close();
      return interrupted;
    },
  };
}

export async function serve(config: Readonly<Config>, argv: string[]): Promise<number> {
  const { values } = parse(argv, { role: { type: 'string' } });
  const role = (values.role ?? 'all') as Role;
  if (!ROLES.includes(role)) throw new UsageError(`--role takes ${ROLES.join(', ')}, not '${String(values.role)}'`);
  if (role !== 'all' && !config.databaseUrl) throw new UsageError(`--role ${role} needs DATABASE_URL: without PostgreSQL one process does everything (--role all)`);
  const services = await startServices(config, undefined, role);
  const app = role === 'worker' ? await buildOpsApp(services) : await buildApp(services, { logger: true });
  services.log.info({ role, mode: config.databaseUrl ? 'cluster' : 'embedded', store: config.databaseUrl ? 'postgres' : 'sqlite' }, `ldapsync starting: role ${role}, ${config.databaseUrl ? 'cluster mode (PostgreSQL, pg-boss)' : 'embedded mode (SQLite, tasks and schedules in this process)'}`);
  const stop = async (signal: NodeJS.Signals) => {
    const started = Date.now();
    app.log.info({ signal, role }, `shutting down on ${signal}: no new requests or tasks; running syncs stop after the page in hand`);
    await app.close();
    const interrupted = await services.close(signal);
    app.log.info({ signal, interruptedTasks: interrupted, ms: Date.now() - started },
      interrupted.length ? `stopped; tasks ${interrupted.join(', ')} interrupted and queued again: ${config.databaseUrl ? 'another worker takes them over' : 'they run again when the service starts'}` : 'stopped; no sync was running');
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await app.listen({ host: config.host, port: config.port });
  if ((await services.store.accounts.count()) === 0) {
    app.log.warn('no admin account yet: set LDAPSYNC_ADMIN_USER and LDAPSYNC_ADMIN_PASSWORD, or run `ldapsync admin create NAME`');
  }
  return new Promise<number>(() => undefined);
}
