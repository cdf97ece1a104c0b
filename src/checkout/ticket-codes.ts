import { createHmac, timingSafeEqual } from 'node:crypto';
import { SEAT_ID_PATTERN, type SeatId } from '../domain/layout.ts';

/**
 * Signed ticket codes: `<order id>.<seat>.<signature>`, e.g. `ord_x1Y2z3.J9.Pq...` (about 50
 * characters, a small QR code). The signature is HMAC-SHA256 of the ticket id under a key derived
 * from the deployment secret, cut to 128 bits: nobody can make a code for a seat they did not buy,
 * and the door recognises a code without a database (TICKET_INVALID is decided here). Everything
 * else about a ticket (paid, showtime, used) is read from the database at check-in.
 *
 * The same ticket always gets the same code, so it need not be stored: re-sending an order view
 * or a QR image never makes a new ticket.
 */
const SIGNATURE_BYTES = 16;
/** Order ids are "ord_" + base64url (src/checkout/order-service.ts); no dots, so a code splits cleanly. */
const ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{22}$/;

export const ticketIdOf = (orderId: string, seat: SeatId): string => `${orderId}.${seat}`;

export class TicketCodes {
  /** `key`: derived from the deployment secret for tickets only (src/boxoffice.ts). */
  constructor(private readonly key: Buffer) {}

  sign(orderId: string, seat: SeatId): string {
    return `${ticketIdOf(orderId, seat)}.${this.signature(orderId, seat)}`;
  }

  /** The ticket a code stands for, or null when it is malformed or its signature does not verify. */
  verify(code: unknown): { orderId: string; seat: SeatId } | null {
    if (typeof code !== 'string' || code.length > 120) return null;
    const [orderId, seat, signature, extra] = code.trim().split('.');
    if (extra !== undefined || !orderId || !seat || !signature) return null;
    if (!ORDER_ID.test(orderId) || !SEAT_ID_PATTERN.test(seat) || !SIGNATURE.test(signature)) return null;
    // Compared as text, not decoded: base64url's spare bits would let two spellings pass for one code.
    const given = Buffer.from(signature);
    const expected = Buffer.from(this.signature(orderId, seat));
    // Constant time: a forger learns nothing from how long a wrong signature took to refuse.
    return given.length === expected.length && timingSafeEqual(given, expected) ? { orderId, seat } : null;
  }

  private signature(orderId: string, seat: SeatId): string {
    return createHmac('sha256', this.key).update(ticketIdOf(orderId, seat)).digest().subarray(0, SIGNATURE_BYTES).toString('base64url');
  }
}
