/**
 * Rocket.Chat's second-factor check for routes that require it, with its headers and answers:
 * x-2fa-code and x-2fa-method (totp, email, password). The methods a user has switched on come
 * first (TOTP, then email); a user with neither falls back to the password method, as Rocket.Chat
 * does when a second factor is required without a licence. Repeated wrong codes lock the
 * account's second factor as repeated wrong passwords lock sign-in.
 */
import { randomInt } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.ts';
import type { TwoFactorState } from '../../store/repositories/accounts.ts';
import { verifyPassword } from '../../auth/passwords.ts';
import { sha256Hex, totpValid } from '../../auth/two-factor.ts';
import { failure, meteorError } from './errors.ts';

const EMAIL_CODE_MINUTES = 10;

export interface SecondFactorOptions {
  /** False where the password was just given (sign-in): the password method would prove nothing. */
  passwordFallback?: boolean;
  /** A code from the body (Rocket.Chat's login takes `code`), used when no header carries one. */
  code?: string;
}

function availableMethods(ctx: ApiContext, state: TwoFactorState, email: string | null, passwordFallback: boolean): string[] {
  const methods = [...(state.totpEnabled ? ['totp'] : []), ...(state.emailEnabled && email && ctx.mailer ? ['email'] : [])];
  if (methods.length === 0 && passwordFallback && state.digestHash) methods.push('password');
  return methods;
}

/** The mailed code while it is still good. */
const pendingEmailCode = (state: TwoFactorState) => (state.emailCode && Date.parse(state.emailCode.expires) > Date.now() ? state.emailCode : null);

/** True within a minute of the last code mailed out: asking again sends nothing (no mail flood). */
export const sentRecently = (state: TwoFactorState): boolean =>
  !!state.emailCode && Date.parse(state.emailCode.expires) - (EMAIL_CODE_MINUTES - 1) * 60_000 > Date.now();

/** Mails a fresh six-digit code; only its hash is kept. */
export async function sendEmailCode(ctx: ApiContext, accountId: number, to: string): Promise<void> {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const expires = new Date(Date.now() + EMAIL_CODE_MINUTES * 60_000).toISOString();
  await ctx.store.accounts.setEmailCode(accountId, { hash: sha256Hex(code), expires });
  try {
    await ctx.mailer!.send({ to, subject: 'Your ldapsync sign-in code', text: `Your code is ${code}. It is good once, for ${EMAIL_CODE_MINUTES} minutes.\n\nIf you did not ask for it, someone knows your password: change it.` });
  } catch {
    await ctx.store.accounts.setEmailCode(accountId, null);
    throw failure('The code could not be sent by email; try again or use another method');
  }
}

export async function requireSecondFactor(ctx: ApiContext, request: FastifyRequest, accountId: number, options: SecondFactorOptions = {}): Promise<void> {
  const state = await ctx.store.accounts.twoFactor(accountId);
  const account = (await ctx.store.accounts.get(accountId))!;
  const available = availableMethods(ctx, state, account.email, options.passwordFallback !== false);
  if (available.length === 0) return;
  const asked = String(request.headers['x-2fa-method'] ?? '');
  const method = available.includes(asked) ? asked : available[0]!;
  const code = String(request.headers['x-2fa-code'] ?? options.code ?? '').trim();
  const details: Record<string, unknown> = { method, codeGenerated: false, availableMethods: available };
  if (!code) {
    if (method === 'email') {
      // A code still valid is not sent again; Rocket.Chat says when it expires instead.
      const pending = pendingEmailCode(state);
      details.emailOrUsername = account.username;
      if (pending) details.codeExpires = [pending.expires];
      else { await sendEmailCode(ctx, accountId, account.email!); details.codeGenerated = true; }
    }
    throw meteorError('totp-required', 'TOTP Required', details);
  }
  const key = [`2fa:${accountId}`];
  if (ctx.throttle.lockedFor(key) > 0) throw meteorError('totp-max-attempts', 'TOTP Maximun Failed Attempts Reached', details);
  let ok = false;
  if (method === 'totp') {
    ok = totpValid(state.totpSecret ?? '', code);
    if (!ok && state.backupCodes.includes(sha256Hex(code))) {
      // A backup code works once.
      await ctx.store.accounts.setBackupCodes(accountId, state.backupCodes.filter((h) => h !== sha256Hex(code)));
      ok = true;
    }
  } else if (method === 'email') {
    ok = pendingEmailCode(state)?.hash === sha256Hex(code);
    if (ok) await ctx.store.accounts.setEmailCode(accountId, null); // good once
  } else if (method === 'password') {
    ok = await verifyPassword(code.toLowerCase(), state.digestHash);
  }
  if (!ok) {
    ctx.throttle.failed(key);
    if (ctx.throttle.lockedFor(key) > 0) throw meteorError('totp-max-attempts', 'TOTP Maximun Failed Attempts Reached', details);
    throw meteorError('totp-invalid', 'TOTP Invalid', details);
  }
  ctx.throttle.succeeded(key);
}
