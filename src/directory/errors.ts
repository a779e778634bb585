/** Directory failures, each saying whether the directory was unreachable or refused us. */
import { explainLdapError, type ErrorContext } from './ldap-result-codes.ts';

/** `config`: the server answered, and the answer means the source is set up wrong (a base DN that does not exist, StartTLS where there is none). */
import type { DirectoryFailure } from './failure.ts';
export type { DirectoryFailure };

export class DirectoryError extends Error {
  readonly failure: DirectoryFailure;
  constructor(failure: DirectoryFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DirectoryError';
    this.failure = failure;
  }
}

/**
 * The server answered and said no (an operation error, or a result that names a setting to fix),
 * as opposed to not answering at all: what a probe of a feature takes to mean "not here".
 */
export function isRefusal(e: unknown): e is DirectoryError {
  return e instanceof DirectoryError && (e.failure === 'search' || e.failure === 'config');
}

/** Turns whatever a socket or ldapts threw into a DirectoryError with a message for admins. */
export function classify(error: unknown, server: string, phase: 'connect' | 'bind' | 'search', context: Omit<ErrorContext, 'server' | 'phase'> = {}): DirectoryError {
  if (error instanceof DirectoryError) return error;
  const explained = explainLdapError(error, { server, phase, ...context });
  if (explained) return new DirectoryError(explained.failure, explained.message, { cause: error });
  const err = error as Error & { code?: string | number };
  const text = err?.message ?? String(error);
  const code = typeof err?.code === 'string' ? err.code : '';
  if (/timeout|timed out/i.test(text) || code === 'ETIMEDOUT') return new DirectoryError('timeout', `${server}: ${phase} timed out`, { cause: error });
  if (/certificate|self[- ]signed|CERT_|SSL|TLS/i.test(text + code)) return new DirectoryError('tls', `${server}: TLS failed: ${text}`, { cause: error });
  if (err?.name === 'InvalidCredentialsError') return new DirectoryError('bind', `${server}: bind refused: invalid credentials`, { cause: error });
  if (phase === 'bind' && err?.name?.endsWith('Error') && err.name !== 'Error') return new DirectoryError('bind', `${server}: bind refused: ${text}`, { cause: error });
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(code) || /closed|socket|connect/i.test(text))
    return new DirectoryError('unreachable', `${server}: ${phase} failed: ${text}`, { cause: error });
  return new DirectoryError(phase === 'search' ? 'search' : 'unreachable', `${server}: ${phase} failed: ${text}`, { cause: error });
}
