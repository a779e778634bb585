/** Liveness, readiness and metrics, for every role (a worker serves only these). */
import type { FastifyInstance } from 'fastify';
import type { TaskQueue } from '../tasks/queue.ts';
import type { Metrics } from './metrics.ts';

/** Counts and times every answer by route pattern; added before the routes, so it sees them all. */
export function httpMetricsHook(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });
}

export function opsRoutes(app: FastifyInstance, deps: { probe: () => Promise<unknown>; queue: TaskQueue; metrics: Metrics; role: string }): void {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok', role: deps.role }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      // The store answers (a store that cannot is not ready), then the queue runs.
      await deps.probe();
      const queue = await deps.queue.status();
      if (!queue.running) return reply.status(503).send({ status: 'starting', role: deps.role });
      return { status: 'ready', role: deps.role, queue };
    } catch (e) {
      return reply.status(503).send({ status: 'unavailable', role: deps.role, error: (e as Error).message });
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()));
}
