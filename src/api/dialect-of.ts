/**
 * Which dialect a request speaks, so that its errors come back in that dialect's shape: a route's
 * own `dialect`, and on the one path both share (POST /login), the body's form: Rocket.Chat signs
 * in with JSON {user|username, password} or {resume}; grommunio with the form fields user and pass.
 */
import type { FastifyRequest } from 'fastify';

export type Dialect = 'grommunio' | 'rocketchat';

export function isRocketLogin(body: unknown): boolean {
  return typeof body === 'object' && body !== null && ('password' in body || 'resume' in body || 'username' in body);
}

export function dialectOf(request: FastifyRequest): Dialect {
  if ((request.routeOptions.config as { dialect?: string } | undefined)?.dialect === 'rocketchat') return 'rocketchat';
  if (request.routeOptions.url === '/api/v1/login' && isRocketLogin(request.body)) return 'rocketchat';
  return 'grommunio';
}
