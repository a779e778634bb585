/** Rocket.Chat sign-in with tokens: POST /login (JSON), GET /me, POST /logout, and TOTP enrolment. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import type { Caller } from '../../../auth/permissions.ts';
import { callerOf, signIn } from '../../../services/sign-in.ts';
import { hasOwnSecondFactor, sendEmailCode, sentRecently } from '../../../auth/second-factor.ts';
import { signInBackend } from '../../../auth/sign-in-backend.ts';
import { currentToken, hashToken, issueLoginToken, rocketCaller } from './session.ts';
import { requireSecondFactor } from './two-factor.ts';
import { accountUsable } from '../../../services/account-state.ts';
import QRCode from 'qrcode';
import { failure, loginChallenge, loginFailed, meteorError, RocketError, userNotActivated } from './errors.ts';
import { newBackupCodes, newTotpSecret, totpFor, totpStep } from '../../../auth/two-factor.ts';

async function meView(ctx: ApiContext, who: Caller) {
  const account = (await ctx.store.accounts.get(who.accountId))!;
  const twoFactor = await ctx.store.accounts.twoFactor(who.accountId);
  return {
    _id: String(account.id), username: account.username, name: account.displayName || account.username,
    emails: account.email ? [{ address: account.email, verified: true }] : [], status: 'online', active: account.active,
    roles: who.isSystemAdmin ? ['admin', 'user'] : ['user'], services: { totp: { enabled: twoFactor.totpEnabled }, email2fa: { enabled: twoFactor.emailEnabled } },
  };
}

/** Rocket.Chat's body forms: {user|username|email, password} or {resume: token}. */
export async function rocketLogin(ctx: ApiContext, request: FastifyRequest, reply: FastifyReply, body: Record<string, unknown>) {
  let who: Caller;
  if (typeof body.resume === 'string') {
    const account = await ctx.store.accounts.byHashedToken(hashToken(body.resume));
    if (!account || !(await accountUsable(ctx.store, account))) throw loginFailed();
    who = await callerOf(ctx.store, account.id, account.username);
  } else {
    const name = body.user ?? body.username ?? body.email;
    if (typeof name !== 'string' || typeof body.password !== 'string') throw loginFailed();
    // grommunio's authmgr set to always_mysql: directory sign-in is off.
    const directory = (await signInBackend(ctx.store)) !== 'always_mysql';
    const result = await signIn(ctx, name, body.password, request.ip, { directory });
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
  await ctx.store.accounts.removeToken(hashToken(currentToken(request)!));
  return { status: 'success', data: { message: "You've been logged out!" } };
}

export function rocketAuthRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/me', async (request) => ({ ...(await meView(ctx, await rocketCaller(ctx, request))), success: true }));

    // TOTP enrolment: a secret and its otpauth:// URI; verifying a code switches it on and hands out backup codes.
    app.post('/users.2fa.enableTotp', async (request) => {
      const who = await rocketCaller(ctx, request);
      // A new secret would switch the current one off: changing TOTP is disabling it (which asks
      // for a current code) and enabling it again.
      if ((await ctx.store.accounts.twoFactor(who.accountId)).totpEnabled) throw meteorError('error-2fa-already-enabled', 'TOTP is already enabled; disable it first, with a current code');
      // Adding a factor beside another one asks for that one: a stolen token must not bring its own.
      if (await hasOwnSecondFactor(ctx, who.accountId)) await requireSecondFactor(ctx, request, who.accountId, { passwordFallback: false });
      const secret = newTotpSecret();
      await ctx.store.accounts.setTotp(who.accountId, secret, false);
      const url = totpFor(secret, who.username).toString();
      // The QR image of the same URI, for an authenticator app's camera.
      const qr = await QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 2, scale: 6 });
      return { secret, url, qr, success: true };
    });

    app.post('/users.2fa.verifyTotp', { schema: { body: Type.Object({ code: Type.String({ maxLength: 20 }) }) } }, async (request) => {
      const who = await rocketCaller(ctx, request);
      const state = await ctx.store.accounts.twoFactor(who.accountId);
      if (state.emailEnabled) await requireSecondFactor(ctx, request, who.accountId, { passwordFallback: false });
      const step = state.totpSecret && !state.totpEnabled ? totpStep(state.totpSecret, request.body.code) : null;
      if (step === null || !(await ctx.store.accounts.claimTotpStep(who.accountId, step))) throw meteorError('totp-invalid', 'TOTP Invalid', { method: 'totp' });
      await ctx.store.accounts.setTotp(who.accountId, state.totpSecret, true);
      const { codes, hashes } = newBackupCodes();
      await ctx.store.accounts.setBackupCodes(who.accountId, hashes);
      await ctx.store.audit.record({ actor: who.username, action: 'account.totp.enable', targetType: 'account', targetId: String(who.accountId), before: null, after: null });
      return { codes, success: true };
    });

    app.post('/users.2fa.enableEmail', async (request) => {
      const who = await rocketCaller(ctx, request);
      const account = (await ctx.store.accounts.get(who.accountId))!;
      if (!ctx.mailer) throw failure('No SMTP server is configured (LDAPSYNC_SMTP_URL), so codes cannot be sent by email');
      if (!account.email) throw failure('This account has no email address to send codes to');
      // Changing the second factors asks for a current one, where there is one.
      if (await hasOwnSecondFactor(ctx, who.accountId)) await requireSecondFactor(ctx, request, who.accountId, { passwordFallback: false });
      await ctx.store.accounts.setEmailTwoFactor(who.accountId, true);
      await ctx.store.audit.record({ actor: who.username, action: 'account.email2fa.enable', targetType: 'account', targetId: String(who.accountId), before: null, after: null });
      return { success: true };
    });

    app.post('/users.2fa.disableEmail', async (request) => {
      const who = await rocketCaller(ctx, request);
      await requireSecondFactor(ctx, request, who.accountId);
      await ctx.store.accounts.setEmailTwoFactor(who.accountId, false);
      await ctx.store.audit.record({ actor: who.username, action: 'account.email2fa.disable', targetType: 'account', targetId: String(who.accountId), before: null, after: null });
      return { success: true };
    });

    // Asks for a fresh code by email; the answer is the same whoever is named, so it reveals no account.
    app.post('/users.2fa.sendEmailCode', { schema: { body: Type.Object({ emailOrUsername: Type.String({ minLength: 1, maxLength: 320 }) }) } }, async (request) => {
      const found = await ctx.store.accounts.credentials(request.body.emailOrUsername);
      const state = found && (await ctx.store.accounts.twoFactor(found.account.id));
      if (found && state && ctx.mailer && found.account.active && found.account.email && state.emailEnabled && !sentRecently(state)) {
        await sendEmailCode(ctx, found.account.id, found.account.email).catch(() => undefined);
      }
      return { success: true };
    });

    app.post('/users.2fa.disableTotp', async (request) => {
      const who = await rocketCaller(ctx, request);
      await requireSecondFactor(ctx, request, who.accountId);
      await ctx.store.accounts.setTotp(who.accountId, null, false);
      await ctx.store.accounts.setBackupCodes(who.accountId, []);
      await ctx.store.audit.record({ actor: who.username, action: 'account.totp.disable', targetType: 'account', targetId: String(who.accountId), before: null, after: null });
      return { success: true };
    });
  };
}
