import { readFileSync } from 'node:fs';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { errorSpec, renderMessage } from '../../domain/errors.ts';
import { renderErrorsDoc } from '../../error-groups.ts';

/** The site's icon, served at /favicon.svg and /favicon.ico (what a browser asks for by itself). */
const FAVICON = readFileSync(new URL('../../../web/favicon.svg', import.meta.url));

/**
 * Swagger UI's look, made readable: the method badges and the muted texts darkened to 4.5:1 on white,
 * and the bar that loads another document's URL hidden (this page documents this server only).
 */
const DOCS_CSS = `
.swagger-ui .topbar .download-url-wrapper { display: none; }
.swagger-ui .opblock.opblock-get .opblock-summary-method { background: #0b5cad; }
.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #1b5e20; }
.swagger-ui .opblock.opblock-put .opblock-summary-method { background: #6e4700; }
.swagger-ui .opblock.opblock-delete .opblock-summary-method { background: #b71c1c; }
.swagger-ui .opblock .opblock-summary-description, .swagger-ui .opblock-tag small, .swagger-ui .info .base-url { color: #33333a; }
.swagger-ui .info .title small { background: #4a4a52; }
.swagger-ui .info .title small.version-stamp { background: #1b5e20; }
.swagger-ui .btn.authorize { color: #1b5e20; border-color: #1b5e20; }
.swagger-ui .btn.authorize svg { fill: #1b5e20; }
.swagger-ui .info a, .swagger-ui .info .url { color: #0b5cad; }
.swagger-ui .parameter__in, .swagger-ui .parameter__type, .swagger-ui .prop-format { color: #4a4a52; }
`;

/** The product API's tags first, in the order a client uses them; the other surfaces after. */
const TAGS = [
  { name: 'catalog', description: 'Movies and their showtimes' },
  { name: 'seats', description: "A showtime's seat map (live on /ws, see the description above)" },
  { name: 'holds', description: 'Hold seats for a while, extend, release, confirm' },
  { name: 'orders', description: 'Checkout of a priced hold, payments, cancellation, tickets' },
  { name: 'bookings', description: "The caller's bookings" },
  { name: 'identity', description: 'Guest tokens' },
  { name: 'accounts', description: 'Register, log in, refresh, log out' },
  { name: 'reviews', description: 'Reviews and ratings of movies' },
  { name: 'operations', description: 'Health and readiness probes' },
  { name: 'firstclick', description: "FirstClick's compatibility surface (SPEC.md §4), as FirstClick serves it" },
  { name: 'admin', description: 'Catalog, occupancy, holds, orders, the payment queue and the audit log: admin accounts only' },
  { name: 'lab', description: 'The Concurrency Lab (LAB_ENABLED): its own showtimes and database' },
];

const DESCRIPTION = `Real-time cinema seat booking. Every error is \`{ "error", "code", "details"? }\`; each response below
names the codes it can carry, and [the error table](/docs/errors.md) lists every code with its status and meaning.

## Live seat map: \`GET /ws\` (WebSocket)

| direction | message |
|---|---|
| client | \`{"type":"subscribe","showtime":"arrival-1","token":"<optional bearer token>"}\`: follow one showtime (the token marks the caller's seats \`mine\`) |
| server | \`{"type":"snapshot","showtime","version","seats":[{"id","status","mine"?,"expiresAt"?}]}\`, then for every change: |
| server | \`{"type":"delta","showtime","version","cause","changes":[{"seat","status","expiresAt"?,"mine"?}]}\`: versions grow by one; a client that sees a gap subscribes again. \`cause\`: hold, extend, release, revoke (an admin's force-release), confirm, expire, restore, transfer, cancel |
| client | \`{"type":"unsubscribe"}\` |
| client | \`{"type":"follow-orders","token":"<guest or access token>"}\`: answered \`{"type":"following-orders"}\`, then \`{"type":"order","order":<as GET /api/v1/orders/{orderId}>}\` on every change of the caller's orders |
| client / server | \`{"type":"ping"}\` / \`{"type":"pong"}\` |
| server | \`{"type":"error","code","error"}\` for a message it cannot use |

Statuses: available, held, booked, blocked. The server pings every 15 s and drops a client that does not
answer or falls more than 1 MiB behind. A client may send 60 messages at once and 20 a second after that,
of which 10 subscribes at once and 2 a second; past that the socket is closed with code 1008. Reconnect with
a growing, jittered delay.

The FirstClick surface's \`GET /ws/seats\` sends \`{"type":"SEATS_UPDATED","movie_id","ts"}\` on every change.
The Concurrency Lab's \`GET /lab/ws\`: send \`{"type":"lab-subscribe","showtime":"lab-1"}\`, receive
\`{"type":"lab-state", ...}\` (as \`GET /lab/api/state\`) at once and after every change.`;

/** Real values of the demo catalog, by parameter name: "Try it out" works on a fresh `npm start`. */
const PARAMETER_EXAMPLES: Record<string, string> = {
  showtimeId: 'arrival-1',
  movieId: 'arrival',
  holdId: 'arrival-1.Xk3J9q2mWpLs',
  orderId: 'ord_8fKq2LmZ0aB1',
  seat: 'F10',
  seatId: 'F10',
  sessionId: 'arrival-1.Xk3J9q2mWpLs',
  showtime: 'lab-1',
  limit: '20',
};

/** What an error example's message names (its template's `{placeholders}`), from the same demo catalog. */
const MESSAGE_EXAMPLES: Record<string, unknown> = {
  ...PARAMETER_EXAMPLES,
  seats: ['F10', 'F11'],
  theaterId: 'central',
  screenId: 'hall-1',
  showtime: 'arrival-1',
  showtimes: ['arrival-2'],
  retryAfterSeconds: 30,
  mode: 'redis-lock',
  reason: 'REDIS_URL is not set',
  state: 'paid',
  cutoffMinutes: 60,
  messageId: 'pay-ord_8fKq2LmZ0aB1-1',
  ticketId: 'ord_8fKq2LmZ0aB1-F10',
  ticketShowtimeId: 'arrival-2',
  usedAt: '2030-06-01T19:42:00.000Z',
  reviewId: '1',
  count: 3,
  available: 2,
};

/** An example body per operation ("METHOD /path" as the document names it). */
const BODY_EXAMPLES: Record<string, unknown> = {
  'POST /api/v1/showtimes/{showtimeId}/holds': { seats: ['F10', 'F11'] },
  'POST /api/v1/auth/register': { email: 'ann@example.com', password: 'a long password' },
  'POST /api/v1/auth/login': { email: 'ann@example.com', password: 'a long password' },
  'POST /api/v1/holds/{holdId}/checkout': {},
  'POST /api/v1/orders/{orderId}/payments': { card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' } },
  'POST /movies/{movieId}/seats/{seatId}/hold': { user_id: 'u1' },
  'PUT /sessions/{sessionId}/confirm': { user_id: 'u1' },
  'DELETE /sessions/{sessionId}': { user_id: 'u1' },
  'PUT /api/v1/admin/movies/{id}': { title: 'Arrival', durationMinutes: 116 },
  'PUT /api/v1/admin/theaters/{id}': { name: 'Boxoffice Central' },
  'PUT /api/v1/admin/screens/{id}': { theaterId: 'central', name: 'Studio C', layout: { rows: [{ label: 'A', seats: [{ number: 1, kind: 'accessible' }, { number: 2 }, null, { number: 3 }] }] } },
  'PUT /api/v1/admin/showtimes/{id}': { movieId: 'arrival', screenId: 'hall-1', startsAt: '2030-06-01T20:00:00.000Z', prices: { currency: 'EUR', standard: 1250, premium: 1800, accessible: 900 } },
  'POST /api/v1/admin/holds/{holdId}/release': { reason: 'the customer called: seats needed for a wheelchair user' },
  'POST /api/v1/admin/orders/{orderId}/cancel': { reason: 'the showtime was cancelled: projector failure' },
  'POST /api/v1/admin/checkins': { code: '<the code in the ticket QR code>', showtimeId: 'arrival-1' },
  'POST /api/v1/admin/reviews/{id}/hide': { reason: 'spoils the ending' },
  'PUT /api/v1/movies/{movieId}/review': { stars: 5, text: 'Quiet, patient, and it lands.' },
  'POST /lab/api/book': { showtime: 'lab-1', mode: 'unsafe', buyer: 'alice', seats: ['A1'], delayMs: 100 },
  'POST /lab/api/race': { showtime: 'lab-1', mode: 'for-update', delayMs: 100, buyers: [{ buyer: 'alice', seats: ['A1'] }, { buyer: 'bob', seats: ['A1'] }] },
  'POST /lab/api/stress': { showtime: 'lab-1', mode: 'memory-lock', buyers: 200, seats: ['A1'], seatsPerBuyer: 1, delayMs: 100 },
  'POST /lab/api/reset': { showtime: 'lab-1' },
};

const REASONS: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted: the work goes on in the background',
  '204': 'No content',
  '400': 'Bad request',
  '402': 'Payment required',
  '403': 'Forbidden',
  '404': 'Not found',
  '409': 'Conflict',
  '429': 'Too many requests',
  '503': 'A store does not answer',
};

type Operation = {
  parameters?: { name: string; in: string; example?: unknown }[];
  requestBody?: { content?: Record<string, { example?: unknown; examples?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { examples?: Record<string, { summary?: string; value: unknown }> }> }>;
};

/** One example per error code a response names (`CODE`: when ...), with the registry's message. */
function errorExamples(description: string): Record<string, { summary: string; value: unknown }> | undefined {
  const codes = [...description.matchAll(/^`([A-Z][A-Z0-9_]*)`/gm)].map((m) => m[1]!);
  const examples = Object.fromEntries(
    codes.flatMap((code) => {
      const spec = errorSpec(code);
      return spec ? [[code, { summary: code, value: { error: renderMessage(spec.message, MESSAGE_EXAMPLES), code } }]] : [];
    }),
  );
  return codes.length ? examples : undefined;
}

/** Adds the examples, the success descriptions and the tag order to the generated document. */
function annotate(document: { paths?: Record<string, Record<string, Operation>> }): void {
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      for (const parameter of operation.parameters ?? []) {
        const example = PARAMETER_EXAMPLES[parameter.name] ?? (parameter.name === 'id' ? adminIdExample(path) : undefined);
        if (example !== undefined) parameter.example = example;
      }
      const body = BODY_EXAMPLES[`${method.toUpperCase()} ${path}`];
      const json = operation.requestBody?.content?.['application/json'];
      if (json && body !== undefined) json.example = body;
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        // A response the route left undescribed (FirstClick's errors are `{ error }` with its own codes).
        if (response.description === 'Default Response' || response.description === status) {
          response.description = Number(status) >= 400 ? `${REASONS[status] ?? status}: \`{ "error": "<message>" }\` (the error table lists the codes)` : (REASONS[status] ?? status);
        }
        const content = response.content?.['application/json'];
        const examples = content && Number(status) >= 400 ? errorExamples(response.description ?? '') : undefined;
        if (content && examples) content.examples = examples;
      }
    }
  }
}

function adminIdExample(path: string): string | undefined {
  if (path.includes('/movies/')) return 'arrival';
  if (path.includes('/theaters/')) return 'central';
  if (path.includes('/screens/')) return 'hall-1';
  if (path.includes('/showtimes/')) return 'arrival-1';
  if (path.includes('/reviews/')) return '1';
  if (path.includes('/dead-letters/')) return 'pay-ord_8fKq2LmZ0aB1-1';
  return undefined;
}

/**
 * The API's documentation: the OpenAPI document (generated from the routes' schemas, with examples
 * from the demo catalog) at /docs/json, Swagger UI at /docs under its own strict CSP, the error table
 * at /docs/errors.md (from the error registry, as `npm run docs:errors` writes it), and the favicon.
 */
export const apiDocsPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(fastifySwagger, {
      openapi: {
        info: { title: 'Boxoffice', version: '0.1.0', description: DESCRIPTION },
        tags: TAGS,
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a guest token from POST /api/v1/guests, or an access token from POST /api/v1/auth/login' } } },
      },
      transformObject: (documentObject) => {
        const document = 'openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject;
        annotate(document as Parameters<typeof annotate>[0]);
        return document;
      },
    });
    await app.register(fastifySwaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      // Its CSP says upgrade-insecure-requests: over plain http from another machine (HOST=0.0.0.0)
      // the browser would fetch the UI's files over https and show a blank page. Left to a TLS proxy,
      // as for the pages.
      transformStaticCSP: (header: string) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
      theme: {
        title: 'Boxoffice API',
        favicon: [{ filename: 'favicon.svg', rel: 'icon', type: 'image/svg+xml', sizes: 'any', content: FAVICON }],
        css: [{ filename: 'boxoffice.css', content: DOCS_CSS }],
      },
      logo: { type: 'image/svg+xml', content: FAVICON, href: '/' },
      uiConfig: { docExpansion: 'list', defaultModelsExpandDepth: 0 },
    });
    const errorsDoc = renderErrorsDoc();
    app.get('/docs/errors.md', { schema: { hide: true } }, (_request, reply) => reply.type('text/markdown; charset=utf-8').send(errorsDoc));
    for (const path of ['/favicon.svg', '/favicon.ico']) {
      app.get(path, { schema: { hide: true } }, (_request, reply) => reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(FAVICON));
    }
  },
  { name: 'api-docs' },
);
