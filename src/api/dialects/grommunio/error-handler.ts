/** How the grommunio dialect answers whatever went wrong: its own errors as they are, domain errors in its shape. */
import { domainErrorIn, plainErrorHandler, type ErrorHandler } from '../../error-replies.ts';
import { GrommunioError, grommunioErrorOf } from './errors.ts';

export const grommunioErrorHandler: ErrorHandler = (error, request, reply) => {
  if (error instanceof GrommunioError) return reply.status(error.status).send(error.body);
  const domain = domainErrorIn(error, request);
  if (domain) {
    const mapped = grommunioErrorOf(domain);
    return reply.status(mapped.status).send(mapped.body);
  }
  // Validation and other client errors read as grommunio's: `{message, errors}` and `{message}`.
  return plainErrorHandler(error, request, reply);
};
