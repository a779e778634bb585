/** Second factors as Rocket.Chat knows them: TOTP (with one-time backup codes) and the password digest. */
import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function totpFor(secret: string, label: string): TOTP {
  return new TOTP({ issuer: 'ldapsync', label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
}

const PERIOD_SECONDS = 30;

/**
 * The time step a code belongs to, for a code of this period or its neighbours (clock drift of up
 * to 30 s either way), or null. The caller claims the step, so that a code works only once.
 */
export function totpStep(secret: string, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secret, 'x').validate({ token: code, window: 1, timestamp: now });
  return delta === null ? null : Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
}

/** Ten one-time backup codes, shown once; only their hashes are kept. */
export function newBackupCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: 10 }, () => randomBytes(4).toString('hex'));
  return { codes, hashes: codes.map(sha256Hex) };
}
