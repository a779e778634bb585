/** Rocket.Chat sign-in with tokens: POST /login (JSON), GET /me, POST /logout, and TOTP enrolment. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import type { Caller } from '../../../auth/permissions.ts';
import { currentToken, issueLoginToken, rocketCaller } from './session.ts';
import { requireSecondFactor } from './two-factor.ts';
import QRCode from 'qrcode';
import { failure, loginChallenge, loginFailed, RocketError, userNotActivated } from './errors.ts';

async function meView(ctx: ApiContext, who: Caller) {
  const own = await ctx.services.sessions.own(who);
  const account = own.account!;
  return {
    _id: String(account.id), username: account.username, name: account.displayName || account.username,
    emails: account.email ? [{ address: account.email, verified: true }] : [], status: 'online', active: account.active,
    roles: who.isSystemAdmin ? ['admin', 'user'] : ['user'], services: { totp: { enabled: own.totpEnabled }, email2fa: { enabled: own.emailEnabled } },
  };
}

/** Rocket.Chat's body forms: {user|username|email, password} or {resume: token}. */
export async function rocketLogin(ctx: ApiContext, request: FastifyRequest, reply: FastifyReply, body: Record<string, unknown>) {
  let who: Caller;
  if (typeof body.resume === 'string') {
    const resumed = await ctx.services.sessions.byResumeToken(body.resume);
    if (!resumed) throw loginFailed();
    who = resumed;
  } else {
    const name = body.user ?? body.username ?? body.email;
    if (typeof name !== 'string' || typeof body.password !== 'string') throw loginFailed();
    // grommunio's authmgr set to always_mysql: directory sign-in is off.
    const directory = (await ctx.services.settings.signInBackend()) !== 'always_mysql';
    const result = await ctx.services.signIn.password(name, body.password, request.ip, { directory });
    if (!result.ok) {
      if (result.kind === 'locked') throw failure('error-too-many-requests');
      if (result.kind === 'deactivated') throw userNotActivated();
      throw loginFailed();
    }
    who = result.who;
    // A switched-on TOTP or email method is asked for at sign-in too, as Rocket.Chat does, in its
    // sign-in failure shape: 401 {status: 'error', error: <type>, details, message: <reason>}.
    try {
      await requireSecondFactor(ctx, request, who.accountId, { passwordFallback: false, code: typeof body.code === 'string' ? body.code : undefined });
    } catch (e) {
      throw e instanceof RocketError ? loginChallenge(e) : e;
    }
  }
  const authToken = await issueLoginToken(ctx, who.accountId);
  return reply.send({ status: 'success', data: { userId: String(who.accountId), authToken, me: await meView(ctx, who) } });
}

export async function rocketLogout(ctx: ApiContext, request: FastifyRequest) {
  await rocketCaller(ctx, request);
  await ctx.services.sessions.revokeToken(currentToken(request)!);
  return { status: 'success', data: { message: "You've been logged out!" } };
}

export function rocketAuthRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  const factors = ctx.services.secondFactors;
  /** Rocket.Chat's check of a current factor (x-2fa-code, x-2fa-method); `password` lets the password method count. */
  const proveFor = (request: FastifyRequest, who: Caller, password: boolean) => () => requireSecondFactor(ctx, request, who.accountId, password ? {} : { passwordFallback: false });
  return async (app) => {
    app.get('/me', async (request) => ({ ...(await meView(ctx, await rocketCaller(ctx, request))), success: true }));

    // TOTP enrolment: a secret and its otpauth:// URI; verifying a code switches it on and hands out backup codes.
    app.post('/users.2fa.enableTotp', async (request) => {
      const who = await rocketCaller(ctx, request);
      const { secret, url } = await factors.startTotp(who, proveFor(request, who, false));
      // The QR image of the same URI, for an authenticator app's camera.
      const qr = await QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 2, scale: 6 });
      return { secret, url, qr, success: true };
    });

    app.post('/users.2fa.verifyTotp', { schema: { body: Type.Object({ code: Type.String({ maxLength: 20 }) }) } }, async (request) => {
      const who = await rocketCaller(ctx, request);
      return { codes: await factors.confirmTotp(who, request.body.code, proveFor(request, who, false)), success: true };
    });

    app.post('/users.2fa.enableEmail', async (request) => {
      const who = await rocketCaller(ctx, request);
      await factors.enableEmail(who, proveFor(request, who, false));
      return { success: true };
    });

    app.post('/users.2fa.disableEmail', async (request) => {
      const who = await rocketCaller(ctx, request);
      await factors.disableEmail(who, proveFor(request, who, true));
      return { success: true };
    });

    // Asks for a fresh code by email; the answer is the same whoever is named, so it reveals no account.
    app.post('/users.2fa.sendEmailCode', { schema: { body: Type.Object({ emailOrUsername: Type.String({ minLength: 1, maxLength: 320 }) }) } }, async (request) => {
      await factors.requestEmailCode(request.body.emailOrUsername);
      return { success: true };
    });

    app.post('/users.2fa.disableTotp', async (request) => {
      const who = await rocketCaller(ctx, request);
      await factors.disableTotp(who, proveFor(request, who, true));
      return { success: true };
    });
  };
}
