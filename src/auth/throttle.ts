/**
 * Slows and then refuses repeated failed sign-ins, per account and per address: after
 * `freeAttempts` failures each try waits longer; after `lockAfter` the key is refused for a while.
 */
export interface ThrottleOptions { freeAttempts: number; lockAfter: number; windowMs: number; lockMs: number; maxDelayMs: number }

const DEFAULTS: ThrottleOptions = { freeAttempts: 3, lockAfter: 10, windowMs: 15 * 60_000, lockMs: 15 * 60_000, maxDelayMs: 2_000 };

interface Entry { failures: number; first: number; lockedUntil: number }

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly options: ThrottleOptions;
  private readonly now: () => number;
  private readonly onFailure: (keys: string[], failures: number, lockedForMs: number) => void;

  /** `onFailure`: told of each failed attempt (for the log), with the keys, never a password. */
  constructor(options: Partial<ThrottleOptions> = {}, now: () => number = Date.now, onFailure: (keys: string[], failures: number, lockedForMs: number) => void = () => undefined) {
    this.options = { ...DEFAULTS, ...options };
    this.now = now;
    this.onFailure = onFailure;
  }

  private entry(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e && this.now() - e.first > this.options.windowMs && e.lockedUntil < this.now()) { this.entries.delete(key); return undefined; }
    return e;
  }

  /** Milliseconds until the keys may try again, or 0. */
  lockedFor(keys: string[]): number {
    return Math.max(0, ...keys.map((k) => (this.entry(k)?.lockedUntil ?? 0) - this.now()));
  }

  /** How long to hold this attempt before answering. */
  delayFor(keys: string[]): number {
    const failures = Math.max(0, ...keys.map((k) => this.entry(k)?.failures ?? 0));
    if (failures < this.options.freeAttempts) return 0;
    return Math.min(this.options.maxDelayMs, 250 * 2 ** (failures - this.options.freeAttempts));
  }

  failed(keys: string[]): void {
    let failures = 0;
    for (const key of keys) {
      const e = this.entry(key) ?? { failures: 0, first: this.now(), lockedUntil: 0 };
      e.failures++;
      if (e.failures >= this.options.lockAfter) e.lockedUntil = this.now() + this.options.lockMs;
      this.entries.set(key, e);
      failures = Math.max(failures, e.failures);
    }
    this.onFailure(keys, failures, this.lockedFor(keys));
  }

  succeeded(keys: string[]): void {
    for (const key of keys) this.entries.delete(key);
  }
}
