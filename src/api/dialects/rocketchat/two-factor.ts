/**
 * Rocket.Chat's second-factor check for routes that require it, with its headers and answers:
 * x-2fa-code and x-2fa-method (totp, email, password). The check itself is the shared one
 * (auth/second-factor.ts); this file says its result in Rocket.Chat's words.
 */
import type { FastifyRequest } from 'fastify';
import type { ApiContext } from '../../context.ts';
import { EmailCodeNotSent, type SecondFactorChallenge } from '../../../auth/second-factor.ts';
import { failure, meteorError, type RocketError } from './errors.ts';

export interface SecondFactorOptions {
  /** False where the password was just given (sign-in): the password method would prove nothing. */
  passwordFallback?: boolean;
  /** A code from the body (Rocket.Chat's login takes `code`), used when no header carries one. */
  code?: string;
}

const header = (request: FastifyRequest, name: string): string => {
  const v = request.headers[name];
  return String((Array.isArray(v) ? v[0] : v) ?? '');
};

/** The challenge as Rocket.Chat's Meteor.Error: totp-required, totp-invalid or totp-max-attempts. */
export function challengeError(c: SecondFactorChallenge): RocketError {
  const details: Record<string, unknown> = { method: c.method, codeGenerated: c.codeGenerated, availableMethods: c.available };
  if (c.emailOrUsername !== undefined) details.emailOrUsername = c.emailOrUsername;
  if (c.codeExpires !== undefined) details.codeExpires = [c.codeExpires];
  if (c.kind === 'locked') return meteorError('totp-max-attempts', 'TOTP Maximun Failed Attempts Reached', details);
  if (c.kind === 'invalid') return meteorError('totp-invalid', 'TOTP Invalid', details);
  return meteorError('totp-required', 'TOTP Required', details);
}

export async function requireSecondFactor(ctx: ApiContext, request: FastifyRequest, accountId: number, options: SecondFactorOptions = {}): Promise<void> {
  let result;
  try {
    result = await ctx.services.secondFactors.check(accountId, {
      method: header(request, 'x-2fa-method'),
      code: header(request, 'x-2fa-code') || options.code,
      passwordFallback: options.passwordFallback !== false,
    });
  } catch (e) {
    if (e instanceof EmailCodeNotSent) throw failure(e.message);
    throw e;
  }
  if (!result.ok) throw challengeError(result);
}
