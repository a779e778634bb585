/** POST /login (form fields user, pass), GET /profile, POST /logout. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { issueToken, SESSION_SECONDS } from '../../../auth/tokens.ts';
import { verifyPassword } from '../../../auth/passwords.ts';
import { Caller } from '../../../auth/permissions.ts';
import { caller, callerFor, COOKIE, requireCaller } from '../../grommunio/session.ts';
import { badRequest, tooManyAttempts, unauthorized } from '../../grommunio/errors.ts';
import { rocketLogin, rocketLogout } from '../rocketchat/auth.ts';
import { hasTokenHeaders } from '../../rocketchat/session.ts';

const LoginBody = Type.Object({
  user: Type.Optional(Type.String({ maxLength: 320 })),
  pass: Type.Optional(Type.String({ maxLength: 1024 })),
}, { additionalProperties: true });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setSessionCookie(ctx: ApiContext, request: FastifyRequest, reply: FastifyReply, jwt: string): void {
  const secure = ctx.config.secureCookies === 'always' || (ctx.config.secureCookies === 'auto' && request.protocol === 'https');
  reply.setCookie(COOKIE, jwt, { path: '/', httpOnly: true, sameSite: 'strict', secure, maxAge: SESSION_SECONDS });
}

/** Checks a password sign-in, slowed and then refused after repeated failures. */
export async function signIn(ctx: ApiContext, username: string, password: string, address: string): Promise<Caller> {
  const keys = [`user:${username.toLowerCase()}`, `ip:${address}`];
  const locked = ctx.throttle.lockedFor(keys);
  if (locked > 0) throw tooManyAttempts(Math.ceil(locked / 1000));
  await sleep(ctx.throttle.delayFor(keys));
  const found = await ctx.store.accounts.credentials(username);
  const ok = await verifyPassword(password, found?.passwordHash ?? null);
  const who = found && ok ? new Caller(found.account.id, found.account.username, await ctx.store.accounts.grants(found.account.id)) : null;
  if (!who || !found?.account.active || !who.isAdmin) {
    ctx.throttle.failed(keys);
    throw unauthorized('Invalid username or password');
  }
  ctx.throttle.succeeded(keys);
  return who;
}

export function loginRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/login', { schema: { body: Type.Optional(LoginBody), summary: 'Sign in (grommunio form fields user and pass)' } }, async (request, reply) => {
      const body = request.body ?? {};
      // One path, two dialects: Rocket.Chat signs in with JSON {user|username, password} or {resume}.
      if ('password' in body || 'resume' in body || 'username' in body) return rocketLogin(ctx, request, reply, body);
      let who: Caller;
      if (body.user === undefined && body.pass === undefined) {
        // No form: refresh the session of a valid cookie, as grommunio does (admin-web sends no CSRF header here).
        who = await callerFor(ctx, request, { csrf: false });
      } else {
        if (!body.user || body.pass === undefined) throw badRequest([!body.user ? "body: 'user' is required" : "body: 'pass' is required"]);
        who = await signIn(ctx, body.user, body.pass, request.ip);
      }
      const { jwt, csrf } = await issueToken(ctx.keys, who.accountId, who.username);
      setSessionCookie(ctx, request, reply, jwt);
      return { grommunioAuthJwt: jwt, csrf };
    });

    app.post('/logout', async (request, reply) => {
      if (hasTokenHeaders(request)) return rocketLogout(ctx, request);
      await callerFor(ctx, request);
      reply.clearCookie(COOKIE, { path: '/' });
      return { message: 'Signed out' };
    });

    app.get('/profile', { preHandler: requireCaller(ctx) }, async (request) => {
      const who = caller(request);
      const account = await ctx.store.accounts.get(who.accountId);
      return { user: { username: who.username, realName: account?.displayName ?? '' }, capabilities: who.capabilities() };
    });
  };
}
