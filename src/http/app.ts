import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { fileURLToPath } from 'node:url';
import type { Boxoffice } from '../boxoffice.ts';
import { BoxofficeError } from '../domain/errors.ts';
import { errorHandler, notFoundHandler } from './error-handler.ts';
import { DEFAULT_RATE_LIMITS, type RateLimits } from '../config.ts';
import { apiDocsPlugin } from './plugins/api-docs.ts';
import { identityPlugin } from './plugins/identity.ts';
import { inputGuardPlugin } from './plugins/input-guard.ts';
import { rateLimitsPlugin } from './plugins/rate-limits.ts';
import { accountRoutes } from './routes/accounts.ts';
import { adminRoutes } from './routes/admin.ts';
import { apiV1Routes } from './routes/api-v1.ts';
import { firstClickRoutes } from './routes/firstclick.ts';
import { orderRoutes } from './routes/orders.ts';
import { paymentQueueAdminRoutes } from './routes/payment-queue-admin.ts';
import { reviewRoutes } from './routes/reviews.ts';
import { ticketRoutes } from './routes/tickets.ts';

export interface AppOptions {
  /** Serve the FirstClick compatibility surface (SPEC.md §4). */
  firstClick: boolean;
  /** A pino logger; without one the app logs nothing (tests). */
  logger?: FastifyBaseLogger;
  /** Per-user and per-address limits on holds, extends, confirms, logins and guest tokens; what is missing comes from DEFAULT_RATE_LIMITS (loopback exempt). */
  rateLimits?: Partial<RateLimits>;
  /** Origins CORS allows; empty or missing: CORS is off. */
  corsOrigins?: string[];
  /** Mark the refresh cookie Secure (behind HTTPS). */
  secureCookies?: boolean;
  /**
   * Addresses (or CIDR ranges, or proxy-addr's `loopback`, `linklocal`, `uniquelocal`) of the reverse
   * proxies in front: a request from one of them is from the client X-Forwarded-For names, for the
   * rate limits and the login throttle. Empty or missing: X-Forwarded-For is ignored.
   */
  trustProxy?: string[];
}

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));
/** No request of this API needs more; a larger body is refused with 413 before it is parsed. */
const BODY_LIMIT = 16 * 1024;

/**
 * Builds the HTTP app around a running Boxoffice (the composition root built every dependency).
 * Never listens: server.ts and tests do.
 */
export async function buildApp(box: Boxoffice, options: AppOptions): Promise<FastifyInstance> {
  const { service, catalog, hub } = box;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: BODY_LIMIT,
    ...(options.trustProxy && options.trustProxy.length > 0 && { trustProxy: options.trustProxy }),
    forceCloseConnections: 'idle',
    // Long ids reach the schemas, which answer with a 400 that names the limit.
    routerOptions: { maxParamLength: 1_000 },
    // A number where a string belongs is a client bug to report, not to paper over; so is a field
    // no schema knows (a 400 that names it, where a schema says `additionalProperties: false`).
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    // A URL the router cannot decode, or a path parameter past maxParamLength: answered by the error
    // handler in the registry's shape, not by Fastify's own body with an unregistered code.
    frameworkErrors: errorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  await app.register(inputGuardPlugin);
  await app.register(identityPlugin, { identity: box.identity });

  await app.register(apiDocsPlugin);
  await app.register(fastifyHelmet, {
    // The pages load only their own scripts and styles, and talk to this server over HTTP and ws(s).
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        upgradeInsecureRequests: null,
      },
    },
    // Off so the plain-http default (127.0.0.1:8080) keeps working; turn HSTS on at the TLS proxy.
    strictTransportSecurity: false,
  });
  if (options.corsOrigins && options.corsOrigins.length > 0) {
    await app.register(fastifyCors, { origin: options.corsOrigins, credentials: true });
  }
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, {
    global: false,
    // Scaled out, every instance counts against the same limits; a Redis hiccup lets requests through.
    ...(box.redis && { redis: box.redis.client, nameSpace: `${box.redis.keyPrefix}rate:`, skipOnError: true }),
    errorResponseBuilder: (_request, context) =>
      new BoxofficeError('RATE_LIMITED', `too many requests (at most ${context.max} per window); retry in ${context.after}`, { retryAfterSeconds: Math.ceil(context.ttl / 1000) }),
  });
  await app.register(rateLimitsPlugin, { ...DEFAULT_RATE_LIMITS, ...options.rateLimits });
  await app.register(fastifyWebsocket, { options: { maxPayload: 4096 } });
  await app.register(fastifyStatic, { root: `${WEB}static`, prefix: '/static/' });

  app.get('/ws', { websocket: true, schema: { hide: true } }, (socket) => hub.attach(socket));
  app.get('/ws/seats', { websocket: true, schema: { hide: true } }, (socket) => hub.attachFirstClick(socket));

  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html', WEB));
  app.get('/index.html', { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html', WEB));
  app.get('/admin', { schema: { hide: true } }, (_request, reply) => reply.sendFile('admin.html', WEB));

  app.get('/healthz', { schema: { tags: ['operations'], summary: 'The process is up', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({ status: 'ok' as const }));
  const NotReady = Type.Object({ status: Type.Literal('unavailable'), error: Type.String(), code: Type.Literal('NOT_READY') }, { description: '`NOT_READY`: a store does not answer' });
  let ready = true;
  app.get('/readyz', { schema: { tags: ['operations'], summary: 'The stores answer', response: { 200: Type.Object({ status: Type.Literal('ready'), stores: Type.String() }), 503: NotReady } } }, async (_request, reply) => {
    try {
      await box.stores.ping();
      if (!ready) app.log.info({}, 'ready again');
      ready = true;
      return { status: 'ready' as const, stores: box.stores.describe };
    } catch (e) {
      // Probes come every few seconds: say it when readiness changes, not on every probe.
      if (ready) app.log.warn({ err: e }, 'not ready');
      ready = false;
      return reply.status(503).send({ status: 'unavailable', error: 'a store does not answer', code: 'NOT_READY' } as const);
    }
  });

  if (options.firstClick) await app.register(firstClickRoutes, { service, repository: catalog });
  for (const plugin of box.plugins) await app.register(plugin.routes);
  await app.register(apiV1Routes, { prefix: '/api/v1', service, repository: catalog, ratings: box.reviews, release: box.checkout.orders });
  await app.register(accountRoutes, { prefix: '/api/v1', accounts: box.accounts, holdTransfer: box.holdTransfer, secureCookies: options.secureCookies ?? false });
  await app.register(adminRoutes, { prefix: '/api/v1/admin', admin: box.admin, accounts: box.accounts });
  await app.register(orderRoutes, { prefix: '/api/v1', orders: box.checkout.orders, accounts: box.accounts });
  await app.register(paymentQueueAdminRoutes, { prefix: '/api/v1/admin', queue: box.payments.queue, admin: box.admin, accounts: box.accounts });
  await app.register(ticketRoutes, { prefix: '/api/v1', tickets: box.tickets });
  await app.register(reviewRoutes, { prefix: '/api/v1', reviews: box.reviews, accounts: box.accounts });
  return app;
}
