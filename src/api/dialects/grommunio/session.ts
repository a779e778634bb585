/**
 * Who is calling: the `grommunioAuthJwt` cookie, or a Bearer token, never both; on every non-GET
 * request made with the cookie, an `X-Csrf-Token` that matches it. The token names a session the
 * store still holds, so signing out ends it at once.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Caller, DomainRef } from '../../../auth/permissions.ts';
import { checkToken, csrfMatches } from '../../../auth/tokens.ts';
import type { ApiContext } from '../../context.ts';
import { forbidden, unauthorized } from './errors.ts';

export const COOKIE = 'grommunioAuthJwt';

declare module 'fastify' {
  interface FastifyRequest { caller: Caller | null; sessionId?: string }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * `csrf: false` only for a renewal: it changes nothing but hands the cookie's owner a fresh token
 * in a body no other origin can read, and grommunio's own web UI renews without the header.
 */
export async function callerFor(ctx: ApiContext, request: FastifyRequest, options: { csrf?: boolean } = {}): Promise<Caller> {
  const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const cookie = request.cookies[COOKIE];
  // One credential per request: a Bearer token beside the cookie would skip the cookie's CSRF check.
  if (bearer && cookie) throw unauthorized('Send either the session cookie or a Bearer token, not both');
  const jwt = cookie ?? bearer;
  const check = await checkToken(ctx.keys, jwt);
  if (!check.ok) throw unauthorized(check.error);
  if (cookie && options.csrf !== false && !SAFE_METHODS.has(request.method)) {
    const header = request.headers['x-csrf-token'];
    if (!csrfMatches(ctx.keys, jwt!, Array.isArray(header) ? header[0] : header)) throw unauthorized('Invalid or missing CSRF token');
  }
  const session = await ctx.services.sessions.check(check.sessionId, check.accountId);
  if (!session.ok) throw session.why === 'deactivated' ? forbidden('Account deactivated') : unauthorized(session.why === 'ended' ? 'Session ended; sign in again' : 'Invalid user');
  request.sessionId = check.sessionId;
  return session.who;
}

/** preHandler for every route that needs a signed-in admin. */
export function requireCaller(ctx: ApiContext) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    request.caller = await callerFor(ctx, request);
  };
}

export function caller(request: FastifyRequest): Caller {
  if (!request.caller) throw unauthorized('No token provided');
  return request.caller;
}

/** The domain, if the caller may see it (the rule is the domain service's). */
export function domainFor(ctx: ApiContext, who: Caller, domainId: number, write: boolean): Promise<DomainRef & { name: string }> {
  return ctx.services.domains.visible(who, domainId, write);
}
