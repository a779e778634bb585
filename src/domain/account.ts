/** Local accounts (admins, and Rocket.Chat users signed in here) and what they are granted. */
export interface Account { id: number; username: string; displayName: string; email: string | null; active: boolean; createdAt: string; externId: string | null }
/** A permission, scoped by its parameter (an ID, '*' or nothing). */
export interface StoredGrant { permission: string; param: string }
export interface Role { id: number; name: string; description: string; permissions: StoredGrant[] }

/** Rocket.Chat's role for administrators; SystemAdmins are in it. */
export const ADMIN_ROLE = 'admin';

/** An account's second factors as stored: TOTP, its backup codes and the email method. */
export interface TwoFactorState {
  totpSecret: string | null; totpEnabled: boolean; backupCodes: string[]; digestHash: string | null;
  emailEnabled: boolean; emailCode: { hash: string; expires: string } | null;
}
