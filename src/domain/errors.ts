/**
 * The domain's error catalogue: what went wrong, said once, without any dialect's shape. Each
 * dialect maps the kind to its own answer (grommunio's `{message, errors}`, Rocket.Chat's
 * `{success: false, error}`), so a refusal reads the same whichever door it came through.
 */
export type ErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'too-many' | 'unavailable' | 'failed';

export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 400, unauthenticated: 401, forbidden: 403, 'not-found': 404, conflict: 409, 'too-many': 429, unavailable: 503, failed: 500,
};

export class DomainError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  /** For `invalid`: each problem, said so that the caller can fix it. */
  readonly details: string[];
  constructor(code: string, kind: ErrorKind, message: string, details: string[] = []) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.kind = kind;
    this.details = details;
  }
  get status(): number { return STATUS_OF_KIND[this.kind]; }
}

export const invalidInput = (details: string[], message = 'Bad Request') => new DomainError('INVALID_INPUT', 'invalid', message, details);
export const storeUnavailable = () => new DomainError('STORE_UNAVAILABLE', 'unavailable', 'The database cannot take this request now (it is unreachable or full); try again later');
export const notPermitted = (message = 'insufficient permissions') => new DomainError('FORBIDDEN', 'forbidden', message);
export const notFound = (message: string) => new DomainError('NOT_FOUND', 'not-found', message);
export const conflict = (message: string) => new DomainError('CONFLICT', 'conflict', message);

/**
 * Something the caller may not see is answered 403 whether it exists or not, so IDs of other
 * tenants cannot be probed; only a caller who may read the whole system learns it is missing.
 */
export const missingFor = (mayReadSystem: boolean, message: string) => (mayReadSystem ? notFound(message) : notPermitted());

/** A run's or a task's failure, by the HTTP-like code the engine gives it. */
export function errorOfCode(code: number, message: string): DomainError {
  if (code === 404) return new DomainError('NOT_FOUND', 'not-found', message);
  if (code === 503) return new DomainError('UNAVAILABLE', 'unavailable', message);
  if (code === 400) return invalidInput([message], message);
  if (code === 409) return conflict(message);
  return new DomainError('FAILED', 'failed', message);
}
