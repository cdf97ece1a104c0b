import type {} from '@fastify/swagger';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { BookingService } from '../../booking/booking-service.ts';
import type { BookingRepository } from '../../domain/booking-repository.ts';
import type { Showtime } from '../../domain/booking.ts';
import { BoxofficeError, invalidInput } from '../../domain/errors.ts';
import { layoutSize } from '../../domain/layout.ts';
import { callerOf } from '../plugins/identity.ts';
import { NoContent, StringEnum } from '../schemas.ts';

/** FirstClick holds last 20 seconds; its clients count down from that. */
export const FIRSTCLICK_HOLD_MS = 20_000;
const FC = 'fc:';
const TAGS = ['firstclick'];

// FirstClick (Go + Gin) ignores JSON fields it does not know, so its clients may send more than
// `user_id`: unlike /api/v1, this surface accepts and ignores them.
const UserBody = Type.Object({ user_id: Type.Optional(Type.String({ maxLength: 200 })) });
const FcError = Type.Object({ error: Type.String() }, { additionalProperties: true });
const fcErrors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, FcError])) as Record<number, typeof FcError>;
const SessionParams = Type.Object({ sessionId: Type.String({ maxLength: 200 }) });

/** The identity of this surface: the user_id it is sent, trusted as FirstClick does, in its own `fc:` namespace. */
async function firstClickUser(request: FastifyRequest): Promise<void> {
  const userId = (request.body as { user_id?: unknown } | undefined)?.user_id;
  if (typeof userId !== 'string' || userId.length === 0) throw invalidInput('user_id is required');
  request.caller = { owner: FC + userId, role: 'guest' };
}

/**
 * The FirstClick compatibility surface (SPEC.md §4), exact paths, fields and statuses. A movie
 * stands for its first showtime. Holds and confirms count against the same limits as /api/v1's,
 * per user_id and per address, and a user_id holds at most MAX_SEATS_PER_OWNER seats of a movie
 * (BookingService): made-up user_ids do not get an address past its budget.
 */
export const firstClickRoutes: FastifyPluginAsyncTypebox<{ service: BookingService; repository: BookingRepository }> = async (app, opts) => {
  const { service, repository } = opts;
  const { limits } = app;
  // An expired session is "unknown or expired": 404 on this surface.
  const config = { statusOverrides: { HOLD_EXPIRED: 404 } };

  async function showtimeOf(movieId: string): Promise<Showtime> {
    const [showtime] = await repository.listShowtimes({ movieId });
    if (!showtime) throw new BoxofficeError('MOVIE_NOT_FOUND', { movieId });
    return showtime;
  }

  app.get(
    '/movies',
    {
      schema: {
        tags: TAGS,
        summary: 'List movies (FirstClick)',
        response: { 200: Type.Array(Type.Object({ id: Type.String(), title: Type.String(), rows: Type.Integer(), seats_per_row: Type.Integer() })) },
      },
    },
    async () => {
      const movies = await repository.listMovies();
      const out = [];
      for (const movie of movies) {
        const [showtime] = await repository.listShowtimes({ movieId: movie.id });
        if (!showtime) continue;
        const { rows, seatsPerRow } = layoutSize(showtime.layout);
        out.push({ id: movie.id, title: movie.title, rows, seats_per_row: seatsPerRow });
      }
      return out;
    },
  );

  app.get(
    '/movies/:movieId/seats',
    {
      schema: {
        tags: TAGS,
        summary: 'Seats that are not available (FirstClick)',
        params: Type.Object({ movieId: Type.String({ maxLength: 200 }) }),
        response: {
          200: Type.Array(
            Type.Object({
              seat_id: Type.String(),
              status: StringEnum(['hold', 'confirmed']),
              booked: Type.Boolean(),
              confirmed: Type.Boolean(),
              user_id: Type.String(),
              expires_at: Type.Optional(Type.Integer({ description: 'epoch ms, for holds' })),
            }),
          ),
          ...fcErrors(400, 404, 503),
        },
      },
    },
    async (request) => {
      const showtime = await showtimeOf(request.params.movieId);
      const map = await service.seatMap(showtime.id);
      return map.seats
        .filter((s) => s.status === 'held' || s.status === 'booked')
        .map((s) => ({
          seat_id: s.id,
          status: s.status === 'held' ? ('hold' as const) : ('confirmed' as const),
          booked: true,
          confirmed: s.status === 'booked',
          user_id: s.owner?.startsWith(FC) ? s.owner.slice(FC.length) : 'guest',
          ...(s.status === 'held' && { expires_at: s.expiresAt }),
        }));
    },
  );

  app.post(
    '/movies/:movieId/seats/:seatId/hold',
    {
      config,
      preHandler: [firstClickUser, limits.holds],
      schema: {
        tags: TAGS,
        summary: 'Hold one seat for 20 s (FirstClick)',
        params: Type.Object({ movieId: Type.String({ maxLength: 200 }), seatId: Type.String({ maxLength: 200 }) }),
        body: UserBody,
        response: {
          200: Type.Object({ session_id: Type.String(), movie_id: Type.String(), seat_id: Type.String(), expires_at: Type.Integer({ description: 'epoch ms' }) }),
          ...fcErrors(400, 404, 409, 429, 503),
        },
      },
    },
    async (request) => {
      const { movieId, seatId } = request.params;
      const showtime = await showtimeOf(movieId);
      if (!showtime.layout.rows.some((r) => r.seats.some((s) => s?.id === seatId))) {
        throw new BoxofficeError('SEAT_NOT_FOUND', `movie ${movieId} has no seat ${seatId}`, { seats: [seatId] });
      }
      const hold = await service.holdSeats({ showtimeId: showtime.id, owner: callerOf(request).owner, seats: [seatId], ttlMs: FIRSTCLICK_HOLD_MS });
      return { session_id: hold.id, movie_id: movieId, seat_id: seatId, expires_at: hold.expiresAt };
    },
  );

  app.put(
    '/sessions/:sessionId/confirm',
    {
      config,
      preHandler: [firstClickUser, limits.confirms],
      schema: {
        tags: TAGS,
        summary: 'Confirm a held seat (FirstClick)',
        description: 'Only a free showtime: a seat with a price is sold through checkout on /api/v1 (402 PAYMENT_REQUIRED here).',
        params: SessionParams,
        body: UserBody,
        response: { 204: NoContent, ...fcErrors(400, 402, 403, 404, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      const holdId = request.params.sessionId;
      const { owner } = callerOf(request);
      await service.confirmHold({ holdId, owner });
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/sessions/:sessionId',
    {
      config,
      preHandler: firstClickUser,
      schema: { tags: TAGS, summary: 'Release a held seat (FirstClick)', params: SessionParams, body: UserBody, response: { 204: NoContent, ...fcErrors(400, 403, 409, 503) } },
    },
    async (request, reply) => {
      try {
        await service.releaseHold({ holdId: request.params.sessionId, owner: callerOf(request).owner });
      } catch (e) {
        // "204 also when already released": an unknown session is one that is gone.
        if (!(e instanceof BoxofficeError && e.code === 'HOLD_NOT_FOUND')) throw e;
      }
      return reply.status(204).send(null);
    },
  );
};
