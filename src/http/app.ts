import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { fileURLToPath } from 'node:url';
import type { Boxoffice } from '../boxoffice.ts';
import { SeatHub } from '../realtime/seat-hub.ts';
import { errorHandler, notFoundHandler } from './error-handler.ts';
import type { GuestTokens } from './identity.ts';
import { apiV1Routes } from './routes/api-v1.ts';
import { firstClickRoutes } from './routes/firstclick.ts';
import { labRoutes, type LabRoutesOptions } from './routes/lab.ts';
import { toSeatMapView } from './schemas.ts';

export interface AppOptions {
  tokens: GuestTokens;
  /** Serve the FirstClick compatibility surface (SPEC.md §4). */
  firstClick: boolean;
  /** A pino logger; without one the app logs nothing (tests). */
  logger?: FastifyBaseLogger;
  /** Bytes a WebSocket client may fall behind before it is dropped. */
  maxBufferedBytes?: number;
  /** How often WebSocket peers are pinged; one that missed the last ping is dropped. */
  heartbeatMs?: number;
  /** Concurrency Lab settings (served when the Boxoffice has a lab, i.e. LAB_ENABLED). */
  lab?: Pick<LabRoutesOptions, 'rateLimit'> & { pushThrottleMs?: number };
}

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));
/** No request of this API needs more; a larger body is refused with 413 before it is parsed. */
const BODY_LIMIT = 16 * 1024;

/** Builds the HTTP app around a running Boxoffice. Never listens: server.ts and tests do. */
export async function buildApp(box: Boxoffice, options: AppOptions): Promise<FastifyInstance> {
  const { service, events, stores } = box;
  const { tokens } = options;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: BODY_LIMIT,
    forceCloseConnections: 'idle',
    // Long ids reach the schemas, which answer with a 400 that names the limit.
    routerOptions: { maxParamLength: 1_000 },
    // A number where a string belongs is a client bug to report, not to paper over.
    ajv: { customOptions: { coerceTypes: false } },
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Boxoffice',
        version: '0.1.0',
        description: 'Real-time cinema seat booking. Errors are `{ error, code, details? }`; codes are listed in docs/errors.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a guest token from POST /api/v1/guests' } } },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(fastifyWebsocket, { options: { maxPayload: 4096 } });
  await app.register(fastifyStatic, { root: `${WEB}static`, prefix: '/static/' });

  const hub = new SeatHub({
    service,
    events,
    verifyToken: (token) => tokens.verify(token),
    snapshot: async (showtimeId, viewer) => toSeatMapView(await service.seatMap(showtimeId), viewer),
    log: app.log,
    ...(options.maxBufferedBytes !== undefined && { maxBufferedBytes: options.maxBufferedBytes }),
    ...(options.heartbeatMs !== undefined && { heartbeatMs: options.heartbeatMs }),
    ...(box.lab && { lab: box.lab, labFeed: { ...(options.lab?.pushThrottleMs !== undefined && { throttleMs: options.lab.pushThrottleMs }) } }),
  });
  app.decorate('seatHub', hub);
  app.addHook('onClose', () => hub.close());

  app.get('/ws', { websocket: true, schema: { hide: true } }, (socket) => hub.attach(socket));
  app.get('/ws/seats', { websocket: true, schema: { hide: true } }, (socket) => hub.attachFirstClick(socket));

  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html', WEB));
  app.get('/index.html', { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html', WEB));

  app.get('/healthz', { schema: { tags: ['operations'], summary: 'The process is up' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['operations'], summary: 'The stores answer' } }, async (_request, reply) => {
    try {
      await stores.ping();
      return { status: 'ready', stores: stores.describe };
    } catch (e) {
      app.log.warn({ err: e }, 'not ready');
      return reply.status(503).send({ status: 'unavailable', error: 'a store does not answer', code: 'NOT_READY' });
    }
  });

  if (options.firstClick) await app.register(firstClickRoutes, { service, repository: stores.repository });
  if (box.lab) await app.register(labRoutes, { lab: box.lab, ...(options.lab?.rateLimit && { rateLimit: options.lab.rateLimit }) });
  await app.register(apiV1Routes, { prefix: '/api/v1', service, repository: stores.repository, tokens });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    seatHub: SeatHub;
  }
}
