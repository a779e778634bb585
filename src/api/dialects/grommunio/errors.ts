/** The grommunio dialect's error catalogue: every error this dialect sends has its shape here. */
import type { DomainError } from '../../../domain/errors.ts';

export class GrommunioError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, body: Record<string, unknown>) {
    super(String(body.message));
    this.status = status;
    this.body = body;
  }
}

export const badRequest = (errors: string[], message = 'Bad Request') => new GrommunioError(400, { message, errors });
export const unauthorized = (error: string) => new GrommunioError(401, { message: 'Access denied', error });
export const loginFailed = (error: string) => new GrommunioError(401, { message: 'Login failed', error });
export const tooManyAttempts = (seconds: number) => new GrommunioError(429, { message: `Too many failed sign-ins; try again in ${seconds} s` });
export const forbidden = (reason = 'insufficient permissions') => new GrommunioError(403, { message: `Access denied: ${reason}` });
export const notFound = (message: string) => new GrommunioError(404, { message });
export const conflict = (message: string) => new GrommunioError(409, { message });
export const unavailable = (message: string) => new GrommunioError(503, { message });
export const serverError = (message: string) => new GrommunioError(500, { message });

/** An error from the engine or a task, by its HTTP-like code. */
export function fromCode(code: number, message: string): GrommunioError {
  if (code === 404) return notFound(message);
  if (code === 503) return unavailable(message);
  if (code === 400) return badRequest([message], message);
  if (code === 409) return conflict(message);
  return serverError(message);
}

/** A domain error in grommunio's shape: `{message, errors}` for bad input, `{message}` otherwise. */
export function grommunioErrorOf(e: DomainError): GrommunioError {
  if (e.kind === 'invalid') return badRequest(e.details.length ? e.details : [e.message], e.message);
  if (e.kind === 'unauthenticated') return unauthorized(e.message);
  if (e.kind === 'forbidden') return forbidden(e.message);
  return new GrommunioError(e.status, { message: e.message });
}
