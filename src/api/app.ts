/** buildApp(): the Fastify server with both the grommunio routes and shared plumbing. */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiContext } from './context.ts';
import { webRoutes } from './web.ts';
import { httpMetricsHook, opsRoutes } from './ops.ts';
import type { ServerContext } from './context.ts';
import { DomainError } from '../domain/errors.ts';
import { plainErrorHandler } from './error-replies.ts';
import { DIALECTS } from './dialects/index.ts';
import { sharedPathRoutes } from './dialects/shared-paths.ts';
import { jsonDepth, MAX_JSON_DEPTH, refuseNonFinite, refuseNul } from './input-guards.ts';
import { createLogger } from '../logger.ts';
import { completeDocument, OPENAPI_INFO, showAvatarRoute } from './openapi.ts';

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** A worker's HTTP server: liveness, readiness and metrics only. */
export async function buildOpsApp(services: ServerContext): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: services.log as FastifyBaseLogger });
  httpMetricsHook(app, services.metrics);
  opsRoutes(app, { probe: () => services.services.tasks.countByState(), queue: services.queue, metrics: services.metrics, role: services.role });
  return app;
}

export async function buildApp(ctx: ApiContext & Partial<Pick<ServerContext, 'metrics' | 'role' | 'log'>>, options: { logger?: boolean; logFile?: string } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // The services' logger when there is one, so requests, tasks and runs share one stream.
    ...(options.logFile ? { loggerInstance: createLogger(ctx.config.logLevel, options.logFile) as FastifyBaseLogger }
      : options.logger ? { loggerInstance: (ctx.log ?? createLogger(ctx.config.logLevel)) as FastifyBaseLogger } : { logger: false }),
    trustProxy: typeof ctx.config.trustProxy === 'number' ? ((hops: number) => (_address: string, hop: number) => hop < hops)(ctx.config.trustProxy) : ctx.config.trustProxy,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();

  if (ctx.metrics) httpMetricsHook(app, ctx.metrics);
  await app.register(cookie);
  await app.register(swagger, {
    openapi: { info: OPENAPI_INFO as { title: string; version: string } },
    transform: showAvatarRoute as never,
    transformObject: (({ openapiObject }: { openapiObject: Record<string, unknown> }) => completeDocument(openapiObject)) as never,
  });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // Some clients label an empty POST body as JSON; an empty body is an empty object, not an error.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') { done(null, {}); return; }
    if (jsonDepth(text) > MAX_JSON_DEPTH) { done(new DomainError('INVALID_INPUT', 'invalid', 'Bad Request', [`body is nested deeper than ${MAX_JSON_DEPTH} levels`]), undefined); return; }
    try { done(null, JSON.parse(text)); } catch { done(Object.assign(new Error('Body is not valid JSON'), { statusCode: 400 }), undefined); }
  });

  const parts = (request: FastifyRequest): Array<[string, unknown]> => [['querystring', request.query], ['params', request.params], ['body', request.body]];
  app.addHook('preValidation', async (request) => { refuseNul(parts(request)); });
  app.addHook('preHandler', async (request) => { refuseNonFinite(parts(request)); });

  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(k)) reply.header(k, v);
    return payload;
  });

  // Outside every dialect (console, OpenAPI document, health): the plain shape. Each dialect sets its own inside its plugin.
  app.setErrorHandler(plainErrorHandler);
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ message: 'Not found' }));

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  sharedPathRoutes(app, ctx, DIALECTS);
  for (const dialect of DIALECTS) await app.register(dialect.plugin(ctx));
  webRoutes(app);
  if (ctx.metrics) opsRoutes(app, { probe: () => ctx.services.tasks.countByState(), queue: ctx.queue, metrics: ctx.metrics, role: ctx.role ?? 'all' });
  return app;
}
