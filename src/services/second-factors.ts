/**
 * An account's own second factors: TOTP (enrol, confirm, switch off) and codes by email. Each
 * change that needs proof of a current factor takes it as `prove`, the door's own check (its
 * headers, its challenge shape); the change and its audit entry are said here once.
 */
import type { Caller } from '../auth/permissions.ts';
import { checkSecondFactor, hasOwnSecondFactor, sendEmailCode, sentRecently, type SecondFactorAsk, type SecondFactorDeps, type SecondFactorResult } from '../auth/second-factor.ts';
import { newBackupCodes, newTotpSecret, totpFor, totpStep } from '../auth/two-factor.ts';
import { DomainError, invalidInput } from '../domain/errors.ts';

/** The door's check of a current second factor; throws when it is missing or wrong. */
export type Prove = () => Promise<void>;

export const totpAlreadyEnabled = () => new DomainError('TOTP_ALREADY_ENABLED', 'invalid', 'TOTP is already enabled; disable it first, with a current code');
export const totpInvalid = () => new DomainError('TOTP_INVALID', 'invalid', 'TOTP Invalid');

export class SecondFactorService {
  private readonly deps: SecondFactorDeps;
  constructor(deps: SecondFactorDeps) { this.deps = deps; }

  private get store() { return this.deps.store; }

  private audit(who: Caller, action: string): Promise<void> {
    return this.store.audit.record({ actor: who.username, action, targetType: 'account', targetId: String(who.accountId), before: null, after: null });
  }

  /** A new TOTP secret, not yet switched on; adding a factor beside another asks for that one. */
  async startTotp(who: Caller, prove: Prove): Promise<{ secret: string; url: string }> {
    // A new secret would switch the current one off: changing TOTP is disabling it (which asks
    // for a current code) and enabling it again.
    if ((await this.store.accounts.twoFactor(who.accountId)).totpEnabled) throw totpAlreadyEnabled();
    // A stolen token must not bring its own factor.
    if (await hasOwnSecondFactor(this.deps, who.accountId)) await prove();
    const secret = newTotpSecret();
    await this.store.accounts.setTotp(who.accountId, secret, false);
    return { secret, url: totpFor(secret, who.username).toString() };
  }

  /** A code from the new secret switches TOTP on; the answer is the backup codes, shown once. */
  async confirmTotp(who: Caller, code: string, prove: Prove): Promise<string[]> {
    const state = await this.store.accounts.twoFactor(who.accountId);
    if (state.emailEnabled) await prove();
    const step = state.totpSecret && !state.totpEnabled ? totpStep(state.totpSecret, code) : null;
    if (step === null || !(await this.store.accounts.claimTotpStep(who.accountId, step))) throw totpInvalid();
    await this.store.accounts.setTotp(who.accountId, state.totpSecret, true);
    const { codes, hashes } = newBackupCodes();
    await this.store.accounts.setBackupCodes(who.accountId, hashes);
    await this.audit(who, 'account.totp.enable');
    return codes;
  }

  async disableTotp(who: Caller, prove: Prove): Promise<void> {
    await prove();
    await this.store.accounts.setTotp(who.accountId, null, false);
    await this.store.accounts.setBackupCodes(who.accountId, []);
    await this.audit(who, 'account.totp.disable');
  }

  async enableEmail(who: Caller, prove: Prove): Promise<void> {
    const account = (await this.store.accounts.get(who.accountId))!;
    if (!this.deps.mailer) throw invalidInput([], 'No SMTP server is configured (LDAPSYNC_SMTP_URL), so codes cannot be sent by email');
    if (!account.email) throw invalidInput([], 'This account has no email address to send codes to');
    // Changing the second factors asks for a current one, where there is one.
    if (await hasOwnSecondFactor(this.deps, who.accountId)) await prove();
    await this.store.accounts.setEmailTwoFactor(who.accountId, true);
    await this.audit(who, 'account.email2fa.enable');
  }

  async disableEmail(who: Caller, prove: Prove): Promise<void> {
    await prove();
    await this.store.accounts.setEmailTwoFactor(who.accountId, false);
    await this.audit(who, 'account.email2fa.disable');
  }

  /** Whether the account's own second factor (if it has one) is proven by what the door was sent. */
  check(accountId: number, ask: SecondFactorAsk): Promise<SecondFactorResult> {
    return checkSecondFactor(this.deps, accountId, ask);
  }

  /** Mails a fresh code where the account has the email method; says nothing about who exists. */
  async requestEmailCode(emailOrUsername: string): Promise<void> {
    const found = await this.store.accounts.credentials(emailOrUsername);
    const state = found && (await this.store.accounts.twoFactor(found.account.id));
    if (found && state && this.deps.mailer && found.account.active && found.account.email && state.emailEnabled && !sentRecently(state)) {
      await sendEmailCode(this.deps, found.account.id, found.account.email).catch(() => undefined);
    }
  }
}
