/** Rocket.Chat sessions: a random token, stored hashed, sent back as X-Auth-Token with X-User-Id. */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ApiContext } from '../../context.ts';
import { Caller } from '../../../auth/permissions.ts';
import { notLoggedIn } from './errors.ts';
import { accountUsable } from '../../../services/account-state.ts';

export const TOKEN_DAYS = 90;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64');

export async function issueLoginToken(ctx: ApiContext, accountId: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await ctx.store.accounts.addToken(accountId, hashToken(token), new Date(Date.now() + TOKEN_DAYS * 86_400_000).toISOString());
  return token;
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export const hasTokenHeaders = (request: FastifyRequest): boolean => !!header(request, 'x-auth-token');

/** The caller a user ID and token name, or 401 in Rocket.Chat's shape. */
export async function callerForToken(ctx: ApiContext, userId: number, token: string | undefined): Promise<Caller> {
  if (!token || !Number.isInteger(userId) || userId < 1 || userId > 2 ** 31 - 1) throw notLoggedIn();
  const account = await ctx.store.accounts.byToken(userId, hashToken(token));
  if (!account || !(await accountUsable(ctx.store, account))) throw notLoggedIn();
  return new Caller(account.id, account.username, await ctx.store.accounts.grants(account.id));
}

/** The caller the token headers name, or 401 in Rocket.Chat's shape. */
export function rocketCaller(ctx: ApiContext, request: FastifyRequest): Promise<Caller> {
  return callerForToken(ctx, Number(header(request, 'x-user-id')), header(request, 'x-auth-token'));
}

export function currentToken(request: FastifyRequest): string | undefined {
  return header(request, 'x-auth-token');
}
