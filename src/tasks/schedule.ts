/** What a source's schedule does when it fires: queue a sync of each domain that syncs from it. */
import type { Store } from '../store/store.ts';
import type { TaskQueue } from './queue.ts';
import { SYNC_COMMAND, type SyncTaskParams } from './sync-task.ts';
import { silentLog, type Log } from '../logger.ts';

/** The schedule a saved source runs on, or null when it has none or is switched off. */
export function activeSchedule(config: Record<string, unknown> | undefined): string | null {
  return config && typeof config.schedule === 'string' && config.schedule && config.disabled !== true ? config.schedule : null;
}

/** Every source that runs on a schedule, by organization. */
export async function activeSchedules(store: Store): Promise<Map<number, string>> {
  const wanted = new Map<number, string>();
  for (const orgId of await store.sources.orgIds()) {
    const schedule = activeSchedule(await store.sources.get(orgId));
    if (schedule) wanted.set(orgId, schedule);
  }
  return wanted;
}

/**
 * A schedule never fires twice within this: repeats of one occurrence are dropped. Two distinct
 * occurrences may still fire closer than their rule's interval, since pg-boss sends them when its
 * pass runs, one per minute slot, and a pass on each side of a minute's end sends one each.
 */
export const MIN_GAP_MS = 2000;

export async function queueScheduledSyncs(store: Store, queue: TaskQueue, orgId: number, occurrence: string, log: Log = silentLog): Promise<void> {
  const config = await store.sources.get(orgId);
  if (!config) return;
  // The time it fired is the claim's: the gap the claim keeps is between these.
  const firedAt = new Date();
  if (!(await store.syncLocks.claimScheduleFire(orgId, MIN_GAP_MS, firedAt))) {
    await store.audit.record({ actor: 'schedule', action: 'schedule.duplicate', targetType: 'source', targetId: String(orgId), before: null, after: { occurrence, at: firedAt.toISOString() } });
    log.debug({ event: 'schedule.duplicate', orgId, occurrence }, `schedule of source ${orgId} fired twice for ${occurrence}; the repeat is dropped`);
    return;
  }
  const domains = [];
  for (const d of await store.domains.list()) if ((await store.sources.effective(d.orgId))?.orgId === orgId) domains.push(d);
  const queued: number[] = [];
  for (const d of domains) {
    const params: SyncTaskParams = { domainID: d.id, import: config.scheduleImport !== false, lang: '' };
    const { task, existing } = await queue.submit({ command: SYNC_COMMAND, params, domainId: d.id, orgId: null, owner: 'schedule' });
    queued.push(task.id);
    // The domain is busy (409 for an admin asking): this occurrence adds no run of its own.
    if (existing) log.warn({ event: 'schedule.skipped', orgId, domainId: d.id, domain: d.name, occurrence, busyTask: task.id }, `scheduled sync of ${d.name} skipped for ${occurrence}: task ${task.id} of this domain is still ${task.state === 0 ? 'queued' : 'running'}`);
  }
  log.info({ event: 'schedule.fire', orgId, occurrence, tasks: queued }, `schedule of source ${orgId} fired for ${occurrence}: ${domains.length} domains, tasks ${queued.join(', ') || 'none'}`);
  await store.audit.record({ actor: 'schedule', action: 'schedule.fire', targetType: 'source', targetId: String(orgId), before: null, after: { occurrence, tasks: queued, at: firedAt.toISOString() } });
}
