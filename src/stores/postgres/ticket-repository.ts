import type { SeatKind } from '../../domain/layout.ts';
import type { OrderState } from '../../domain/orders.ts';
import type { CheckinOutcome, TicketRepository } from '../../domain/ticket-repository.ts';
import type { Db } from './db.ts';
import { query } from './queries.ts';

interface CheckinRow {
  showtime_id: string;
  state: OrderState;
  kind: SeatKind | null;
  checked_in_ms: number | null;
  used_ms: number | null;
}

export class PostgresTicketRepository implements TicketRepository {
  constructor(private readonly db: Db) {}

  async checkIn(req: { orderId: string; seat: string; showtimeId: string | null; by: string }): Promise<CheckinOutcome> {
    const [r] = await this.db.query<CheckinRow>(query('checkInTicket'), [req.orderId, req.seat, req.showtimeId, req.by]);
    if (!r || r.kind === null) return { result: 'no-ticket' };
    const { showtime_id: showtimeId, kind } = r;
    if (req.showtimeId !== null && req.showtimeId !== showtimeId) return { result: 'wrong-showtime', showtimeId };
    if (r.state !== 'paid') return { result: 'not-paid', showtimeId, state: r.state };
    if (r.checked_in_ms !== null) return { result: 'checked-in', showtimeId, kind, checkedInAt: r.checked_in_ms };
    // Lost the race to a check-in that committed after this statement's snapshot: read it now.
    const usedAt = r.used_ms ?? (await this.checkinsOf([req.orderId])).get(`${req.orderId}.${req.seat}`);
    if (usedAt === undefined) throw new Error(`check-in of ${req.orderId}.${req.seat} wrote nothing and found no earlier check-in`);
    return { result: 'used', showtimeId, kind, usedAt };
  }

  async checkinsOf(orderIds: readonly string[]): Promise<Map<string, number>> {
    if (orderIds.length === 0) return new Map();
    const rows = await this.db.query<{ ticket_id: string; at_ms: number }>(
      'SELECT ticket_id, (extract(epoch from checked_in_at) * 1000)::bigint AS at_ms FROM ticket_checkins WHERE order_id = ANY($1::text[])',
      [orderIds],
    );
    return new Map(rows.map((r) => [r.ticket_id, r.at_ms]));
  }
}
