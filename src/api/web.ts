/** Serves the admin console's static files: a fixed list, so no path can reach anything else. */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const WEB = new URL('../web/', import.meta.url);
const FILES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'i18n.js': 'text/javascript; charset=utf-8',
  'dom.js': 'text/javascript; charset=utf-8',
  'source-form.js': 'text/javascript; charset=utf-8',
  'task-pages.js': 'text/javascript; charset=utf-8',
  'domain-pages.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

export function webRoutes(app: FastifyInstance): void {
  const cache = new Map<string, Buffer>();
  const file = (name: string) => {
    let body = cache.get(name);
    if (!body) { body = readFileSync(new URL(name, WEB)); cache.set(name, body); }
    return body;
  };
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(file('index.html')));
  app.get('/assets/:name', { schema: { hide: true } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const type = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
    if (!type) return reply.status(404).send({ message: 'Not found' });
    return reply.type(type).send(file(name));
  });
}
