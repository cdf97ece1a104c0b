import type { FastifyInstance } from 'fastify';
import { fileURLToPath } from 'node:url';
import { errors } from '../http/schemas.ts';
import type { LabFeed } from './lab-feed.ts';
import { LAB_MODES } from './lab-modes.ts';
import { LAB_LIMITS, type LabService } from './lab-service.ts';

export interface LabRoutesOptions {
  /** The lab, opened on first use (its database is its own). */
  lab: () => Promise<LabService>;
  feed: LabFeed;
  /** Requests per window and address for the lab's writes (race, stress, book, reset); reads get five times as many. */
  rateLimit?: { max?: number; timeWindowMs?: number };
}

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));
const TAGS = ['lab'];
const showtime = { type: 'string', maxLength: 64, default: 'lab-1', description: 'a lab showtime id' } as const;
const mode = { type: 'string', enum: [...LAB_MODES] } as const;
const seats = { type: 'array', minItems: 1, maxItems: LAB_LIMITS.maxSeatsPerBuyer, items: { type: 'string', maxLength: 8 } } as const;
const buyer = { type: 'string', minLength: 1, maxLength: 32 } as const;
const delayMs = { type: 'integer', minimum: 0, maximum: LAB_LIMITS.maxDelayMs, description: 'ms between reading the seats and writing the booking' } as const;
const showtimeQuery = { type: 'object', additionalProperties: false, properties: { showtime } } as const;

/**
 * The Concurrency Lab's page, its API under /lab/api and its live panels on /lab/ws (registered by
 * lab-plugin.ts when LAB_ENABLED). Every route is rate limited per address (the app registers
 * @fastify/rate-limit with `global: false`, so only routes with a `rateLimit` config are counted).
 */
export async function labRoutes(app: FastifyInstance, opts: LabRoutesOptions): Promise<void> {
  const { lab, feed } = opts;
  const max = opts.rateLimit?.max ?? 60;
  const timeWindow = opts.rateLimit?.timeWindowMs ?? 60_000;
  const writes = { rateLimit: { max, timeWindow } };
  const reads = { rateLimit: { max: max * 5, timeWindow } };

  app.get('/lab', { schema: { hide: true }, config: reads }, (_request, reply) => reply.sendFile('lab.html', WEB));
  app.get('/lab/ws', { websocket: true, schema: { hide: true }, config: reads }, (socket) => feed.attach(socket));

  app.get('/lab/api', { schema: { tags: TAGS, summary: 'The lab: showtimes, modes (available or why not), limits' }, config: reads }, async () => (await lab()).describe());

  app.get<{ Querystring: { showtime: string } }>(
    '/lab/api/state',
    { schema: { tags: TAGS, summary: 'Locks, seat rows, bookings, anomalies and log tail of a lab showtime', querystring: showtimeQuery, response: errors(400, 404, 429) }, config: reads },
    async (request) => (await lab()).state(request.query.showtime),
  );

  app.get<{ Querystring: { showtime: string } }>(
    '/lab/api/anomalies',
    { schema: { tags: TAGS, summary: 'Seats with more than one booking, with the bookings', querystring: showtimeQuery, response: errors(400, 404, 429) }, config: reads },
    async (request) => ({ anomalies: await (await lab()).anomalies(request.query.showtime) }),
  );

  app.post<{ Body: { showtime: string; mode: string; buyer: string; seats: string[]; delayMs?: number } }>(
    '/lab/api/book',
    {
      schema: {
        tags: TAGS,
        summary: 'One buyer books seats in one mode',
        body: { type: 'object', required: ['mode', 'buyer', 'seats'], additionalProperties: false, properties: { showtime, mode, buyer, seats, delayMs } },
        response: errors(400, 404, 409, 429),
      },
      config: writes,
    },
    async (request) => (await lab()).attempt(request.body),
  );

  app.post<{ Body: { showtime: string; mode: string; delayMs?: number; buyers: { buyer: string; seats: string[] }[] } }>(
    '/lab/api/race',
    {
      schema: {
        tags: TAGS,
        summary: 'Several buyers book at the same instant',
        body: {
          type: 'object',
          required: ['mode', 'buyers'],
          additionalProperties: false,
          properties: {
            showtime,
            mode,
            delayMs,
            buyers: {
              type: 'array',
              minItems: 1,
              maxItems: LAB_LIMITS.maxRaceBuyers,
              items: { type: 'object', required: ['buyer', 'seats'], additionalProperties: false, properties: { buyer, seats } },
            },
          },
        },
        response: errors(400, 404, 409, 429),
      },
      config: writes,
    },
    async (request) => ({ mode: request.body.mode, results: await (await lab()).race(request.body) }),
  );

  app.post<{ Body: { showtime: string; mode: string; buyers: number; seats: string[]; seatsPerBuyer?: number; delayMs?: number; reset?: boolean } }>(
    '/lab/api/stress',
    {
      schema: {
        tags: TAGS,
        summary: 'N parallel buyers against a few seats: outcome counts, duplicates, latency percentiles',
        description:
          'Buyer i wants `seatsPerBuyer` seats starting at the i-th of `seats` (cyclically). Resets the showtime first unless `reset` is false. One stress runs at a time: 409 `LAB_BUSY` while another runs.',
        body: {
          type: 'object',
          required: ['mode', 'buyers', 'seats'],
          additionalProperties: false,
          properties: {
            showtime,
            mode,
            delayMs,
            seats,
            buyers: { type: 'integer', minimum: 1, maximum: LAB_LIMITS.maxStressBuyers },
            seatsPerBuyer: { type: 'integer', minimum: 1, maximum: LAB_LIMITS.maxSeatsPerBuyer },
            reset: { type: 'boolean' },
          },
        },
        response: errors(400, 404, 409, 429),
      },
      config: writes,
    },
    async (request) => (await lab()).stress(request.body),
  );

  app.post<{ Body: { showtime: string } }>(
    '/lab/api/reset',
    {
      schema: {
        tags: TAGS,
        summary: "Delete a lab showtime's bookings, free its seats and drop its locks",
        body: { type: 'object', additionalProperties: false, properties: { showtime } },
        response: { 204: { type: 'null' }, ...errors(400, 404, 429) },
      },
      config: writes,
      // A bare POST (no body) resets the default lab showtime.
      preValidation: async (request) => {
        request.body ??= { showtime: 'lab-1' };
      },
    },
    async (request, reply) => {
      await (await lab()).reset(request.body.showtime);
      return reply.status(204).send();
    },
  );
}
