/** Rocket.Chat sessions: a random token, stored hashed, sent back as X-Auth-Token with X-User-Id. */
import type { FastifyRequest } from 'fastify';
import type { ApiContext } from '../../context.ts';
import type { Caller } from '../../../auth/permissions.ts';
import { notLoggedIn } from './errors.ts';

export function issueLoginToken(ctx: ApiContext, accountId: number): Promise<string> {
  return ctx.services.sessions.issueToken(accountId);
}
const header = (request: FastifyRequest, name: string): string | undefined => {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export const hasTokenHeaders = (request: FastifyRequest): boolean => !!header(request, 'x-auth-token');

/** The caller a user ID and token name, or 401 in Rocket.Chat's shape. */
export async function callerForToken(ctx: ApiContext, userId: number, token: string | undefined): Promise<Caller> {
  if (!token || !Number.isInteger(userId) || userId < 1 || userId > 2 ** 31 - 1) throw notLoggedIn();
  const who = await ctx.services.sessions.byToken(userId, token);
  if (!who) throw notLoggedIn();
  return who;
}

/** The caller the token headers name, or 401 in Rocket.Chat's shape. */
export function rocketCaller(ctx: ApiContext, request: FastifyRequest): Promise<Caller> {
  return callerForToken(ctx, Number(header(request, 'x-user-id')), header(request, 'x-auth-token'));
}

export function currentToken(request: FastifyRequest): string | undefined {
  return header(request, 'x-auth-token');
}
