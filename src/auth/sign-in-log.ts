/**
 * Failed sign-ins, as the log tells them: the account name tried, the address, how many failures
 * in a row and whether the throttle now refuses them. Never the password, a token or a code:
 * the throttle's keys are all this sees.
 */
import type { Log } from '../logger.ts';

export type OnSignInFailure = (keys: string[], failures: number, lockedForMs: number) => void;

export function signInFailureLog(log: Log): OnSignInFailure {
  return (keys, failures, lockedForMs) => {
    const user = keys.find((k) => k.startsWith('account:'))?.slice('account:'.length) ?? null;
    const address = keys.find((k) => k.startsWith('address:'))?.slice('address:'.length) ?? null;
    const locked = lockedForMs > 0 ? `; refused for ${Math.ceil(lockedForMs / 60_000)} minutes` : '';
    log.warn({ event: 'signin.failed', user, address, failures, lockedForMs }, `sign-in failed for '${user ?? '?'}' from ${address ?? '?'} (${failures} in a row${locked})`);
  };
}
