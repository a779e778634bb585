/**
 * Prometheus metrics: the process and Node.js (prom-client's defaults), what ldapsync it is
 * (build info), HTTP requests by route, runs by state, run duration, users per outcome code,
 * queue depth, directory errors, and per domain how its last run ended and when one last
 * succeeded. Every task state has a series, zero included, so a rate or an alert on "error"
 * works before the first error.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the metrics read at each scrape (the store answers it): tasks by state, each domain's last run. */
export interface MetricsSource {
  tasks: { countByState(): Promise<Record<number, number>> };
  runs: { lastByDomain(): Promise<Array<{ domain: string; lastStatus: string | null; lastSuccessAt: string | null }>> };
}

/** The facts of a finished run that the metrics count (a sync report carries them). */
export interface RunObservation {
  status: string; mode: string; startedAt: string; finishedAt: string;
  counts: { [outcome: string]: number } | object;
  error?: { code: number } | null;
}

const STATES: Record<number, string> = { 0: 'queued', 1: 'loaded', 2: 'running', 3: 'completed', 4: 'error', 5: 'cancelled', 6: 'awaiting_approval' };
/** Run statuses, for the one-hot last-run gauge. */
const RUN_STATUSES = ['completed', 'failed', 'cancelled', 'interrupted', 'awaiting-approval', 'rejected', 'running'] as const;

export interface BuildInfo { version: string; role: string; mode: 'embedded' | 'cluster' }

export class Metrics {
  readonly registry = new Registry();
  private readonly runs: Counter<'status' | 'mode'>;
  private readonly duration: Histogram<'mode'>;
  private readonly outcomes: Counter<'outcome'>;
  private readonly directoryErrors: Counter;
  private readonly httpRequests: Counter<'method' | 'route' | 'status_code'>;
  private readonly httpDuration: Histogram<'method' | 'route'>;

  constructor(store: MetricsSource, build: BuildInfo = { version: 'unknown', role: 'all', mode: 'embedded' }) {
    const registry = this.registry;
    collectDefaultMetrics({ register: registry });
    new Gauge({ name: 'ldapsync_build_info', help: 'Always 1: the version, role and mode of this process, and its Node.js', labelNames: ['version', 'role', 'mode', 'node'], registers: [registry] })
      .set({ version: build.version, role: build.role, mode: build.mode, node: process.version }, 1);
    this.httpRequests = new Counter({ name: 'ldapsync_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status code', labelNames: ['method', 'route', 'status_code'], registers: [registry] });
    this.httpDuration = new Histogram({ name: 'ldapsync_http_request_duration_seconds', help: 'Time to answer HTTP requests, by method and route pattern', labelNames: ['method', 'route'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60], registers: [registry] });
    this.runs = new Counter({ name: 'ldapsync_sync_runs_total', help: 'Sync runs finished in this process, by status and mode', labelNames: ['status', 'mode'], registers: [registry] });
    this.duration = new Histogram({ name: 'ldapsync_sync_run_seconds', help: 'Duration of sync runs', labelNames: ['mode'], buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800], registers: [registry] });
    this.outcomes = new Counter({ name: 'ldapsync_sync_users_total', help: 'Users per outcome of the runs in this process', labelNames: ['outcome'], registers: [registry] });
    this.directoryErrors = new Counter({ name: 'ldapsync_directory_errors_total', help: 'Runs that failed because the directory could not be used', registers: [registry] });
    new Gauge({
      name: 'ldapsync_tasks', help: 'Tasks in the store by state (cluster-wide); every state has a series', labelNames: ['state'], registers: [registry],
      async collect() {
        const counts = await store.tasks.countByState();
        for (const [state, name] of Object.entries(STATES)) this.set({ state: name }, counts[Number(state)] ?? 0);
      },
    });
    new Gauge({
      name: 'ldapsync_queue_depth', help: 'Tasks waiting for a worker', registers: [registry],
      async collect() { this.set((await store.tasks.countByState())[0] ?? 0); },
    });
    // Both per-domain gauges read one query per scrape, shared through this promise.
    let perDomain: ReturnType<MetricsSource['runs']['lastByDomain']> | null = null;
    const lastRuns = () => (perDomain ??= store.runs.lastByDomain().finally(() => { setImmediate(() => { perDomain = null; }); }));
    new Gauge({
      name: 'ldapsync_domain_last_success_timestamp_seconds', help: 'When a run of the domain last completed (Unix time); 0 if never', labelNames: ['domain'], registers: [registry],
      async collect() {
        this.reset();
        for (const d of await lastRuns()) this.set({ domain: d.domain }, d.lastSuccessAt ? Date.parse(d.lastSuccessAt) / 1000 : 0);
      },
    });
    new Gauge({
      name: 'ldapsync_domain_last_run_status', help: "1 for the status the domain's last finished run ended with, 0 for the others", labelNames: ['domain', 'status'], registers: [registry],
      async collect() {
        this.reset();
        for (const d of await lastRuns()) for (const status of RUN_STATUSES) this.set({ domain: d.domain, status }, d.lastStatus === status ? 1 : 0);
      },
    });
  }

  observeRun(report: RunObservation): void {
    this.runs.inc({ status: report.status, mode: report.mode });
    this.duration.observe({ mode: report.mode }, (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000);
    for (const [outcome, n] of Object.entries(report.counts) as Array<[string, number]>) if (n) this.outcomes.inc({ outcome }, n);
    if (report.error?.code === 503) this.directoryErrors.inc();
  }

  /** One answered request; `route` is the pattern (e.g. /api/v1/tasq/tasks/:ID), never the raw URL. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status_code: String(statusCode) });
    this.httpDuration.observe({ method, route }, seconds);
  }
}
