/**
 * The reason a run is stopped when its process shuts down (SIGTERM, SIGINT). Unlike a cancel,
 * nobody asked for the run to end: it stops after the page in hand and starts again later.
 */
export class ShutdownRequested extends Error {
  readonly signal: string;
  constructor(signal = 'shutdown') {
    super(`the service is stopping (${signal})`);
    this.name = 'ShutdownRequested';
    this.signal = signal;
  }
}

export const isShutdown = (reason: unknown): reason is ShutdownRequested => reason instanceof ShutdownRequested;

export const INTERRUPTED_BY_SHUTDOWN = 'Interrupted: the service stopped during the run; users already written are fully updated, the rest are as before; the run starts again when a process is back';
