/**
 * The lock a run holds on its domain. Its holder names host, process and thread, so a process
 * that died on this host (SIGKILL, crash) releases its domains at once; elsewhere a lock with no
 * heartbeat for STALE_MS is taken over. A thread of this process that ended (the sync thread
 * crashing) has its locks released by the thread that ran it.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import type { Store } from '../store/store.ts';

export const STALE_MS = 120_000;
const HEARTBEAT_MS = 10_000;

const host = hostname();
/** Locks this process holds now: a holder naming this process but not listed here has ended. */
const live = new Set<string>();

function deadLocalHolder(holder: string): boolean {
  const [h, pid, , thread] = holder.split('|');
  if (h !== host || !pid) return false;
  if (Number(pid) === process.pid) {
    // Another thread of this process runs it: that thread's locks are not listed here.
    if (Number(thread ?? 0) !== threadId) return false;
    // This thread's own run that ended while the store could not take the release yet.
    return !live.has(holder);
  }
  try { process.kill(Number(pid), 0); return false; } catch (e) { return (e as NodeJS.ErrnoException).code === 'ESRCH'; }
}

export interface RunLock { heartbeat(): Promise<void>; release(): Promise<void> }

/** The lock, or the current holder's description when another run holds it. */
export async function lockDomain(store: Store, domainId: number): Promise<RunLock | { busy: string }> {
  const me = `${host}|${process.pid}|${randomBytes(4).toString('hex')}|${threadId}`;
  const staleBefore = () => new Date(Date.now() - STALE_MS).toISOString();
  let acquired = await store.syncLocks.acquire(domainId, me, staleBefore());
  if (!acquired) {
    const current = await store.syncLocks.holder(domainId);
    if (current && deadLocalHolder(current.holder)) acquired = await store.syncLocks.acquire(domainId, me, staleBefore(), current.holder);
    // The holder (host, process) stays out of the answer: whoever asked may be a tenant.
    if (!acquired) return { busy: current ? `since ${current.acquiredAt}` : 'just now' };
  }
  let last = Date.now();
  live.add(me);
  return {
    async heartbeat() {
      if (Date.now() - last < HEARTBEAT_MS) return;
      last = Date.now();
      await store.syncLocks.heartbeat(domainId, me);
    },
    release: () => { live.delete(me); return store.syncLocks.release(domainId, me); },
  };
}

/** Releases the locks a thread of this process held when it ended; returns their domains. */
export async function releaseThreadLocks(store: Store, endedThreadId: number): Promise<number[]> {
  const released: number[] = [];
  for (const lock of await store.syncLocks.all()) {
    const [h, pid, , thread] = lock.holder.split('|');
    if (h !== host || Number(pid) !== process.pid || Number(thread) !== endedThreadId) continue;
    await store.syncLocks.release(lock.domainId, lock.holder);
    released.push(lock.domainId);
  }
  return released;
}
