/**
 * Slows and then refuses repeated failed attempts. Sign-ins are counted per account and address
 * together, so one person guessing locks out only that account from that address, never the
 * account everywhere nor everyone behind the same proxy. Two higher limits stand behind it: the
 * address alone (one address spraying many names; an IPv6 address counts by its /64, which one
 * host has to itself) and the account alone (many addresses guessing one password). After
 * `freeAttempts` failures each try waits longer.
 */
export interface ThrottleLimits { freeAttempts: number; lockAfter: number; windowMs: number; lockMs: number; maxDelayMs: number }

const DEFAULTS: ThrottleLimits = { freeAttempts: 3, lockAfter: 10, windowMs: 15 * 60_000, lockMs: 15 * 60_000, maxDelayMs: 2_000 };

/** Keys by prefix: `address:` and `account:` lock after their own, higher counts; every other key after `lockAfter`. */
export interface ThrottleOptions extends ThrottleLimits { addressLockAfter: number; accountLockAfter: number }

interface Entry { failures: number; first: number; lockedUntil: number }

/** An IPv6 address's /64 (its first four groups), written out; any other address as it is. */
export function addressGroup(address: string): string {
  if (!address.includes(':') || /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address)) return address.replace(/^::ffff:/i, '');
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** The keys one sign-in attempt counts against. */
export function signInKeys(login: string, address: string): string[] {
  const name = login.trim().toLowerCase();
  const group = addressGroup(address);
  return [`pair:${name}|${group}`, `account:${name}`, `address:${group}`];
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly options: ThrottleOptions;
  private readonly now: () => number;
  private readonly onFailure: (keys: string[], failures: number, lockedForMs: number) => void;

  /** `onFailure`: told of each failed attempt (for the log), with the keys, never a password. */
  constructor(options: Partial<ThrottleOptions> = {}, now: () => number = Date.now, onFailure: (keys: string[], failures: number, lockedForMs: number) => void = () => undefined) {
    this.options = { ...DEFAULTS, addressLockAfter: 100, accountLockAfter: 100, ...options };
    this.now = now;
    this.onFailure = onFailure;
  }

  private lockAfter(key: string): number {
    if (key.startsWith('address:')) return this.options.addressLockAfter;
    if (key.startsWith('account:')) return this.options.accountLockAfter;
    return this.options.lockAfter;
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

  /** How long to hold this attempt before answering: backoff by the failures of its first key. */
  delayFor(keys: string[]): number {
    const first = keys[0];
    const failures = first === undefined ? 0 : (this.entry(first)?.failures ?? 0);
    if (failures < this.options.freeAttempts) return 0;
    return Math.min(this.options.maxDelayMs, 250 * 2 ** (failures - this.options.freeAttempts));
  }

  failed(keys: string[]): void {
    let failures = 0;
    for (const key of keys) {
      const e = this.entry(key) ?? { failures: 0, first: this.now(), lockedUntil: 0 };
      e.failures++;
      if (e.failures >= this.lockAfter(key)) e.lockedUntil = this.now() + this.options.lockMs;
      this.entries.set(key, e);
      failures = Math.max(failures, e.failures);
    }
    // Bounded memory under a spray of names: the oldest entries go first.
    while (this.entries.size > 100_000) this.entries.delete(this.entries.keys().next().value!);
    this.onFailure(keys, failures, this.lockedFor(keys));
  }

  /** A success clears the account's count from this address; the address's and the account's own counts stay. */
  succeeded(keys: string[]): void {
    for (const key of keys) if (!key.startsWith('address:') && !key.startsWith('account:')) this.entries.delete(key);
  }

  /** Forgets every count (an operator's reset; tests). */
  clear(): void {
    this.entries.clear();
  }
}
