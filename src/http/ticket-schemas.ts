import { Type } from 'typebox';
import type { Ticket } from '../domain/orders.ts';
import { SEAT_KINDS } from '../domain/layout.ts';
import { StringEnum } from './schemas.ts';

/** Tickets as the API shows them; the order view embeds them (`tickets`, only when the order is paid). */

export const TicketSchema = Type.Object({
  id: Type.String({ description: '`<order id>.<seat>`' }),
  seat: Type.String(),
  kind: StringEnum(SEAT_KINDS),
  code: Type.String({ description: 'signed; what the QR code holds and the door checks in (POST /api/v1/admin/checkins)' }),
  qr: Type.String({ description: 'URL of the QR code as SVG (needs the same bearer token as the order)' }),
  checkedInAt: Type.Union([Type.Integer({ description: 'epoch ms' }), Type.Null()]),
});

export const qrUrlOf = (ticket: Pick<Ticket, 'orderId' | 'seat'>) => `/api/v1/orders/${encodeURIComponent(ticket.orderId)}/tickets/${ticket.seat}/qr.svg`;

export function toTicketView(ticket: Ticket) {
  return { id: ticket.id, seat: ticket.seat, kind: ticket.kind, code: ticket.code, qr: qrUrlOf(ticket), checkedInAt: ticket.checkedInAt };
}
