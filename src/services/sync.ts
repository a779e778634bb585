/**
 * Sync runs an admin asks for: queued as a task and waited on a little, or, for one domain, a dry
 * run that writes nothing. Which domains and organizations the caller may sync is decided here.
 */
import type { Caller } from '../auth/permissions.ts';
import type { Task } from '../domain/task.ts';
import { errorOfCode, notPermitted } from '../domain/errors.ts';
import { runSync, sourceForDomain, SyncError, type SyncProgress, type SyncReport } from '../sync/engine.ts';
import { withoutMarks, type Outcome } from '../domain/outcome.ts';
import { asInProcessTask } from '../tasks/in-process-task.ts';
import { SYNC_COMMAND, type SyncTaskParams } from '../tasks/sync-task.ts';
import type { TaskQueue } from '../tasks/queue.ts';
import { causeFor } from './test-answers.ts';
import { requirePermission } from './permissions.ts';
import type { DomainService } from './domains.ts';
import type { OrganizationService } from './organizations.ts';
import type { ServiceDeps } from './deps.ts';

export type SyncScope = { domainId: number; orgId: null } | { domainId: null; orgId: number } | { domainId: null; orgId: null };
export interface SyncInput { importNew: boolean; lang: string; full: boolean }
export interface InProcessRun { dryRun: boolean; onProgress?: (progress: SyncProgress) => void; onTask?: (taskId: number) => void }

export class SyncService {
  private readonly deps: ServiceDeps;
  private readonly queue: Pick<TaskQueue, 'submit' | 'wait'>;
  private readonly domains: DomainService;
  private readonly organizations: OrganizationService;
  constructor(deps: ServiceDeps, queue: Pick<TaskQueue, 'submit' | 'wait'>, domains: DomainService, organizations: OrganizationService) {
    this.deps = deps; this.queue = queue; this.domains = domains; this.organizations = organizations;
  }

  /** The scope the caller may sync: a domain it may change, an organization it administers, or everything (SystemAdmin). */
  async scopeFor(who: Caller, target: { domainId?: number; orgId?: number }): Promise<SyncScope> {
    if (target.domainId !== undefined) {
      const domain = await this.domains.visible(who, target.domainId, true);
      // A domain without a usable source is refused now, not queued to fail.
      await this.checkSource(domain.id);
      return { domainId: domain.id, orgId: null };
    }
    if (target.orgId !== undefined) return { domainId: null, orgId: (await this.organizations.visible(who, target.orgId, 'admin')).id };
    if (!who.isSystemAdmin) throw notPermitted();
    return { domainId: null, orgId: null };
  }

  private async checkSource(domainId: number): Promise<void> {
    try { await sourceForDomain(this.deps.store, domainId); } catch (e) {
      if (e instanceof SyncError) throw errorOfCode(e.code, e.message);
      throw e;
    }
  }

  /** Queues the run (or finds the one already queued) and waits up to `waitMs`, queueing included, for it. */
  async start(who: Caller, scope: SyncScope, input: SyncInput, waitMs: number): Promise<{ task: Task; existing: boolean; done: Task | undefined }> {
    const until = Date.now() + waitMs;
    const params: SyncTaskParams = {
      ...(scope.domainId !== null ? { domainID: scope.domainId } : {}),
      ...(scope.orgId !== null ? { orgID: scope.orgId } : {}),
      import: input.importNew,
      lang: input.lang,
      ...(input.full ? { full: true } : {}),
    };
    const { task, existing } = await this.queue.submit({ command: SYNC_COMMAND, params, domainId: scope.domainId, orgId: scope.orgId, owner: who.username });
    return { task, existing, done: await this.queue.wait(task.id, until - Date.now()) };
  }

  /** Queues a run of every domain the default source (org 0) serves, as Rocket.Chat's syncNow does. */
  async startDefaultSource(who: Caller, waitMs: number): Promise<{ task: Task; done: Task | undefined }> {
    requirePermission(who, 'sync-auth-services-users');
    const params: SyncTaskParams = { sourceOrgID: 0, import: true, lang: '' };
    const { task } = await this.queue.submit({ command: SYNC_COMMAND, params, domainId: null, orgId: 0, owner: who.username });
    return { task, done: await this.queue.wait(task.id, waitMs) };
  }

  /** A dry run of one domain: the plan and the outcomes it would give; nothing is written. */
  async preview(who: Caller, domainId: number, input: SyncInput): Promise<SyncReport> {
    await this.checkSource(domainId);
    let report: SyncReport;
    try {
      report = await runSync({ store: this.deps.store, connect: this.deps.connect }, { domainId, importNew: input.importNew, lang: input.lang, dryRun: true, full: input.full });
    } catch (e) {
      if (e instanceof SyncError) throw errorOfCode(e.code, e.message);
      throw e;
    }
    if (report.error) throw errorOfCode(report.error.code, causeFor(who, report.error.message));
    return report;
  }

  /**
   * One domain synced in this process (the command line), not queued: a real run is still a task
   * (owner `cli`) others can see, approve and cancel. Refusals stay `SyncError`s, whose codes are
   * the command's exit status. Every user's outcome comes back, the unchanged ones included.
   */
  async runHere(who: Caller, domainId: number, input: SyncInput, run: InProcessRun): Promise<{ report: SyncReport; outcomes: Outcome[] }> {
    if (!who.isSystemAdmin) throw notPermitted();
    const { store, connect } = this.deps;
    const sync = (taskId: number | null, signal?: AbortSignal) => runSync({ store, connect }, {
      domainId, importNew: input.importNew, lang: input.lang, dryRun: run.dryRun, full: input.full, taskId,
      ...(signal ? { signal } : {}), ...(run.onProgress ? { onProgress: run.onProgress } : {}),
    });
    // A dry run writes nothing, so it is no task.
    const params: SyncTaskParams = { domainID: domainId, import: input.importNew, lang: input.lang, ...(input.full ? { full: true } : {}) };
    const report = run.dryRun ? await sync(null)
      : await asInProcessTask(store, domainId, params, (taskId, signal) => { run.onTask?.(taskId); return sync(taskId, signal); });
    const outcomes = report.runId === null ? report.outcomes.map(withoutMarks) : await store.runs.allOutcomes(report.runId);
    return { report, outcomes };
  }
}
