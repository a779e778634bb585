/**
 * What the routes may use: the services (the application layer), the task queue's status, the
 * keys that sign tokens and the sign-in throttle. No store: a route asks a service.
 */
import type { Config } from '../config.ts';
import type { Keys } from '../auth/keys.ts';
import type { TaskQueue } from '../tasks/queue.ts';
import type { LoginThrottle } from '../auth/throttle.ts';
import type { AppServices } from '../services/index.ts';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.ts';

export interface ApiContext {
  config: Readonly<Config>;
  queue: TaskQueue;
  keys: Keys;
  /** The sign-in throttle the services count failures in (tests and operators read it). */
  throttle: LoginThrottle;
  /** The application layer: what a route asks instead of reaching into the store. */
  services: AppServices;
}

export const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];

/** What a running server adds: its metrics, its role and the one log stream. */
export interface ServerContext extends ApiContext { metrics: Metrics; role: Role; log: Logger }
