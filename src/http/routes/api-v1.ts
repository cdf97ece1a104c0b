import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { BookingService } from '../../booking/booking-service.ts';
import type { BookingRepository } from '../../domain/booking-repository.ts';
import type { SeatMap } from '../../domain/booking.ts';
import { BoxofficeError } from '../../domain/errors.ts';
import { optionalOwner, requireOwner, type Identity } from '../identity.ts';
import type { RouteLimits } from '../rate-limits.ts';
import {
  bookingSchema,
  errors,
  holdSchema,
  idParam,
  seatMapSchema,
  showtimeSchema,
  toBookingView,
  toHoldView,
  toSeatMapView,
  toShowtimeView,
} from '../schemas.ts';

const movieSchema = {
  type: 'object',
  required: ['id', 'title', 'durationMinutes'],
  properties: { id: { type: 'string' }, title: { type: 'string' }, durationMinutes: { type: 'integer' } },
} as const;
const bearer = [{ bearer: [] }];

/** The product's own API. Identity is a server-issued guest token; routes stay thin. */
export async function apiV1Routes(
  app: FastifyInstance,
  opts: { service: BookingService; repository: BookingRepository; identity: Identity; limits: RouteLimits },
): Promise<void> {
  const { service, repository, identity, limits } = opts;
  const anonymousJson = new WeakMap<SeatMap, string>();

  app.post(
    '/guests',
    {
      schema: {
        tags: ['identity'],
        summary: 'Get a guest token',
        description: 'Send it back as `Authorization: Bearer <token>` to hold, confirm and see your own holds and bookings.',
        response: { 201: { type: 'object', required: ['token'], properties: { token: { type: 'string' } } } },
      },
    },
    async (_request, reply) => reply.status(201).send({ token: identity.guests.issue().token }),
  );

  app.get('/movies', { schema: { tags: ['catalog'], summary: 'List movies', response: { 200: { type: 'object', properties: { movies: { type: 'array', items: movieSchema } } } } } }, async () => ({
    movies: await repository.listMovies(),
  }));

  app.get<{ Params: { movieId: string } }>(
    '/movies/:movieId',
    {
      schema: {
        tags: ['catalog'],
        summary: 'A movie and its showtimes',
        params: idParam('movieId', 'movie id'),
        response: { 200: { type: 'object', properties: { movie: movieSchema, showtimes: { type: 'array', items: showtimeSchema } } }, ...errors(404) },
      },
    },
    async (request) => {
      const movie = await repository.getMovie(request.params.movieId);
      if (!movie) throw new BoxofficeError('MOVIE_NOT_FOUND', `movie ${request.params.movieId} does not exist`, { movieId: request.params.movieId });
      const showtimes = await repository.listShowtimes({ movieId: movie.id });
      return { movie, showtimes: showtimes.map((s) => toShowtimeView(s, false)) };
    },
  );

  app.get<{ Querystring: { movieId?: string } }>(
    '/showtimes',
    {
      schema: {
        tags: ['catalog'],
        summary: 'List showtimes',
        querystring: { type: 'object', properties: { movieId: { type: 'string', maxLength: 200 } } },
        response: { 200: { type: 'object', properties: { showtimes: { type: 'array', items: showtimeSchema } } }, ...errors(400) },
      },
    },
    async (request) => ({
      showtimes: (await repository.listShowtimes(request.query.movieId ? { movieId: request.query.movieId } : {})).map((s) => toShowtimeView(s, false)),
    }),
  );

  app.get<{ Params: { showtimeId: string } }>(
    '/showtimes/:showtimeId',
    { schema: { tags: ['catalog'], summary: 'A showtime with its seat layout', params: idParam('showtimeId', 'showtime id'), response: { 200: showtimeSchema, ...errors(404) } } },
    async (request) => toShowtimeView(await service.showtime(request.params.showtimeId), true),
  );

  app.get<{ Params: { showtimeId: string } }>(
    '/showtimes/:showtimeId/seats',
    {
      schema: {
        tags: ['seats'],
        summary: 'The live seat map',
        description: 'With a bearer token, held and booked seats carry `mine`.',
        params: idParam('showtimeId', 'showtime id'),
        response: { 200: seatMapSchema, ...errors(401, 404) },
      },
    },
    async (request, reply) => {
      const viewer = await optionalOwner(identity, request);
      const map = await service.seatMap(request.params.showtimeId);
      // A map is reused while nothing changes (BookingService.seatMap): so is its JSON, for everyone
      // who holds none of its seats (their view has no `mine: true`, the same bytes as a stranger's).
      if (viewer !== null && map.seats.some((s) => s.owner === viewer)) return toSeatMapView(map, viewer);
      let json = anonymousJson.get(map);
      if (json === undefined) anonymousJson.set(map, (json = JSON.stringify(toSeatMapView(map, null))));
      return reply.type('application/json; charset=utf-8').send(json);
    },
  );

  app.post<{ Params: { showtimeId: string }; Body: { seats: string[] } }>(
    '/showtimes/:showtimeId/holds',
    {
      schema: {
        tags: ['holds'],
        summary: 'Hold several seats at once (all or none)',
        security: bearer,
        params: idParam('showtimeId', 'showtime id'),
        body: {
          type: 'object',
          required: ['seats'],
          additionalProperties: false,
          properties: { seats: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', maxLength: 8 } } },
        },
        response: { 201: holdSchema, ...errors(400, 401, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const owner = await requireOwner(identity, request);
      await limits.holds(request, owner);
      const hold = await service.holdSeats({ showtimeId: request.params.showtimeId, owner, seats: request.body.seats });
      return reply.status(201).send(toHoldView(hold));
    },
  );

  app.get<{ Params: { showtimeId: string } }>(
    '/showtimes/:showtimeId/holds',
    {
      schema: {
        tags: ['holds'],
        summary: 'My holds for a showtime',
        security: bearer,
        params: idParam('showtimeId', 'showtime id'),
        response: { 200: { type: 'object', properties: { holds: { type: 'array', items: holdSchema } } }, ...errors(401, 404) },
      },
    },
    async (request) => ({ holds: (await service.holdsOf(request.params.showtimeId, await requireOwner(identity, request))).map(toHoldView) }),
  );

  app.post<{ Params: { holdId: string } }>(
    '/holds/:holdId/extend',
    {
      schema: {
        tags: ['holds'],
        summary: 'Extend a hold (up to its maximum life)',
        security: bearer,
        params: idParam('holdId', 'hold id'),
        response: { 200: holdSchema, ...errors(401, 403, 404, 409, 410) },
      },
    },
    async (request) => toHoldView(await service.extendHold({ holdId: request.params.holdId, owner: await requireOwner(identity, request) })),
  );

  app.delete<{ Params: { holdId: string } }>(
    '/holds/:holdId',
    {
      schema: {
        tags: ['holds'],
        summary: 'Release a hold (idempotent)',
        security: bearer,
        params: idParam('holdId', 'hold id'),
        response: { 204: { type: 'null' }, ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await service.releaseHold({ holdId: request.params.holdId, owner: await requireOwner(identity, request) });
      return reply.status(204).send();
    },
  );

  app.post<{ Params: { holdId: string } }>(
    '/holds/:holdId/confirm',
    {
      schema: {
        tags: ['holds'],
        summary: 'Confirm a hold into a booking (idempotent: the same hold gives the same booking)',
        security: bearer,
        params: idParam('holdId', 'hold id'),
        response: { 200: bookingSchema, ...errors(401, 403, 404, 409, 410, 429) },
      },
    },
    async (request) => {
      const owner = await requireOwner(identity, request);
      await limits.confirms(request, owner);
      return toBookingView(await service.confirmHold({ holdId: request.params.holdId, owner }));
    },
  );

  app.get(
    '/bookings',
    {
      schema: {
        tags: ['bookings'],
        summary: 'My bookings',
        security: bearer,
        response: { 200: { type: 'object', properties: { bookings: { type: 'array', items: bookingSchema } } }, ...errors(401) },
      },
    },
    async (request) => ({ bookings: (await service.bookingsOf(await requireOwner(identity, request))).map(toBookingView) }),
  );
}
