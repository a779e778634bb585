/**
 * Rocket.Chat's second-factor check for routes that require it, with its headers and answers:
 * x-2fa-code and x-2fa-method (totp, email, password). A user without TOTP falls back to the
 * password method, as Rocket.Chat does when a second factor is required without a licence.
 * Repeated wrong codes lock the account's second factor as repeated wrong passwords lock sign-in.
 */
import type { FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.ts';
import { verifyPassword } from '../../auth/passwords.ts';
import { sha256Hex, totpValid } from '../../auth/two-factor.ts';
import { meteorError } from './errors.ts';

export async function requireSecondFactor(ctx: ApiContext, request: FastifyRequest, accountId: number): Promise<void> {
  const state = await ctx.store.accounts.twoFactor(accountId);
  const available = state.totpEnabled ? ['totp'] : state.digestHash ? ['password'] : [];
  if (available.length === 0) return;
  const asked = String(request.headers['x-2fa-method'] ?? '');
  const method = available.includes(asked) ? asked : available[0]!;
  const code = String(request.headers['x-2fa-code'] ?? '').trim();
  const details = { method, codeGenerated: false, availableMethods: available };
  if (!code) throw meteorError('totp-required', 'TOTP Required', details);
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

