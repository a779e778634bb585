/** grommunio's POST /login (form fields user, pass, and code for a second factor), POST /logout and GET /profile. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { issueToken, SESSION_SECONDS } from '../../../auth/tokens.ts';
import type { Caller } from '../../../auth/permissions.ts';
import { EmailCodeNotSent, type SecondFactorChallenge } from '../../../auth/second-factor.ts';
import { caller, callerFor, COOKIE, requireCaller } from './session.ts';
import { badRequest, forbidden, loginFailed, tooManyAttempts, unauthorized } from './errors.ts';

const LoginBody = Type.Object({
  user: Type.Optional(Type.String({ maxLength: 320 })),
  pass: Type.Optional(Type.String({ maxLength: 1024 })),
  /** The second factor's code (TOTP, a backup code, or a mailed code), where the account has one. */
  code: Type.Optional(Type.String({ maxLength: 64 })),
}, { additionalProperties: true });

function setSessionCookie(ctx: ApiContext, request: FastifyRequest, reply: FastifyReply, jwt: string): void {
  const secure = ctx.config.secureCookies === 'always' || (ctx.config.secureCookies === 'auto' && request.protocol === 'https');
  reply.setCookie(COOKIE, jwt, { path: '/', httpOnly: true, sameSite: 'strict', secure, maxAge: SESSION_SECONDS });
}

const header = (request: FastifyRequest, name: string): string => {
  const v = request.headers[name];
  return String((Array.isArray(v) ? v[0] : v) ?? '');
};

const SECOND_FACTOR_WORDS: Record<SecondFactorChallenge['kind'], string> = {
  required: 'This account has a second factor: send its code in the form field "code" or the X-2fa-Code header',
  invalid: 'The second factor\'s code is wrong or was used already',
  locked: 'Too many wrong codes: the second factor is locked for a while',
};

/** Checks user and pass, then the account's own second factor (TOTP or email), as every door does. */
async function passwordSignIn(ctx: ApiContext, request: FastifyRequest, user: string, pass: string, code: string | undefined): Promise<Caller> {
  const result = await ctx.services.signIn.password(user, pass, request.ip, { directory: false });
  if (!result.ok) {
    if (result.kind === 'locked') throw tooManyAttempts(result.retryAfterSeconds);
    if (result.kind === 'deactivated') throw forbidden('Account deactivated');
    throw unauthorized('Invalid username or password');
  }
  let check;
  try {
    check = await ctx.services.secondFactors.check(result.who.accountId, { method: header(request, 'x-2fa-method'), code: code ?? header(request, 'x-2fa-code'), passwordFallback: false });
  } catch (e) {
    if (e instanceof EmailCodeNotSent) throw loginFailed(e.message);
    throw e;
  }
  if (!check.ok) throw loginFailed(`${SECOND_FACTOR_WORDS[check.kind]} (method: ${check.method}${check.codeGenerated ? '; a code was mailed' : ''})`);
  return result.who;
}

export const LOGIN_SCHEMA = { body: Type.Optional(LoginBody), summary: 'Sign in (grommunio form fields user and pass)' };

/** POST /login: the form sign-in, or with no form, the renewal of a valid cookie's session. */
export async function grommunioLogin(ctx: ApiContext, request: FastifyRequest, reply: FastifyReply) {
  const body = (request.body ?? {}) as Static<typeof LoginBody>;
  let who: Caller;
  let sessionId: string;
  const expires = new Date(Date.now() + SESSION_SECONDS * 1000).toISOString();
  if (body.user === undefined && body.pass === undefined) {
    // No form: renew the session of a valid cookie, as grommunio does (admin-web sends no CSRF header here).
    who = await callerFor(ctx, request, { csrf: false });
    sessionId = request.sessionId!;
    await ctx.services.sessions.extend(sessionId, expires);
  } else {
    if (!body.user || body.pass === undefined) throw badRequest([!body.user ? "body: 'user' is required" : "body: 'pass' is required"]);
    who = await passwordSignIn(ctx, request, body.user, body.pass, body.code);
    sessionId = await ctx.services.sessions.open(who.accountId, expires);
  }
  const { jwt, csrf } = await issueToken(ctx.keys, who.accountId, who.username, sessionId);
  setSessionCookie(ctx, request, reply, jwt);
  return { grommunioAuthJwt: jwt, csrf };
}

export async function grommunioLogout(ctx: ApiContext, request: FastifyRequest, reply: FastifyReply) {
  await callerFor(ctx, request);
  await ctx.services.sessions.close(request.sessionId!);
  reply.clearCookie(COOKIE, { path: '/' });
  return { message: 'Signed out' };
}

export function profileRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/profile', { preHandler: requireCaller(ctx) }, async (request) => {
      const who = caller(request);
      const { account } = await ctx.services.sessions.own(who);
      return { user: { username: who.username, realName: account?.displayName ?? '' }, capabilities: who.capabilities() };
    });
  };
}
