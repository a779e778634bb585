/** Prometheus metrics: runs by state, run duration, users per outcome code, queue depth, directory errors. */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store/store.ts';
import type { SyncReport } from '../sync/engine.ts';

const STATES: Record<number, string> = { 0: 'queued', 1: 'loaded', 2: 'running', 3: 'completed', 4: 'error', 5: 'cancelled', 6: 'awaiting_approval' };

export class Metrics {
  readonly registry = new Registry();
  private readonly runs: Counter<'status' | 'mode'>;
  private readonly duration: Histogram<'mode'>;
  private readonly outcomes: Counter<'outcome'>;
  private readonly directoryErrors: Counter;

  constructor(store: Store) {
    const registry = this.registry;
    this.runs = new Counter({ name: 'ldapsync_sync_runs_total', help: 'Sync runs finished in this process, by status and mode', labelNames: ['status', 'mode'], registers: [registry] });
    this.duration = new Histogram({ name: 'ldapsync_sync_run_seconds', help: 'Duration of sync runs', labelNames: ['mode'], buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800], registers: [registry] });
    this.outcomes = new Counter({ name: 'ldapsync_sync_users_total', help: 'Users per outcome of the runs in this process', labelNames: ['outcome'], registers: [registry] });
    this.directoryErrors = new Counter({ name: 'ldapsync_directory_errors_total', help: 'Runs that failed because the directory could not be used', registers: [registry] });
    new Gauge({
      name: 'ldapsync_tasks', help: 'Tasks in the store by state (cluster-wide)', labelNames: ['state'], registers: [registry],
      async collect() { for (const [state, n] of Object.entries(await store.tasks.countByState())) this.set({ state: STATES[Number(state)] ?? state }, n); },
    });
    new Gauge({
      name: 'ldapsync_queue_depth', help: 'Tasks waiting for a worker', registers: [registry],
      async collect() { this.set((await store.tasks.countByState())[0] ?? 0); },
    });
  }

  observeRun(report: SyncReport): void {
    this.runs.inc({ status: report.status, mode: report.mode });
    this.duration.observe({ mode: report.mode }, (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000);
    for (const [outcome, n] of Object.entries(report.counts)) if (n) this.outcomes.inc({ outcome }, n);
    if (report.error?.code === 503) this.directoryErrors.inc();
  }
}
