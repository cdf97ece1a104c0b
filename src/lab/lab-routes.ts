import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { fileURLToPath } from 'node:url';
import { Type } from 'typebox';
import { failures } from '../http/schemas.ts';
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
const showtime = Type.String({ maxLength: 64, default: 'lab-1', description: 'a lab showtime id' });
const mode = Type.Enum([...LAB_MODES]);
const seats = Type.Array(Type.String({ maxLength: 8 }), { minItems: 1, maxItems: LAB_LIMITS.maxSeatsPerBuyer });
const buyer = Type.String({ minLength: 1, maxLength: 32 });
const delayMs = Type.Integer({ minimum: 0, maximum: LAB_LIMITS.maxDelayMs, description: 'ms between reading the seats and writing the booking' });
const ShowtimeQuery = Type.Object({ showtime }, { additionalProperties: false });
// `showtime` has a default, so Ajv fills it in: a handler always sees it.
const BookBody = Type.Object({ showtime, mode, buyer, seats, delayMs: Type.Optional(delayMs) }, { additionalProperties: false });
const RaceBody = Type.Object(
  {
    showtime,
    mode,
    delayMs: Type.Optional(delayMs),
    buyers: Type.Array(Type.Object({ buyer, seats }, { additionalProperties: false }), { minItems: 1, maxItems: LAB_LIMITS.maxRaceBuyers }),
  },
  { additionalProperties: false },
);
const StressBody = Type.Object(
  {
    showtime,
    mode,
    delayMs: Type.Optional(delayMs),
    seats,
    buyers: Type.Integer({ minimum: 1, maximum: LAB_LIMITS.maxStressBuyers }),
    seatsPerBuyer: Type.Optional(Type.Integer({ minimum: 1, maximum: LAB_LIMITS.maxSeatsPerBuyer })),
    reset: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const ResetBody = Type.Object({ showtime }, { additionalProperties: false });
/** What the lab reports (states, outcomes, summaries) is sent as the service builds it; lab-service.ts types it. */
const Reported = Type.Unknown({ description: 'see the LabState, AttemptResult and StressSummary types in src/lab/lab-service.ts' });

/**
 * The Concurrency Lab's page, its API under /lab/api and its live panels on /lab/ws (registered by
 * lab-plugin.ts when LAB_ENABLED). Every route is rate limited per address (the app registers
 * @fastify/rate-limit with `global: false`, so only routes with a `rateLimit` config are counted).
 */
export async function labRoutes(fastify: FastifyInstance, opts: LabRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { lab, feed } = opts;
  const max = opts.rateLimit?.max ?? 60;
  const timeWindow = opts.rateLimit?.timeWindowMs ?? 60_000;
  const writes = { rateLimit: { max, timeWindow } };
  const reads = { rateLimit: { max: max * 5, timeWindow } };

  app.get('/lab', { schema: { hide: true }, config: reads }, (_request, reply) => reply.sendFile('lab.html', WEB));
  app.get('/lab/ws', { websocket: true, schema: { hide: true }, config: reads }, (socket) => feed.attach(socket));

  app.get('/lab/api', { schema: { tags: TAGS, summary: 'The lab: showtimes, modes (available or why not), limits' }, config: reads }, async () => (await lab()).describe());

  app.get(
    '/lab/api/state',
    { schema: { tags: TAGS, summary: 'Locks, seat rows, bookings, anomalies and log tail of a lab showtime', querystring: ShowtimeQuery, response: { 200: Reported, ...failures('INVALID_INPUT', 'SHOWTIME_NOT_FOUND', 'RATE_LIMITED', 'LAB_UNAVAILABLE') } }, config: reads },
    async (request) => (await lab()).state(request.query.showtime),
  );

  app.get(
    '/lab/api/anomalies',
    { schema: { tags: TAGS, summary: 'Seats with more than one booking, with the bookings', querystring: ShowtimeQuery, response: { 200: Reported, ...failures('INVALID_INPUT', 'SHOWTIME_NOT_FOUND', 'RATE_LIMITED', 'LAB_UNAVAILABLE') } }, config: reads },
    async (request) => ({ anomalies: await (await lab()).anomalies(request.query.showtime) }),
  );

  app.post(
    '/lab/api/book',
    {
      schema: {
        tags: TAGS,
        summary: 'One buyer books seats in one mode',
        body: BookBody,
        response: { 200: Reported, ...failures('INVALID_INPUT', 'SHOWTIME_NOT_FOUND', 'SEAT_NOT_FOUND', 'LAB_MODE_UNAVAILABLE', 'LAB_BUSY', 'RATE_LIMITED', 'LAB_UNAVAILABLE') },
      },
      config: writes,
    },
    async (request) => (await lab()).attempt(request.body),
  );

  app.post(
    '/lab/api/race',
    {
      schema: {
        tags: TAGS,
        summary: 'Several buyers book at the same instant',
        body: RaceBody,
        response: { 200: Reported, ...failures('INVALID_INPUT', 'SHOWTIME_NOT_FOUND', 'SEAT_NOT_FOUND', 'LAB_MODE_UNAVAILABLE', 'LAB_BUSY', 'RATE_LIMITED', 'LAB_UNAVAILABLE') },
      },
      config: writes,
    },
    async (request) => ({ mode: request.body.mode, results: await (await lab()).race(request.body) }),
  );

  app.post(
    '/lab/api/stress',
    {
      schema: {
        tags: TAGS,
        summary: 'N parallel buyers against a few seats: outcome counts, duplicates, latency percentiles',
        description:
          'Buyer i wants `seatsPerBuyer` seats starting at the i-th of `seats` (cyclically). Resets the showtime first unless `reset` is false. One stress runs at a time: 409 `LAB_BUSY` while another runs.',
        body: StressBody,
        response: { 200: Reported, ...failures('INVALID_INPUT', 'SHOWTIME_NOT_FOUND', 'SEAT_NOT_FOUND', 'LAB_MODE_UNAVAILABLE', 'LAB_BUSY', 'RATE_LIMITED', 'LAB_UNAVAILABLE') },
      },
      config: writes,
    },
    async (request) => (await lab()).stress(request.body),
  );

  app.post(
    '/lab/api/reset',
    {
      schema: {
        tags: TAGS,
        summary: "Delete a lab showtime's bookings, free its seats and drop its locks",
        body: ResetBody,
        response: { 204: Type.Null({ description: 'No content' }), ...failures('INVALID_INPUT', 'SHOWTIME_NOT_FOUND', 'RATE_LIMITED', 'LAB_UNAVAILABLE') },
      },
      config: writes,
      // A bare POST (no body) resets the default lab showtime.
      preValidation: async (request) => {
        request.body ??= { showtime: 'lab-1' };
      },
    },
    async (request, reply) => {
      await (await lab()).reset(request.body.showtime);
      return reply.status(204).send(null);
    },
  );
}
