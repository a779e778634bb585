/**
 * Who is calling, in whichever dialect the request speaks: Rocket.Chat's token headers (or its
 * rc_uid/rc_token query or cookies, for an <img> that cannot send headers), else grommunio's cookie
 * or bearer.
 */
import type { FastifyRequest } from 'fastify';
import type { ApiContext } from '../../context.ts';
import { callerFor } from '../grommunio/session.ts';
import { callerForToken, hasTokenHeaders, rocketCaller } from './session.ts';
import type { Caller } from '../../../auth/permissions.ts';
import { notLoggedIn } from './errors.ts';

export async function anyCaller(ctx: ApiContext, request: FastifyRequest): Promise<Caller> {
  if (hasTokenHeaders(request)) return rocketCaller(ctx, request);
  const query = request.query as { rc_uid?: unknown; rc_token?: unknown } | undefined;
  if (typeof query?.rc_token === 'string' && typeof query.rc_uid === 'string') return callerForToken(ctx, Number(query.rc_uid), query.rc_token);
  // Rocket.Chat's web client keeps the session in the rc_uid and rc_token cookies, which an <img> sends.
  const { rc_uid: cookieUid, rc_token: cookieToken } = request.cookies;
  if (cookieUid && cookieToken) return callerForToken(ctx, Number(cookieUid), cookieToken);
  try {
    return await callerFor(ctx, request);
  } catch {
    throw notLoggedIn();
  }
}

/** A user is visible to an admin of its domain and to the person themselves. */
export function canSeeUser(ctx: ApiContext, who: Caller, user: { domainId: number; username: string }): Promise<boolean> {
  return ctx.services.domains.canSeeUser(who, user);
}
