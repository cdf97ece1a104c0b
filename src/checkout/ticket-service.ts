import type { Movie, Showtime } from '../domain/booking.ts';
import type { BookingRepository } from '../domain/booking-repository.ts';
import { BoxofficeError } from '../domain/errors.ts';
import type { Seat, SeatId } from '../domain/layout.ts';
import type { OrderRepository } from '../domain/order-repository.ts';
import type { Order, Ticket } from '../domain/orders.ts';
import type { TicketRepository } from '../domain/ticket-repository.ts';
import { ticketIdOf, type TicketCodes } from './ticket-codes.ts';
import './checkout-errors.ts';

export interface CheckinResult {
  ticket: Ticket;
  seat: Pick<Seat, 'id' | 'row' | 'number' | 'kind'>;
  showtime: Omit<Showtime, 'layout'>;
  movie: Movie;
}

/**
 * Tickets: one per seat of a paid order, derived from the order (nothing to store but the
 * check-ins), each with a signed code; and check-in at the door, valid once.
 */
export class TicketService {
  constructor(
    private readonly deps: {
      codes: TicketCodes;
      tickets: TicketRepository;
      orders: Pick<OrderRepository, 'getOrder'>;
      catalog: Pick<BookingRepository, 'getShowtime' | 'getMovie'>;
    },
  ) {}

  /**
   * The tickets of an order: one per line when it is paid, none otherwise (a refunded order's
   * tickets are gone from its view; their codes are refused at the door). `checkins`: ticket id ->
   * when it was checked in (`checkinsOf`).
   */
  ticketsOf(order: Order, checkins: ReadonlyMap<string, number>): Ticket[] {
    if (order.state !== 'paid') return [];
    return order.lines.map((line) => {
      const id = ticketIdOf(order.id, line.seat);
      return { id, orderId: order.id, showtimeId: order.showtimeId, seat: line.seat, kind: line.kind, code: this.deps.codes.sign(order.id, line.seat), checkedInAt: checkins.get(id) ?? null };
    });
  }

  /** Check-ins of these orders (one query for a whole list of orders): ticket id -> epoch ms. */
  checkinsOf(orderIds: readonly string[]): Promise<Map<string, number>> {
    return this.deps.tickets.checkinsOf(orderIds);
  }

  /** One ticket of the owner's paid order: ORDER_NOT_FOUND for anyone else, TICKET_NOT_FOUND when it has no such ticket. */
  async ticket(owner: string, orderId: string, seat: SeatId): Promise<Ticket> {
    const order = await this.deps.orders.getOrder(orderId);
    if (!order || order.owner !== owner) throw new BoxofficeError('ORDER_NOT_FOUND', { orderId });
    const line = order.lines.find((l) => l.seat === seat);
    if (order.state !== 'paid' || !line) throw new BoxofficeError('TICKET_NOT_FOUND', { ticketId: ticketIdOf(orderId, seat) });
    return this.ticketsOf(order, await this.checkinsOf([orderId])).find((t) => t.seat === seat)!;
  }

  /**
   * Checks a ticket in at the door of `showtimeId` (any showtime when null). Refused when the code
   * is forged or altered (TICKET_INVALID), for another showtime (TICKET_WRONG_SHOWTIME), its order
   * is not paid (TICKET_CANCELLED) or it was used before (TICKET_USED, with when). Of concurrent
   * check-ins of one ticket exactly one succeeds (one statement decides: checkInTicket.sql).
   */
  async checkIn(by: string, code: string, showtimeId: string | null): Promise<CheckinResult> {
    const signed = this.deps.codes.verify(code);
    if (!signed) throw new BoxofficeError('TICKET_INVALID');
    const { orderId, seat } = signed;
    const ticketId = ticketIdOf(orderId, seat);
    const outcome = await this.deps.tickets.checkIn({ orderId, seat, showtimeId, by });
    switch (outcome.result) {
      case 'no-ticket':
        // Signed by this deployment, yet no such order: a database restored from before the sale.
        throw new BoxofficeError('TICKET_NOT_FOUND', { ticketId });
      case 'wrong-showtime':
        throw new BoxofficeError('TICKET_WRONG_SHOWTIME', { ticketId, ticketShowtimeId: outcome.showtimeId, showtimeId: showtimeId! });
      case 'not-paid':
        throw new BoxofficeError('TICKET_CANCELLED', { ticketId, orderId, state: outcome.state });
      case 'used':
        throw new BoxofficeError('TICKET_USED', { ticketId, usedAt: new Date(outcome.usedAt).toISOString() });
      case 'checked-in': {
        const showtime = await this.deps.catalog.getShowtime(outcome.showtimeId);
        const movie = showtime && (await this.deps.catalog.getMovie(showtime.movieId));
        if (!showtime || !movie) throw new Error(`ticket ${ticketId}: showtime ${outcome.showtimeId} or its movie is gone`);
        const { layout, ...rest } = showtime;
        const place = layout.rows.flatMap((r) => r.seats).find((s) => s?.id === seat);
        return {
          ticket: { id: ticketId, orderId, showtimeId: showtime.id, seat, kind: outcome.kind, code: this.deps.codes.sign(orderId, seat), checkedInAt: outcome.checkedInAt },
          // The layout may have changed since the sale (a seat removed); the order's line still stands.
          seat: place ? { id: place.id, row: place.row, number: place.number, kind: place.kind } : { id: seat, row: /^[A-Z]+/.exec(seat)![0], number: Number(/[0-9]+$/.exec(seat)![0]), kind: outcome.kind },
          showtime: rest,
          movie,
        };
      }
    }
  }
}
