/**
 * Which failures from below the services stand for a domain error: a store that cannot answer
 * now (full disk, lost connection, busy) is `storeUnavailable`, answered 503, never 500. The
 * doors ask here, so none of them needs to know the store's error codes.
 */
import { storeUnavailable, type DomainError } from '../domain/errors.ts';
import { isStoreUnavailable } from '../store/errors.ts';

/** The domain error a thrown failure stands for, or null when it is a bug (a 500). */
export function asDomainError(error: unknown): DomainError | null {
  return isStoreUnavailable(error) ? storeUnavailable() : null;
}
