import type { SeatId, SeatKind } from './layout.ts';
import type { OrderState } from './orders.ts';

/**
 * What one check-in attempt found, decided in one atomic step: the order row is locked (shared)
 * while the check-in row is written, so a ticket is used at most once and never after its order
 * was refunded or cancelled.
 */
export type CheckinOutcome =
  /** The order does not exist, or has no such seat. */
  | { result: 'no-ticket' }
  | { result: 'wrong-showtime'; showtimeId: string }
  | { result: 'not-paid'; showtimeId: string; state: OrderState }
  /** Checked in before, at `usedAt` (epoch ms). */
  | { result: 'used'; showtimeId: string; kind: SeatKind; usedAt: number }
  | { result: 'checked-in'; showtimeId: string; kind: SeatKind; checkedInAt: number };

/** Check-ins at the door (the ticket_checkins table). Tickets themselves are derived from paid orders. */
export interface TicketRepository {
  /**
   * Checks the ticket `<orderId>.<seat>` in, in one statement: only when its order is paid and (when
   * `showtimeId` is given) for that showtime; a second check-in of the same ticket finds the first.
   */
  checkIn(req: { orderId: string; seat: SeatId; showtimeId: string | null; by: string }): Promise<CheckinOutcome>;
  /** When each checked-in ticket of these orders was checked in: ticket id -> epoch ms. */
  checkinsOf(orderIds: readonly string[]): Promise<Map<string, number>>;
}
