/**
 * The second factor, whichever door asks for it: TOTP (or a one-time backup code), a code mailed
 * out, or Rocket.Chat's password method. The answer is a plain result; each dialect says it in
 * its own shape. Repeated wrong codes lock the account's second factor for a while.
 */
import { randomInt } from 'node:crypto';
import type { Store } from '../store/store.ts';
import type { TwoFactorState } from '../domain/account.ts';
import type { LoginThrottle } from './throttle.ts';
import type { Mailer } from './mailer.ts';
import { verifyPassword } from './passwords.ts';
import { sha256Hex, totpStep } from './two-factor.ts';

const EMAIL_CODE_MINUTES = 10;

export interface SecondFactorDeps { store: Store; throttle: LoginThrottle; mailer: Mailer | null }

export interface SecondFactorAsk {
  /** The method the caller names (x-2fa-method); the first one available otherwise. */
  method?: string;
  code?: string;
  /** False where the password was just given (sign-in): the password method would prove nothing. */
  passwordFallback: boolean;
}

export interface SecondFactorChallenge {
  kind: 'required' | 'invalid' | 'locked';
  method: string;
  available: string[];
  codeGenerated: boolean;
  /** For the email method: whom the code went to, and until when a code already sent is good. */
  emailOrUsername?: string;
  codeExpires?: string;
}

export type SecondFactorResult = { ok: true } | ({ ok: false } & SecondFactorChallenge);

export class EmailCodeNotSent extends Error {}

function availableMethods(deps: SecondFactorDeps, state: TwoFactorState, email: string | null, passwordFallback: boolean): string[] {
  // Email stays a required method without an SMTP server: the sign-in then fails (no code can be
  // sent) instead of skipping the factor.
  const methods = [...(state.totpEnabled ? ['totp'] : []), ...(state.emailEnabled && email ? ['email'] : [])];
  if (methods.length === 0 && passwordFallback && state.digestHash) methods.push('password');
  return methods;
}

/** True when the account has a second factor of its own switched on (TOTP or email). */
export async function hasOwnSecondFactor(deps: SecondFactorDeps, accountId: number): Promise<boolean> {
  const state = await deps.store.accounts.twoFactor(accountId);
  const account = await deps.store.accounts.get(accountId);
  return availableMethods(deps, state, account?.email ?? null, false).length > 0;
}

/** The mailed code while it is still good. */
const pendingEmailCode = (state: TwoFactorState) => (state.emailCode && Date.parse(state.emailCode.expires) > Date.now() ? state.emailCode : null);

/** True within a minute of the last code mailed out: asking again sends nothing (no mail flood). */
export const sentRecently = (state: TwoFactorState): boolean =>
  !!state.emailCode && Date.parse(state.emailCode.expires) - (EMAIL_CODE_MINUTES - 1) * 60_000 > Date.now();

/** Mails a fresh six-digit code; only its hash is kept. Throws EmailCodeNotSent when mailing fails. */
export async function sendEmailCode(deps: SecondFactorDeps, accountId: number, to: string): Promise<void> {
  if (!deps.mailer) throw new EmailCodeNotSent('This account\'s second factor is a code by email, but no SMTP server is configured (LDAPSYNC_SMTP_URL); ask an admin');
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const expires = new Date(Date.now() + EMAIL_CODE_MINUTES * 60_000).toISOString();
  await deps.store.accounts.setEmailCode(accountId, { hash: sha256Hex(code), expires });
  try {
    await deps.mailer.send({ to, subject: 'Your ldapsync sign-in code', text: `Your code is ${code}. It is good once, for ${EMAIL_CODE_MINUTES} minutes.\n\nIf you did not ask for it, someone knows your password: change it.` });
  } catch {
    await deps.store.accounts.setEmailCode(accountId, null);
    throw new EmailCodeNotSent('The code could not be sent by email; try again or use another method');
  }
}

async function codeMatches(deps: SecondFactorDeps, accountId: number, state: TwoFactorState, method: string, code: string): Promise<boolean> {
  if (method === 'totp') {
    const step = totpStep(state.totpSecret ?? '', code);
    // A TOTP code is good once: the step it belongs to is claimed, and no earlier step works after it.
    if (step !== null) return deps.store.accounts.claimTotpStep(accountId, step);
    if (!state.backupCodes.includes(sha256Hex(code))) return false;
    await deps.store.accounts.setBackupCodes(accountId, state.backupCodes.filter((h) => h !== sha256Hex(code)));
    return true;
  }
  if (method === 'email') {
    const ok = pendingEmailCode(state)?.hash === sha256Hex(code);
    if (ok) await deps.store.accounts.setEmailCode(accountId, null); // good once
    return ok;
  }
  return method === 'password' && verifyPassword(code.toLowerCase(), state.digestHash);
}

/** Checks the second factor of an account; `{ok: true}` when it has none that applies. */
export async function checkSecondFactor(deps: SecondFactorDeps, accountId: number, ask: SecondFactorAsk): Promise<SecondFactorResult> {
  const state = await deps.store.accounts.twoFactor(accountId);
  const account = (await deps.store.accounts.get(accountId))!;
  const available = availableMethods(deps, state, account.email, ask.passwordFallback);
  if (available.length === 0) return { ok: true };
  const method = ask.method && available.includes(ask.method) ? ask.method : available[0]!;
  const code = (ask.code ?? '').trim();
  const challenge = { method, available, codeGenerated: false };
  if (!code) {
    if (method !== 'email') return { ok: false, kind: 'required', ...challenge };
    // A code still valid is not sent again; the answer says when it expires instead.
    const pending = pendingEmailCode(state);
    if (pending) return { ok: false, kind: 'required', ...challenge, emailOrUsername: account.username, codeExpires: pending.expires };
    await sendEmailCode(deps, accountId, account.email!);
    return { ok: false, kind: 'required', ...challenge, emailOrUsername: account.username, codeGenerated: true };
  }
  const key = [`2fa:${accountId}`];
  if (deps.throttle.lockedFor(key) > 0) return { ok: false, kind: 'locked', ...challenge };
  if (!(await codeMatches(deps, accountId, state, method, code))) {
    deps.throttle.failed(key);
    return { ok: false, kind: deps.throttle.lockedFor(key) > 0 ? 'locked' : 'invalid', ...challenge };
  }
  deps.throttle.succeeded(key);
  return { ok: true };
}
