/** The Rocket.Chat dialect's error catalogue: every error this dialect sends has its shape here. */
import type { DomainError } from '../../../domain/errors.ts';

export class RocketError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** A Meteor.Error's reason, kept apart from the "<reason> [<type>]" text the body carries. */
  readonly reason: string | null;
  constructor(status: number, body: Record<string, unknown>, reason: string | null = null) {
    super(String(body.error));
    this.status = status;
    this.body = body;
    this.reason = reason;
  }
}

const NOT_LOGGED_IN = 'You must be logged in to do this.';

export const notLoggedIn = () => new RocketError(401, { success: false, status: 'error', message: NOT_LOGGED_IN, error: NOT_LOGGED_IN });

/** A plain failure, as Rocket.Chat answers `new Error(text)`: 400 `{success: false, error}`. */
export const failure = (error: string, details?: Record<string, unknown>) => new RocketError(400, { success: false, error, ...(details ? { details } : {}) });

/** A Meteor.Error: `"<reason> [<error>]"` with `errorType` and `details`. */
export const meteorError = (errorType: string, reason: string, details?: Record<string, unknown>) =>
  new RocketError(400, { success: false, error: `${reason} [${errorType}]`, errorType, ...(details ? { details } : {}) }, reason);

/** A Meteor.Error at sign-in, as Rocket.Chat's /login answers it: 401 with the error's type, reason and details. */
export function loginChallenge(e: RocketError): RocketError {
  const type = String(e.body.errorType ?? 'Unauthorized');
  return new RocketError(401, { status: 'error', error: type, message: e.reason ?? String(e.body.error ?? 'Unauthorized'), ...(e.body.details ? { details: e.body.details } : {}) });
}

/** Rocket.Chat's answer for a user who exists but is deactivated. */
export const userNotActivated = () => new RocketError(401, { status: 'error', error: 'error-user-is-not-activated', message: 'User is not activated' });

export const loginFailed = () => new RocketError(401, { status: 'error', message: 'Unauthorized', error: 'Unauthorized' });

export const missingPermission = () => new RocketError(403, { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' });

/** Domain errors Rocket.Chat sends as a Meteor.Error of its own type. */
const METEOR_ERRORS: Record<string, (e: DomainError) => RocketError> = {
  TOTP_ALREADY_ENABLED: (e) => meteorError('error-2fa-already-enabled', e.message),
  TOTP_INVALID: () => meteorError('totp-invalid', 'TOTP Invalid', { method: 'totp' }),
};

/** A domain error in Rocket.Chat's shape: `{success: false, error}`, its 401 and 403 as it sends them. */
export function rocketErrorOf(e: DomainError): RocketError {
  const meteor = METEOR_ERRORS[e.code];
  if (meteor) return meteor(e);
  if (e.kind === 'unauthenticated') return notLoggedIn();
  if (e.kind === 'forbidden') return missingPermission();
  const error = e.kind === 'invalid' && e.details.length ? e.details.join('; ') : e.message;
  return new RocketError(e.kind === 'invalid' || e.kind === 'not-found' || e.kind === 'conflict' ? 400 : e.status, { success: false, error });
}
