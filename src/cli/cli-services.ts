/**
 * The command line calls the same services as the API, as a SystemAdmin named `cli` (the actor of
 * its audit entries). Their refusals become usage errors: said on stderr, exit code 2.
 */
import type { Config } from '../config.ts';
import type { Store } from '../store/store.ts';
import { Caller } from '../auth/permissions.ts';
import { DomainError } from '../domain/errors.ts';
import { connect } from '../directory/client.ts';
import { LdapAdmin } from '../sync/ldap-admin.ts';
import { createServices, type AppServices } from '../services/index.ts';
import type { Schedules } from '../services/deps.ts';
import { UsageError } from './args.ts';

export const CLI_CALLER = new Caller(0, 'cli', [{ permission: 'SystemAdmin', param: '' }]);

/**
 * With PostgreSQL the schedules live in pg-boss, shared by every process: a short-lived queue
 * that only enqueues brings them in line. The embedded mode's timers belong to the serving process,
 * which this one cannot reach; they follow the saved source when that process next re-arms.
 */
export function cliSchedules(store: Store, config?: Pick<Readonly<Config>, 'databaseUrl' | 'queueSchema'>): Schedules {
  return {
    async syncSchedules() {
      if (!config?.databaseUrl) return;
      // Loaded only here: the other commands need no pg-boss.
      const { ClusterQueue } = await import('../tasks/cluster-queue.ts');
      const queue = new ClusterQueue(store, {}, { databaseUrl: config.databaseUrl, worker: false, concurrency: 1, bossSchema: config.queueSchema });
      await queue.start();
      await queue.stop();
    },
  };
}

export function cliServices(store: Store, config?: Pick<Readonly<Config>, 'databaseUrl' | 'queueSchema'>): AppServices {
  const open = (s: Parameters<typeof connect>[0]) => connect(s);
  return createServices({ store, schedules: cliSchedules(store, config), ldap: new LdapAdmin(store, open), connect: open });
}

/**
 * Runs a service call; a domain refusal is the command's usage error, in the service's words or,
 * where `wording` has the error's code, in the command's own.
 */
export async function asCommand<T>(call: () => Promise<T>, wording: Record<string, string> = {}): Promise<T> {
  try { return await call(); } catch (e) {
    if (e instanceof DomainError) throw new UsageError(wording[e.code] ?? (e.details.length ? e.details.join('\n') : e.message));
    throw e;
  }
}
