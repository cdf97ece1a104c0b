import type {} from '@fastify/swagger';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import '../../checkout/checkout-errors.ts';
import { MAX_BEST_COUNT, type BookingService } from '../../booking/booking-service.ts';
import type { BookingRepository } from '../../domain/booking-repository.ts';
import type { Hold, SeatMap, Showtime } from '../../domain/booking.ts';
import { BoxofficeError } from '../../domain/errors.ts';
import type { Rating } from '../../domain/orders.ts';
import { callerOf } from '../plugins/identity.ts';
import {
  bearer,
  Body,
  BookingSchema,
  failures,
  HoldSchema,
  idParam,
  NoContent,
  SeatMapSchema,
  ShowtimeSchema,
  toBookingView,
  toHoldView,
  toSeatMapView,
  toShowtimeView,
} from '../schemas.ts';
import { RatedMovieSchema } from '../review-schemas.ts';

/**
 * The product's own API. Identity is a server-issued guest token or a user's access token,
 * resolved by the identity hook (`config.auth`); limits are preHandlers; routes stay thin.
 */
export const apiV1Routes: FastifyPluginAsyncTypebox<{
  service: BookingService;
  repository: BookingRepository;
  /** Movies' ratings from their visible reviews (src/reviews/review-service.ts). */
  ratings: { ratings(movieIds?: readonly string[]): Promise<Map<string, Rating>> };
  /** Releases a hold, and cancels the order waiting for its payment with it (src/checkout/order-service.ts). */
  release: { releaseHold(req: { holdId: string; owner: string }): Promise<void> };
}> = async (app, opts) => {
  const { service, repository, ratings, release } = opts;
  const rated = async <M extends { id: string }>(movies: M[]) => {
    const known = await ratings.ratings(movies.length === 1 ? [movies[0]!.id] : undefined);
    return movies.map((m) => ({ ...m, rating: known.get(m.id) ?? { average: null, count: 0 } }));
  };
  const { limits } = app;
  /** Showtimes as the catalog shows them, each with its seats left (null while the store is down: the catalog still answers). */
  const withSeatsLeft = (showtimes: Showtime[], withLayout: boolean) =>
    Promise.all(
      showtimes.map(async (s) => {
        let left: number | null;
        try {
          left = await service.seatsLeft(s.id);
        } catch (e) {
          if (!(e instanceof BoxofficeError && e.code === 'STORE_UNAVAILABLE')) throw e;
          left = null;
        }
        return toShowtimeView(s, withLayout, left);
      }),
    );
  /** A hold as every hold answer shows it: with how far it can be extended, and its prices when the showtime is known. */
  const holdView = (hold: Hold, showtime?: Showtime) => toHoldView(hold, service.maxExpiresAt(hold), showtime);
  const anonymousJson = new WeakMap<SeatMap, string>();

  app.post(
    '/guests',
    {
      preHandler: limits.guests,
      schema: {
        tags: ['identity'],
        summary: 'Get a guest token',
        description: 'Send it back as `Authorization: Bearer <token>` to hold, confirm and see your own holds and bookings. Limited per address (RATE_LIMIT_GUESTS a minute).',
        response: { 201: Type.Object({ token: Type.String() }), ...failures('RATE_LIMITED') },
      },
    },
    async (_request, reply) => reply.status(201).send({ token: app.identity.guests.issue().token }),
  );

  app.get('/movies', { schema: { tags: ['catalog'], summary: 'List movies, with their ratings', response: { 200: Type.Object({ movies: Type.Array(RatedMovieSchema) }) } } }, async () => ({
    movies: await rated(await repository.listMovies()),
  }));

  app.get(
    '/movies/:movieId',
    {
      schema: {
        tags: ['catalog'],
        summary: 'A movie, its rating and its showtimes (each with its seats left)',
        params: idParam('movieId', 'movie id'),
        response: { 200: Type.Object({ movie: RatedMovieSchema, showtimes: Type.Array(ShowtimeSchema) }), ...failures('INVALID_INPUT', 'MOVIE_NOT_FOUND') },
      },
    },
    async (request) => {
      const { movieId } = request.params;
      const movie = await repository.getMovie(movieId);
      if (!movie) throw new BoxofficeError('MOVIE_NOT_FOUND', { movieId });
      const showtimes = await repository.listShowtimes({ movieId: movie.id });
      const [withRating] = await rated([movie]);
      return { movie: withRating!, showtimes: await withSeatsLeft(showtimes, false) };
    },
  );

  app.get(
    '/showtimes',
    {
      schema: {
        tags: ['catalog'],
        summary: 'List showtimes, each with its seats left',
        description: '`seatsLeft`: seats available now, at most a second old (for "filling fast" and "sold out"); null while the hold store is not answering.',
        querystring: Type.Object({ movieId: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: Type.Object({ showtimes: Type.Array(ShowtimeSchema) }), ...failures('INVALID_INPUT') },
      },
    },
    async (request) => ({
      showtimes: await withSeatsLeft(await repository.listShowtimes(request.query.movieId ? { movieId: request.query.movieId } : {}), false),
    }),
  );

  app.get(
    '/showtimes/:showtimeId',
    {
      schema: {
        tags: ['catalog'],
        summary: 'A showtime with its seat layout and seats left',
        params: idParam('showtimeId', 'showtime id'),
        response: { 200: ShowtimeSchema, ...failures('INVALID_INPUT', 'SHOWTIME_NOT_FOUND') },
      },
    },
    async (request) => (await withSeatsLeft([await service.showtime(request.params.showtimeId)], true))[0]!,
  );

  app.get(
    '/showtimes/:showtimeId/seats',
    {
      config: { auth: 'optional' },
      schema: {
        tags: ['seats'],
        summary: 'The live seat map',
        description: 'With a bearer token, held and booked seats carry `mine`.',
        params: idParam('showtimeId', 'showtime id'),
        response: { 200: SeatMapSchema, ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'SHOWTIME_NOT_FOUND', 'STORE_UNAVAILABLE') },
      },
    },
    async (request, reply) => {
      const viewer = request.caller?.owner ?? null;
      const map = await service.seatMap(request.params.showtimeId);
      // A map is reused while nothing changes (BookingService.seatMap): so is its JSON, for everyone
      // who holds none of its seats (their view has no `mine: true`, the same bytes as a stranger's).
      if (viewer !== null && map.seats.some((s) => s.owner === viewer)) return toSeatMapView(map, viewer);
      let json = anonymousJson.get(map);
      if (json === undefined) anonymousJson.set(map, (json = JSON.stringify(toSeatMapView(map, null))));
      // Pre-serialized JSON: Fastify sends a string as it is, past the response schema.
      return reply.type('application/json; charset=utf-8').send(json as never);
    },
  );

  app.post(
    '/showtimes/:showtimeId/holds',
    {
      config: { auth: 'caller' },
      preHandler: limits.holds,
      schema: {
        tags: ['holds'],
        summary: 'Hold several seats at once (all or none), named or the best available',
        description: [
          'Send exactly one of `seats` (the seats to hold) and `best` (how many seats to find). Either way the hold is all or none and counts against MAX_SEATS_PER_OWNER and the hold rate limits.',
          '',
          '`best` finds the best free seats: `count` (1 to 10) adjacent seats in one row (an aisle breaks a row), nearest the middle of the row about 60% of the way back from the screen, never leaving a single free seat stranded beside the block when another block with the accessible places asked for exists; `accessible` of them (default 0) accessible places, the rest not accessible when possible. With `together` (default true) and no such block: 409 `NO_SEATS_TOGETHER` whose `details.split` names the seats a split would take (not held); ask again with `"together": false` to hold them. Too few free seats: 409 `NOT_ENOUGH_SEATS` with `details.available`. A rival taking a chosen seat meanwhile makes the server pick again (up to 5 tries, then 409 `SEAT_UNAVAILABLE`); it never holds part of a pick.',
        ].join('\n'),
        security: bearer,
        params: idParam('showtimeId', 'showtime id'),
        body: Body(
          {
            seats: Type.Optional(Type.Array(Type.String({ maxLength: 8 }), { minItems: 1, maxItems: 100, description: 'the seats to hold' })),
            best: Type.Optional(
              Type.Object(
                {
                  count: Type.Integer({ minimum: 1, maximum: MAX_BEST_COUNT, description: 'seats wanted' }),
                  accessible: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_BEST_COUNT, description: 'how many of them are accessible places (at most count; default 0)' })),
                  together: Type.Optional(Type.Boolean({ description: 'one block in one row (default true); false holds the best split when no block exists' })),
                },
                { additionalProperties: false, description: 'find the best free seats instead of naming them' },
              ),
            ),
          },
          { examples: [{ seats: ['F10', 'F11'] }, { best: { count: 3, accessible: 0 } }, { best: { count: 4, accessible: 1, together: false } }] },
        ),
        response: {
          201: HoldSchema,
          ...failures(
            'INVALID_INPUT',
            'UNAUTHORIZED',
            'SHOWTIME_NOT_FOUND',
            'SEAT_NOT_FOUND',
            'SEAT_UNAVAILABLE',
            'NO_SEATS_TOGETHER',
            'NOT_ENOUGH_SEATS',
            'HOLD_LIMIT_EXCEEDED',
            'RATE_LIMITED',
            'STORE_UNAVAILABLE',
          ),
        },
      },
    },
    async (request, reply) => {
      const hold = await service.hold({ showtimeId: request.params.showtimeId, owner: callerOf(request).owner, ...request.body });
      return reply.status(201).send(holdView(hold, await service.showtime(hold.showtimeId)));
    },
  );

  app.get(
    '/showtimes/:showtimeId/holds',
    {
      config: { auth: 'caller' },
      schema: {
        tags: ['holds'],
        summary: 'My holds for a showtime',
        security: bearer,
        params: idParam('showtimeId', 'showtime id'),
        response: { 200: Type.Object({ holds: Type.Array(HoldSchema) }), ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'SHOWTIME_NOT_FOUND', 'STORE_UNAVAILABLE') },
      },
    },
    async (request) => {
      const holds = await service.holdsOf(request.params.showtimeId, callerOf(request).owner);
      const showtime = await service.showtime(request.params.showtimeId);
      return { holds: holds.map((h) => holdView(h, showtime)) };
    },
  );

  app.get(
    '/holds',
    {
      config: { auth: 'caller' },
      schema: {
        tags: ['holds'],
        summary: 'My live holds in every current showtime',
        description:
          'Held (not yet expired) or confirming, in every showtime that starts later or started at most 24 h ago, oldest first: what a page restores after a reload or in a second tab.',
        security: bearer,
        response: { 200: Type.Object({ holds: Type.Array(HoldSchema) }), ...failures('UNAUTHORIZED', 'STORE_UNAVAILABLE') },
      },
    },
    async (request) => ({
      holds: (await service.liveHoldsOf(callerOf(request).owner)).map(({ hold, showtime }) => holdView(hold, showtime)),
    }),
  );

  app.post(
    '/holds/:holdId/extend',
    {
      config: { auth: 'caller' },
      preHandler: limits.extends,
      schema: {
        tags: ['holds'],
        summary: 'Extend a hold (up to its maximum life)',
        description: 'Limited per caller and per address (RATE_LIMIT_EXTENDS a minute).',
        security: bearer,
        params: idParam('holdId', 'hold id'),
        response: { 200: HoldSchema, ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'NOT_HOLD_OWNER', 'HOLD_NOT_FOUND', 'HOLD_CONFIRMED', 'HOLD_EXPIRED', 'RATE_LIMITED', 'STORE_UNAVAILABLE') },
      },
    },
    async (request) => {
      const hold = await service.extendHold({ holdId: request.params.holdId, owner: callerOf(request).owner });
      return holdView(hold, await service.showtime(hold.showtimeId));
    },
  );

  app.delete(
    '/holds/:holdId',
    {
      config: { auth: 'caller' },
      schema: {
        tags: ['holds'],
        summary: 'Release a hold (idempotent)',
        description: 'A hold that was checked out goes with its order: the order waiting for its payment is cancelled (409 PAYMENT_IN_PROGRESS while a payment of it is being processed).',
        security: bearer,
        params: idParam('holdId', 'hold id'),
        response: { 204: NoContent, ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'NOT_HOLD_OWNER', 'HOLD_NOT_FOUND', 'HOLD_CONFIRMED', 'PAYMENT_IN_PROGRESS', 'STORE_UNAVAILABLE') },
      },
    },
    async (request, reply) => {
      await release.releaseHold({ holdId: request.params.holdId, owner: callerOf(request).owner });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/holds/:holdId/confirm',
    {
      config: { auth: 'caller' },
      preHandler: limits.confirms,
      schema: {
        tags: ['holds'],
        summary: 'Confirm a hold of a free showtime into a booking (idempotent: the same hold gives the same booking)',
        description: 'A showtime with a price is bought through checkout (POST /api/v1/holds/{holdId}/checkout, then a payment): confirming its hold here is 402 PAYMENT_REQUIRED.',
        security: bearer,
        params: idParam('holdId', 'hold id'),
        response: {
          200: BookingSchema,
          ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'PAYMENT_REQUIRED', 'NOT_HOLD_OWNER', 'HOLD_NOT_FOUND', 'SEAT_NOT_FOUND', 'SEAT_UNAVAILABLE', 'HOLD_EXPIRED', 'RATE_LIMITED', 'STORE_UNAVAILABLE'),
        },
      },
    },
    async (request) => {
      const { holdId } = request.params;
      const { owner } = callerOf(request);
      return toBookingView(await service.confirmHold({ holdId, owner }));
    },
  );

  app.get(
    '/bookings',
    {
      config: { auth: 'caller' },
      schema: {
        tags: ['bookings'],
        summary: 'My bookings',
        security: bearer,
        response: { 200: Type.Object({ bookings: Type.Array(BookingSchema) }), ...failures('UNAUTHORIZED') },
      },
    },
    async (request) => ({ bookings: (await service.bookingsOf(callerOf(request).owner)).map(toBookingView) }),
  );
};
