/**
 * The writes that end a run (its run record, its task, its lock) must land even when the store
 * refuses them for a while (a full disk, a lost connection): tried now, then again with backoff
 * until they do, without holding up the caller. A run never stays "running" once the store is back.
 */
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

const pending = new Set<Promise<void>>();

export async function settle(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch {
    const retry = new Promise<void>((resolve) => {
      const attempt = (delay: number) => {
        const timer = setTimeout(() => {
          write().then(() => resolve(), () => attempt(Math.min(delay * 2, MAX_RETRY_MS)));
        }, delay);
        timer.unref();
      };
      attempt(FIRST_RETRY_MS);
    });
    pending.add(retry);
    void retry.then(() => pending.delete(retry));
  }
}

/** Resolves when every write still being retried has landed (tests; an orderly stop). */
export async function settled(): Promise<void> {
  while (pending.size) await Promise.all([...pending]);
}
