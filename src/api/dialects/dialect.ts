/**
 * What a dialect is to the server: a plugin holding its routes, its session check, its error
 * handler and its views, encapsulated so none of it reaches another dialect; and, for the paths
 * every dialect shares (POST /api/v1/login and /logout), whether a request there is its own and
 * how it answers one.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { ApiContext } from '../context.ts';
import type { ErrorHandler } from '../error-replies.ts';

export type SharedPath = 'login' | 'logout';

export interface Dialect {
  name: string;
  /** Registered at the server's root: it mounts its own prefix, and sets its own error handler inside. */
  plugin(ctx: ApiContext): FastifyPluginAsync;
  errorHandler: ErrorHandler;
  /** Only for a dialect that answers on the shared paths; one with its own prefix has none. */
  shared?: {
    /** Whether a request on a shared path speaks this dialect (by its body or headers). */
    claims(path: SharedPath, request: FastifyRequest): boolean;
    login(ctx: ApiContext, request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
    logout(ctx: ApiContext, request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
    /** The default dialect's schema for POST /login (what the OpenAPI document shows). */
    loginSchema?: FastifySchema;
  };
}
