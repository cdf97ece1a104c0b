import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AccountService } from '../../accounts/account-service.ts';
import type { Actor, AdminService } from '../../admin/admin-service.ts';
import type { LayoutInput } from '../../domain/layout.ts';
import { userOf } from '../plugins/identity.ts';
import { bearer as security, Body, failures, idParam, LayoutSchema, MovieSchema, PricesSchema, ShowtimeSchema, StringEnum, toShowtimeView } from '../schemas.ts';

const TAGS = ['admin'];
const id = Type.String({ maxLength: 64 });
const name = Type.String({ minLength: 1, maxLength: 200 });
const denied = failures('UNAUTHORIZED', 'FORBIDDEN');

const LayoutBody = Type.Object(
  {
    rows: Type.Array(
      Type.Object(
        {
          label: Type.String({ maxLength: 8 }),
          seats: Type.Array(
            Type.Union([
              Type.Null(),
              Type.Object({ number: Type.Integer(), kind: Type.Optional(Type.String()), blocked: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
            ]),
            { maxItems: 200 },
          ),
        },
        { additionalProperties: false },
      ),
      { maxItems: 52 },
    ),
  },
  {
    additionalProperties: false,
    description: 'Rows from the front; in a row, seats left to right, `null` for an aisle gap. Kinds: standard, accessible, premium.',
  },
);

const TheaterSchema = Type.Object({ id: Type.String(), name: Type.String() });
const ScreenSchema = Type.Object({ id: Type.String(), theaterId: Type.String(), name: Type.String(), layout: LayoutSchema });
const OccupancySchema = Type.Object({
  showtimeId: Type.String(),
  movieId: Type.String(),
  screenId: Type.String(),
  startsAt: Type.Integer(),
  version: Type.Integer(),
  total: Type.Integer(),
  available: Type.Integer(),
  held: Type.Integer(),
  booked: Type.Integer(),
  blocked: Type.Integer(),
  bookedByKind: Type.Record(Type.String(), Type.Integer()),
});
const HoldViewSchema = Type.Object({
  holdId: Type.String(),
  owner: Type.String({ description: '`guest:<id>`, `user:<id>` or `fc:<user_id>`' }),
  seats: Type.Array(Type.String()),
  expiresAt: Type.Union([Type.Integer(), Type.Null()]),
  state: StringEnum(['held', 'booked']),
});
export const AuditSchema = Type.Object({
  id: Type.Integer(),
  at: Type.Integer({ description: 'epoch ms' }),
  actor: Type.String(),
  action: Type.String(),
  target: Type.String(),
  details: Type.Object({}, { additionalProperties: true }),
});

// Query strings are strings (the app does not coerce types): a limit is digits, clamped here.
const limitQuery = (description: string) => Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description })) });
const limitOf = (raw: string | undefined, fallback: number, max: number) => Math.min(Math.max(raw === undefined ? fallback : Number(raw), 1), max);

/**
 * The admin API: catalog editing, occupancy, holds and force-release, audit log. Every route is
 * `auth: 'admin'`: the identity hook answers 401 without a token and 403 with a token that is not
 * an admin's, in onRequest, before the body is read: a stranger learns nothing else.
 */
export const adminRoutes: FastifyPluginAsyncTypebox<{ admin: AdminService; accounts: AccountService }> = async (app, opts) => {
  const { admin, accounts } = opts;
  const config = { auth: 'admin' } as const;
  const actor = async (request: FastifyRequest): Promise<Actor> => {
    const caller = userOf(request);
    return { owner: caller.owner, email: (await accounts.user(caller.userId)).email };
  };

  app.get('/movies', { config, schema: { tags: TAGS, security, summary: 'Movies', response: { 200: Type.Object({ movies: Type.Array(MovieSchema) }), ...denied } } }, async () => ({
    movies: await admin.listMovies(),
  }));
  app.get('/theaters', { config, schema: { tags: TAGS, security, summary: 'Theaters', response: { 200: Type.Object({ theaters: Type.Array(TheaterSchema) }), ...denied } } }, async () => ({
    theaters: await admin.listTheaters(),
  }));
  app.get('/screens', { config, schema: { tags: TAGS, security, summary: 'Screens with their layouts', response: { 200: Type.Object({ screens: Type.Array(ScreenSchema) }), ...denied } } }, async () => ({
    screens: await admin.listScreens(),
  }));
  app.get('/showtimes', { config, schema: { tags: TAGS, security, summary: 'Showtimes', response: { 200: Type.Object({ showtimes: Type.Array(ShowtimeSchema) }), ...denied } } }, async () => ({
    showtimes: (await admin.listShowtimes()).map((s) => toShowtimeView(s, false)),
  }));

  app.put(
    '/movies/:id',
    {
      config,
      schema: {
        tags: TAGS, security, summary: 'Create or update a movie', params: idParam('id', 'movie id'),
        body: Body({ title: name, durationMinutes: Type.Integer({ minimum: 1, maximum: 1000 }) }),
        response: { 200: MovieSchema, ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'FORBIDDEN') },
      },
    },
    async (request) => admin.saveMovie(await actor(request), { id: request.params.id, ...request.body }),
  );

  app.put(
    '/theaters/:id',
    {
      config,
      schema: {
        tags: TAGS, security, summary: 'Create or update a theater', params: idParam('id', 'theater id'),
        body: Body({ name }),
        response: { 200: TheaterSchema, ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'FORBIDDEN') },
      },
    },
    async (request) => admin.saveTheater(await actor(request), { id: request.params.id, ...request.body }),
  );

  app.put(
    '/screens/:id',
    {
      config,
      schema: {
        tags: TAGS, security, summary: 'Create or update a screen and its seat layout',
        description: 'A layout change is refused (409 LAYOUT_LOCKED) once a showtime of the screen has bookings. Layout mistakes (no rows, an empty row, a bad row label, a seat twice, an unknown kind) are 400s that name the row or seat.',
        params: idParam('id', 'screen id'),
        body: Body({ theaterId: id, name, layout: LayoutBody }),
        response: { 200: Type.Object({ id: Type.String(), theaterId: Type.String(), name: Type.String() }), ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'FORBIDDEN', 'THEATER_NOT_FOUND', 'LAYOUT_LOCKED') },
      },
    },
    async (request) => {
      // A seat's kind is any string here: parseLayout refuses an unknown one with a 400 that names the seat.
      const layout = request.body.layout as LayoutInput;
      const screen = await admin.saveScreen(await actor(request), { id: request.params.id, ...request.body, layout });
      return { id: screen.id, theaterId: screen.theaterId, name: screen.name };
    },
  );

  app.put(
    '/showtimes/:id',
    {
      config,
      schema: {
        tags: TAGS, security, summary: 'Create or update a showtime',
        description:
          "Refused (409 SHOWTIME_OVERLAP) when another showtime of the screen runs at the same time (start to start + the movie's length). Without `prices` a new showtime is free and an existing one keeps its prices; a new price applies to checkouts from then on (an order keeps the prices it was checked out with).",
        params: idParam('id', 'showtime id'),
        body: Body({ movieId: id, screenId: id, startsAt: Type.String({ format: 'date-time' }), prices: Type.Optional(PricesSchema) }),
        response: { 200: ShowtimeSchema, ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'FORBIDDEN', 'MOVIE_NOT_FOUND', 'SCREEN_NOT_FOUND', 'SHOWTIME_OVERLAP', 'LAYOUT_LOCKED') },
      },
    },
    async (request) => {
      const { movieId, screenId, startsAt, prices } = request.body;
      return toShowtimeView(await admin.saveShowtime(await actor(request), { id: request.params.id, movieId, screenId, startsAt: Date.parse(startsAt), ...(prices && { prices }) }), true);
    },
  );

  app.get(
    '/occupancy',
    {
      config,
      schema: {
        tags: TAGS, security, summary: 'Occupancy of upcoming showtimes',
        querystring: limitQuery('at most this many showtimes, 1 to 100 (20)'),
        response: { 200: Type.Object({ showtimes: Type.Array(OccupancySchema) }), ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'FORBIDDEN') },
      },
    },
    async (request) => ({ showtimes: await admin.upcoming(limitOf(request.query.limit, 20, 100)) }),
  );

  app.get(
    '/showtimes/:showtimeId/occupancy',
    {
      config,
      schema: {
        tags: TAGS, security, summary: 'Seats available, held, booked and blocked; booked seats per kind',
        params: idParam('showtimeId', 'showtime id'),
        response: { 200: OccupancySchema, ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'FORBIDDEN', 'SHOWTIME_NOT_FOUND') },
      },
    },
    async (request) => admin.occupancy(request.params.showtimeId),
  );

  app.get(
    '/showtimes/:showtimeId/holds',
    {
      config,
      schema: {
        tags: TAGS, security, summary: 'Every hold and booking of a showtime, with its owner',
        params: idParam('showtimeId', 'showtime id'),
        response: { 200: Type.Object({ holds: Type.Array(HoldViewSchema) }), ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'FORBIDDEN', 'SHOWTIME_NOT_FOUND') },
      },
    },
    async (request) => ({ holds: await admin.holds(request.params.showtimeId) }),
  );

  app.post(
    '/holds/:holdId/release',
    {
      config,
      schema: {
        tags: TAGS, security, summary: 'Force-release a hold, whoever holds it; the reason goes to the audit log',
        params: idParam('holdId', 'hold id'),
        body: Body({ reason: Type.String({ minLength: 1, maxLength: 500 }) }),
        response: { 200: Type.Object({ audit: AuditSchema }), ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'FORBIDDEN', 'HOLD_NOT_FOUND', 'HOLD_CONFIRMED') },
      },
    },
    async (request) => ({ audit: await admin.forceRelease(await actor(request), request.params.holdId, request.body.reason) }),
  );

  app.get(
    '/audit',
    {
      config,
      schema: {
        tags: TAGS, security, summary: 'The audit log, newest first',
        querystring: limitQuery('at most this many entries, 1 to 1000 (100)'),
        response: { 200: Type.Object({ entries: Type.Array(AuditSchema) }), ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'FORBIDDEN') },
      },
    },
    async (request) => ({ entries: await admin.audit(limitOf(request.query.limit, 100, 1000)) }),
  );
};
