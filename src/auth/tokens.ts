/** Session tokens: a signed JWT for the cookie and a CSRF token bound to it. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Keys } from './keys.ts';

export const SESSION_SECONDS = 7 * 24 * 3600;

export type TokenCheck = { ok: true; accountId: number; sessionId: string } | { ok: false; error: string };

/** A signed token for a session the store keeps (`sessionId`), so that signing out ends it. */
export async function issueToken(keys: Keys, accountId: number, username: string, sessionId: string): Promise<{ jwt: string; csrf: string }> {
  const jwt = await new SignJWT({ usr: username, sid: sessionId })
    .setProtectedHeader({ alg: 'HS256' }).setSubject(String(accountId)).setIssuedAt().setExpirationTime(`${SESSION_SECONDS}s`)
    .sign(keys.jwt);
  return { jwt, csrf: csrfFor(keys, jwt) };
}

export function csrfFor(keys: Keys, jwt: string): string {
  return createHmac('sha256', keys.csrf).update(jwt).digest('base64url');
}

export function csrfMatches(keys: Keys, jwt: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(csrfFor(keys, jwt));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Tokens that verified, by their text, per key set. The console and grommunio's admin-web poll
 * task status with the same token many times a second, and each check was an HMAC that WebCrypto
 * runs as a job on the thread pool, a third of such a request's CPU. Only a token that verified
 * is kept, so only its very text finds it; its expiry is checked on every use, and the session it
 * names is still looked up in the store for each request (signing out ends it at once).
 */
const verified = new WeakMap<Keys, Map<string, { accountId: number; sessionId: string; expiresAtMs: number }>>();
const VERIFIED_KEPT = 1000;

/** Verifies a JWT; the error strings are grommunio's. */
export async function checkToken(keys: Keys, jwt: string | undefined): Promise<TokenCheck> {
  if (!jwt) return { ok: false, error: 'No token provided' };
  let known = verified.get(keys);
  const hit = known?.get(jwt);
  if (hit) {
    known!.delete(jwt);
    // As jose decides: expired once the clock reaches `exp`.
    if (Date.now() < hit.expiresAtMs) {
      // Kept as the newest: a run of fresh sign-ins pushes out the tokens least used, not a poll's.
      known!.set(jwt, hit);
      return { ok: true, accountId: hit.accountId, sessionId: hit.sessionId };
    }
    return { ok: false, error: 'Token has expired' };
  }
  try {
    const { payload } = await jwtVerify(jwt, keys.jwt, { algorithms: ['HS256'] });
    const accountId = Number(payload.sub);
    const sessionId = payload.sid;
    if (!Number.isInteger(accountId) || typeof sessionId !== 'string') return { ok: false, error: 'invalid token' };
    if (typeof payload.exp === 'number') {
      if (!known) verified.set(keys, (known = new Map()));
      if (known.size >= VERIFIED_KEPT) known.delete(known.keys().next().value!);
      known.set(jwt, { accountId, sessionId, expiresAtMs: payload.exp * 1000 });
    }
    return { ok: true, accountId, sessionId };
  } catch (e) {
    if (e instanceof errors.JWTExpired) return { ok: false, error: 'Token has expired' };
    if (e instanceof errors.JWSSignatureVerificationFailed) return { ok: false, error: 'Invalid token signature' };
    return { ok: false, error: 'invalid token' };
  }
}
