import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { BookingService } from '../../booking/booking-service.ts';
import type { BookingRepository } from '../../domain/booking-repository.ts';
import type { Showtime } from '../../domain/booking.ts';
import { BoxofficeError, invalidInput } from '../../domain/errors.ts';
import { layoutSize } from '../../domain/layout.ts';

/** FirstClick holds last 20 seconds; its clients count down from that. */
export const FIRSTCLICK_HOLD_MS = 20_000;
const FC = 'fc:';

const userBody = {
  type: 'object',
  properties: { user_id: { type: 'string', maxLength: 200 } },
} as const;
const errorResponse = { type: 'object', properties: { error: { type: 'string' } } } as const;

/**
 * The FirstClick compatibility surface (SPEC.md §4), exact paths, fields and statuses. It trusts
 * the user_id it is sent, as FirstClick does; those owners live in their own `fc:` namespace.
 * A movie stands for its first showtime.
 */
export async function firstClickRoutes(app: FastifyInstance, opts: { service: BookingService; repository: BookingRepository }): Promise<void> {
  const { service, repository } = opts;
  // An expired session is "unknown or expired": 404 on this surface.
  const config = { statusOverrides: { HOLD_EXPIRED: 404, HOLD_CONFIRMED: 409 } };

  async function showtimeOf(movieId: string): Promise<Showtime> {
    const [showtime] = await repository.listShowtimes({ movieId });
    if (!showtime) throw new BoxofficeError('MOVIE_NOT_FOUND', `movie ${movieId} does not exist`, { movieId });
    return showtime;
  }

  function userOf(body: unknown): string {
    const userId = (body as { user_id?: unknown } | undefined)?.user_id;
    if (typeof userId !== 'string' || userId.length === 0) throw invalidInput('user_id is required');
    return FC + userId;
  }

  app.get('/movies', { schema: { tags: ['firstclick'], summary: 'List movies (FirstClick)' } }, async () => {
    const movies = await repository.listMovies();
    const out = [];
    for (const movie of movies) {
      const [showtime] = await repository.listShowtimes({ movieId: movie.id });
      if (!showtime) continue;
      const { rows, seatsPerRow } = layoutSize(showtime.layout);
      out.push({ id: movie.id, title: movie.title, rows, seats_per_row: seatsPerRow });
    }
    return out;
  });

  app.get<{ Params: { movieId: string } }>(
    '/movies/:movieId/seats',
    { schema: { tags: ['firstclick'], summary: 'Seats that are not available (FirstClick)', response: { 404: errorResponse } } },
    async (request) => {
      const showtime = await showtimeOf(request.params.movieId);
      const map = await service.seatMap(showtime.id);
      return map.seats
        .filter((s) => s.status === 'held' || s.status === 'booked')
        .map((s) => ({
          seat_id: s.id,
          status: s.status === 'held' ? 'hold' : 'confirmed',
          booked: true,
          confirmed: s.status === 'booked',
          user_id: s.owner?.startsWith(FC) ? s.owner.slice(FC.length) : 'guest',
          ...(s.status === 'held' && { expires_at: s.expiresAt }),
        }));
    },
  );

  app.post<{ Params: { movieId: string; seatId: string }; Body: { user_id?: string } }>(
    '/movies/:movieId/seats/:seatId/hold',
    { config, schema: { tags: ['firstclick'], summary: 'Hold one seat for 20 s (FirstClick)', body: userBody } },
    async (request) => {
      const owner = userOf(request.body);
      const showtime = await showtimeOf(request.params.movieId);
      const seatId = request.params.seatId;
      if (!showtime.layout.rows.some((r) => r.seats.some((s) => s?.id === seatId))) {
        throw new BoxofficeError('SEAT_NOT_FOUND', `movie ${request.params.movieId} has no seat ${seatId}`, { seats: [seatId] });
      }
      const hold = await service.holdSeats({ showtimeId: showtime.id, owner, seats: [seatId], ttlMs: FIRSTCLICK_HOLD_MS });
      return { session_id: hold.id, movie_id: request.params.movieId, seat_id: seatId, expires_at: hold.expiresAt };
    },
  );

  app.put<{ Params: { sessionId: string }; Body: { user_id?: string } }>(
    '/sessions/:sessionId/confirm',
    { config, schema: { tags: ['firstclick'], summary: 'Confirm a held seat (FirstClick)', body: userBody } },
    async (request, reply) => {
      await service.confirmHold({ holdId: request.params.sessionId, owner: userOf(request.body) });
      return reply.status(204).send();
    },
  );

  app.delete<{ Params: { sessionId: string }; Body: { user_id?: string } }>(
    '/sessions/:sessionId',
    { config, schema: { tags: ['firstclick'], summary: 'Release a held seat (FirstClick)', body: userBody } },
    async (request, reply) => {
      const owner = userOf(request.body);
      try {
        await service.releaseHold({ holdId: request.params.sessionId, owner });
      } catch (e) {
        // "204 also when already released": an unknown session is one that is gone.
        if (!(e instanceof BoxofficeError && e.code === 'HOLD_NOT_FOUND')) throw e;
      }
      return reply.status(204).send();
    },
  );
}
