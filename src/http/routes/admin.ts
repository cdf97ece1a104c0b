import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountService } from '../../accounts/account-service.ts';
import type { Actor, AdminService } from '../../admin/admin-service.ts';
import type { LayoutInput } from '../../domain/layout.ts';
import { requireAdmin, type Identity } from '../identity.ts';
import { errors, idParam, showtimeSchema, toShowtimeView } from '../schemas.ts';

const TAGS = ['admin'];
const security = [{ bearer: [] }];
const id = { type: 'string', maxLength: 64 } as const;
const name = { type: 'string', minLength: 1, maxLength: 200 } as const;
const denied = errors(401, 403);

const layoutBody = {
  type: 'object',
  required: ['rows'],
  description: 'Rows from the front; in a row, seats left to right, `null` for an aisle gap. Kinds: standard, accessible, premium.',
  properties: {
    rows: {
      type: 'array',
      maxItems: 52,
      items: {
        type: 'object',
        required: ['label', 'seats'],
        properties: {
          label: { type: 'string', maxLength: 8 },
          seats: {
            type: 'array',
            maxItems: 200,
            items: {
              anyOf: [
                { type: 'null' },
                { type: 'object', required: ['number'], additionalProperties: false, properties: { number: { type: 'integer' }, kind: { type: 'string' }, blocked: { type: 'boolean' } } },
              ],
            },
          },
        },
      },
    },
  },
} as const;

const occupancySchema = {
  type: 'object',
  properties: {
    showtimeId: { type: 'string' },
    movieId: { type: 'string' },
    screenId: { type: 'string' },
    startsAt: { type: 'integer' },
    version: { type: 'integer' },
    total: { type: 'integer' },
    available: { type: 'integer' },
    held: { type: 'integer' },
    booked: { type: 'integer' },
    blocked: { type: 'integer' },
    bookedByKind: { type: 'object', additionalProperties: { type: 'integer' } },
  },
} as const;

// Query strings are strings (the app does not coerce types): a limit is digits, clamped here.
const limitQuery = (description: string) => ({ type: 'object', properties: { limit: { type: 'string', pattern: '^[0-9]{1,4}$', description } } }) as const;
const limitOf = (raw: string | undefined, fallback: number, max: number) => Math.min(Math.max(raw === undefined ? fallback : Number(raw), 1), max);

/**
 * The admin API: catalog editing, occupancy, holds and force-release, audit log. Every route answers
 * 401 without a token and 403 with a token that is not an admin's, before it reads anything.
 */
export async function adminRoutes(app: FastifyInstance, opts: { admin: AdminService; accounts: AccountService; identity: Identity }): Promise<void> {
  const { admin, accounts, identity } = opts;

  // onRequest: before the body is parsed or validated, so a stranger learns nothing but 401/403.
  // The admin found here is the one the handler acts as: the token is verified once per request.
  const admins = new WeakMap<FastifyRequest, Awaited<ReturnType<typeof requireAdmin>>>();
  app.addHook('onRequest', async (request) => {
    admins.set(request, await requireAdmin(identity, request));
  });
  const actor = async (request: FastifyRequest): Promise<Actor> => {
    const caller = admins.get(request)!;
    return { owner: caller.owner, email: (await accounts.user(caller.userId)).email };
  };

  app.get('/movies', { schema: { tags: TAGS, security, summary: 'Movies', response: denied } }, async () => ({ movies: await admin.listMovies() }));
  app.get('/theaters', { schema: { tags: TAGS, security, summary: 'Theaters', response: denied } }, async () => ({ theaters: await admin.listTheaters() }));
  app.get('/screens', { schema: { tags: TAGS, security, summary: 'Screens with their layouts', response: denied } }, async () => ({ screens: await admin.listScreens() }));
  app.get('/showtimes', { schema: { tags: TAGS, security, summary: 'Showtimes', response: { 200: { type: 'object', properties: { showtimes: { type: 'array', items: showtimeSchema } } }, ...denied } } }, async () => ({
    showtimes: (await admin.listShowtimes()).map((s) => toShowtimeView(s, false)),
  }));

  app.put<{ Params: { id: string }; Body: { title: string; durationMinutes: number } }>(
    '/movies/:id',
    {
      schema: {
        tags: TAGS, security, summary: 'Create or update a movie', params: idParam('id', 'movie id'),
        body: { type: 'object', required: ['title', 'durationMinutes'], additionalProperties: false, properties: { title: name, durationMinutes: { type: 'integer', minimum: 1, maximum: 1000 } } },
        response: errors(400, 401, 403),
      },
    },
    async (request) => admin.saveMovie(await actor(request), { id: request.params.id, ...request.body }),
  );

  app.put<{ Params: { id: string }; Body: { name: string } }>(
    '/theaters/:id',
    {
      schema: { tags: TAGS, security, summary: 'Create or update a theater', params: idParam('id', 'theater id'), body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name } }, response: errors(400, 401, 403) },
    },
    async (request) => admin.saveTheater(await actor(request), { id: request.params.id, ...request.body }),
  );

  app.put<{ Params: { id: string }; Body: { theaterId: string; name: string; layout: LayoutInput } }>(
    '/screens/:id',
    {
      schema: {
        tags: TAGS, security, summary: 'Create or update a screen and its seat layout',
        description: 'A layout change is refused (409 LAYOUT_LOCKED) once a showtime of the screen has bookings. Layout mistakes (no rows, an empty row, a bad row label, a seat twice, an unknown kind) are 400s that name the row or seat.',
        params: idParam('id', 'screen id'),
        body: { type: 'object', required: ['theaterId', 'name', 'layout'], additionalProperties: false, properties: { theaterId: id, name, layout: layoutBody } },
        response: errors(400, 401, 403, 404, 409),
      },
    },
    async (request) => {
      const screen = await admin.saveScreen(await actor(request), { id: request.params.id, ...request.body });
      return { id: screen.id, theaterId: screen.theaterId, name: screen.name };
    },
  );

  app.put<{ Params: { id: string }; Body: { movieId: string; screenId: string; startsAt: string } }>(
    '/showtimes/:id',
    {
      schema: {
        tags: TAGS, security, summary: 'Create or update a showtime',
        description: 'Refused (409 SHOWTIME_OVERLAP) when another showtime of the screen runs at the same time (start to start + the movie\'s length).',
        params: idParam('id', 'showtime id'),
        body: { type: 'object', required: ['movieId', 'screenId', 'startsAt'], additionalProperties: false, properties: { movieId: id, screenId: id, startsAt: { type: 'string', format: 'date-time' } } },
        response: { 200: showtimeSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { movieId, screenId, startsAt } = request.body;
      return toShowtimeView(await admin.saveShowtime(await actor(request), { id: request.params.id, movieId, screenId, startsAt: Date.parse(startsAt) }), true);
    },
  );

  app.get<{ Querystring: { limit?: string } }>(
    '/occupancy',
    { schema: { tags: TAGS, security, summary: 'Occupancy of upcoming showtimes', querystring: limitQuery('at most this many showtimes, 1 to 100 (20)'), response: { 200: { type: 'object', properties: { showtimes: { type: 'array', items: occupancySchema } } }, ...denied } } },
    async (request) => ({ showtimes: await admin.upcoming(limitOf(request.query.limit, 20, 100)) }),
  );

  app.get<{ Params: { showtimeId: string } }>(
    '/showtimes/:showtimeId/occupancy',
    { schema: { tags: TAGS, security, summary: 'Seats available, held, booked and blocked; booked seats per kind', params: idParam('showtimeId', 'showtime id'), response: { 200: occupancySchema, ...errors(401, 403, 404) } } },
    async (request) => admin.occupancy(request.params.showtimeId),
  );

  app.get<{ Params: { showtimeId: string } }>(
    '/showtimes/:showtimeId/holds',
    { schema: { tags: TAGS, security, summary: 'Every hold and booking of a showtime, with its owner', params: idParam('showtimeId', 'showtime id'), response: errors(401, 403, 404) } },
    async (request) => ({ holds: await admin.holds(request.params.showtimeId) }),
  );

  app.post<{ Params: { holdId: string }; Body: { reason: string } }>(
    '/holds/:holdId/release',
    {
      schema: {
        tags: TAGS, security, summary: 'Force-release a hold, whoever holds it; the reason goes to the audit log',
        params: idParam('holdId', 'hold id'),
        body: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } } },
        response: errors(400, 401, 403, 404, 409),
      },
    },
    async (request) => ({ audit: await admin.forceRelease(await actor(request), request.params.holdId, request.body.reason) }),
  );

  app.get<{ Querystring: { limit?: string } }>(
    '/audit',
    { schema: { tags: TAGS, security, summary: 'The audit log, newest first', querystring: limitQuery('at most this many entries, 1 to 1000 (100)'), response: denied } },
    async (request) => ({ entries: await admin.audit(limitOf(request.query.limit, 100, 1000)) }),
  );
}
