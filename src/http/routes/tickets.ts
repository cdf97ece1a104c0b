import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toString as qrCode } from 'qrcode';
import { Type } from 'typebox';
import type { TicketService } from '../../checkout/ticket-service.ts';
import { SEAT_KINDS } from '../../domain/layout.ts';
import { callerOf, userOf } from '../plugins/identity.ts';
import { bearer as security, Body, failures, MovieSchema, StringEnum } from '../schemas.ts';
import { TicketSchema, toTicketView } from '../ticket-schemas.ts';

const CheckinSchema = Type.Object({
  ticket: TicketSchema,
  orderId: Type.String(),
  seat: Type.Object({ id: Type.String(), row: Type.String(), number: Type.Integer(), kind: StringEnum(SEAT_KINDS) }),
  showtime: Type.Object({ id: Type.String(), movieId: Type.String(), screenId: Type.String(), startsAt: Type.String({ format: 'date-time' }) }),
  movie: MovieSchema,
});

/** A ticket's QR code (for its buyer) and check-in at the door (for admins). */
export const ticketRoutes: FastifyPluginAsyncTypebox<{ tickets: TicketService }> = async (app, opts) => {
  const { tickets } = opts;

  app.get(
    '/orders/:orderId/tickets/:seat/qr.svg',
    {
      config: { auth: 'caller' },
      schema: {
        tags: ['orders'], security, summary: "A ticket's QR code, as SVG",
        description: 'The QR code holds the ticket\'s signed code. Only the order\'s buyer gets it: fetch it with the bearer token (an `<img>` cannot send one) and show it, e.g. as a `data:` URL.',
        params: Type.Object({ orderId: Type.String({ maxLength: 200 }), seat: Type.String({ maxLength: 8 }) }),
        response: { 200: { description: 'image/svg+xml', content: { 'image/svg+xml': { schema: Type.String() } } }, ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'ORDER_NOT_FOUND', 'TICKET_NOT_FOUND') },
      },
    },
    async (request, reply) => {
      const ticket = await tickets.ticket(callerOf(request).owner, request.params.orderId, request.params.seat);
      const svg = await qrCode(ticket.code, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      // A ticket's code never changes; private: it is the buyer's.
      return reply.type('image/svg+xml').header('cache-control', 'private, max-age=86400').send(svg);
    },
  );

  app.post(
    '/admin/checkins',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['admin'], security, summary: 'Check a ticket in at the door (valid once)',
        description: 'With `showtimeId`, a ticket of another showtime is refused. Of concurrent check-ins of one ticket exactly one succeeds; the others get TICKET_USED with when.',
        body: Body({ code: Type.String({ minLength: 1, maxLength: 200, description: "the ticket's code (its QR code)" }), showtimeId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the showtime at this door' })) }),
        response: {
          200: CheckinSchema,
          ...failures('INVALID_INPUT', 'TICKET_INVALID', 'UNAUTHORIZED', 'FORBIDDEN', 'TICKET_NOT_FOUND', 'TICKET_WRONG_SHOWTIME', 'TICKET_CANCELLED', 'TICKET_USED'),
        },
      },
    },
    async (request) => {
      const done = await tickets.checkIn(userOf(request).owner, request.body.code, request.body.showtimeId ?? null);
      const { showtime } = done;
      return {
        ticket: toTicketView(done.ticket),
        orderId: done.ticket.orderId,
        seat: done.seat,
        showtime: { id: showtime.id, movieId: showtime.movieId, screenId: showtime.screenId, startsAt: new Date(showtime.startsAt).toISOString() },
        movie: done.movie,
      };
    },
  );
};
