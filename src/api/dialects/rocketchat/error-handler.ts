/**
 * How the Rocket.Chat dialect answers whatever went wrong: its own errors as they are, domain
 * errors in its shape, and every other refusal as Rocket.Chat does, 400 `{success: false, error}`.
 */
import { domainErrorIn, serverError, validationMessages, type ErrorHandler } from '../../error-replies.ts';
import { RocketError, rocketErrorOf } from './errors.ts';

export const rocketErrorHandler: ErrorHandler = (error, request, reply) => {
  if (error instanceof RocketError) return reply.status(error.status).send(error.body);
  const domain = domainErrorIn(error, request);
  if (domain) {
    const mapped = rocketErrorOf(domain);
    return reply.status(mapped.status).send(mapped.body);
  }
  if (error.statusCode && error.statusCode < 500) {
    return reply.status(400).send({ success: false, error: error.validation ? validationMessages(error).join('; ') : error.message });
  }
  return serverError(error, request, reply);
};
