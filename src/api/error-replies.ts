/**
 * What every dialect's error handler shares: the domain error an error stands for (a store that
 * cannot answer is one), and Fastify's validation failures as sentences a caller can act on.
 * The shapes are each dialect's own; the answer outside any dialect (the console, the OpenAPI
 * document, health checks) is the plain `{message}`.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.ts';
import { asDomainError } from '../services/failures.ts';

export type ErrorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => FastifyReply;

export function validationMessages(error: FastifyError): string[] {
  const list = error.validation ?? [];
  if (!list.length) return [error.message];
  return list.map((v) => {
    const where = `${error.validationContext ?? 'request'}${v.instancePath ? v.instancePath.replace(/\//g, '.') : ''}`;
    const params = v.params as Record<string, unknown>;
    if (v.keyword === 'additionalProperties') return `${where}: unknown field '${String(params.additionalProperty)}'`;
    if (v.keyword === 'required') return `${where}: '${String(params.missingProperty)}' is required`;
    return `${where} ${v.message ?? 'is invalid'}`;
  });
}

/** The domain error this error is, if it is one; an unavailable store is logged, as nobody else sees why. */
export function domainErrorIn(error: unknown, request: FastifyRequest): DomainError | null {
  const domain = error instanceof DomainError ? error : asDomainError(error);
  if (domain?.kind === 'unavailable') request.log.warn({ err: error }, domain.message);
  return domain;
}

export function serverError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  request.log.error({ err: error }, 'request failed');
  return reply.status(500).send({ message: 'The server encountered an error while processing the request.' });
}

/** Bad input as `{message, errors}`, another refusal as `{message}`, anything else a logged 500. */
export const plainErrorHandler: ErrorHandler = (error, request, reply) => {
  const domain = domainErrorIn(error, request);
  if (domain) return reply.status(domain.status).send(domain.kind === 'invalid' ? { message: domain.message, errors: domain.details.length ? domain.details : [domain.message] } : { message: domain.message });
  if (error.validation) return reply.status(400).send({ message: 'Bad Request', errors: validationMessages(error) });
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return reply.status(error.statusCode).send({ message: error.message });
  return serverError(error, request, reply);
};
