import type { Showtime } from './booking.ts';
import { seatsOf, type Seat, type SeatId, type SeatKind, type SeatLayout } from './layout.ts';

/**
 * Checkout in booking words: prices, orders, payment attempts, refunds and tickets. Orders,
 * payments and refunds are never deleted (pretix's rule): they move between states and every
 * state is kept. Amounts are integer minor units (cents) of an ISO 4217 currency.
 */

/** What a showtime charges per seat kind. A showtime whose prices are all 0 is free. */
export interface Prices {
  /** ISO 4217, e.g. "EUR". */
  currency: string;
  standard: number;
  premium: number;
  accessible: number;
}

export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
/** The most one seat may cost, in minor units: far above any cinema, far below 2^31 for a 100-seat order. */
export const MAX_PRICE = 1_000_000;

export const FREE_PRICES: Prices = { currency: 'EUR', standard: 0, premium: 0, accessible: 0 };

export const priceOf = (prices: Prices, kind: SeatKind): number => prices[kind];

export const isFree = (prices: Prices): boolean => prices.standard === 0 && prices.premium === 0 && prices.accessible === 0;

/**
 * What some seats of a showtime cost: a line per seat in the layout's order (J9 before J10), with
 * its kind and the showtime's price for the kind. A seat the layout no longer has is left out.
 */
export function priceLines(showtime: Showtime, seats: readonly SeatId[]): { currency: string; total: number; lines: OrderLine[] } {
  const index = seatIndexOf(showtime.layout);
  const lines = seats
    .flatMap((id) => index.get(id) ?? [])
    .sort((a, b) => a.position - b.position)
    .map(({ seat }) => ({ seat: seat.id, kind: seat.kind, price: priceOf(showtime.prices, seat.kind) }));
  return { currency: showtime.prices.currency, total: lines.reduce((sum, l) => sum + l.price, 0), lines };
}

/**
 * Each seat of a layout with its place in the layout's order, built once per layout object: a hold's
 * answer prices a few seats, and must not walk a hall of hundreds to do it (layouts are replaced, never changed).
 */
const seatIndexes = new WeakMap<SeatLayout, Map<SeatId, { seat: Seat; position: number }>>();
function seatIndexOf(layout: SeatLayout): Map<SeatId, { seat: Seat; position: number }> {
  let index = seatIndexes.get(layout);
  if (!index) {
    index = new Map(seatsOf(layout).map((seat, position) => [seat.id, { seat, position }]));
    seatIndexes.set(layout, index);
  }
  return index;
}

/**
 * pending_payment: waiting for a successful payment until `expiresAt` (the payment window).
 * paid: charged once and booked. failed: charged, but the seats had gone to someone else: refunded.
 * expired: not paid in time; seats released. refunded: paid, then cancelled and refunded.
 * cancelled: cancelled before any payment succeeded.
 */
export const ORDER_STATES = ['pending_payment', 'paid', 'failed', 'expired', 'refunded', 'cancelled'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

/** The moves an order may make; anything else is refused by the repository's guarded update. */
export const ORDER_MOVES: { readonly [S in OrderState]: readonly OrderState[] } = {
  pending_payment: ['paid', 'failed', 'expired', 'cancelled'],
  paid: ['refunded'],
  failed: [],
  expired: [],
  refunded: [],
  cancelled: [],
};

export const isFinal = (state: OrderState): boolean => ORDER_MOVES[state].length === 0;

export interface OrderLine {
  seat: SeatId;
  kind: SeatKind;
  /** Minor units, the showtime's price for the kind at checkout. */
  price: number;
}

export interface Order {
  /** "ord_" + random. */
  id: string;
  /** The hold it was checked out from; one order per hold. */
  holdId: string;
  showtimeId: string;
  owner: string;
  email: string;
  state: OrderState;
  currency: string;
  total: number;
  /** In seat order (J9 before J10). */
  lines: OrderLine[];
  createdAt: number;
  updatedAt: number;
  /** End of the payment window (epoch ms): not paid by then, the order expires. */
  expiresAt: number;
  /**
   * The booking the payment made: the hold's id, or a new one when the hold had expired and the
   * seats were still free. Null until paid.
   */
  bookingId: string | null;
  /** Why the order failed, expired, was refunded or cancelled (people's words). */
  reason: string | null;
}

/**
 * pending: recorded and queued (or being processed). succeeded: charged. declined: the gateway said
 * no (the buyer may try another card). failed: given up after the last retry (dead-lettered); the
 * gateway is asked at expiry whether it charged after all.
 */
export const PAYMENT_STATES = ['pending', 'succeeded', 'declined', 'failed'] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

/** What Boxoffice keeps of a card: never its number (G9). */
export interface CardSummary {
  brand: string;
  last4: string;
}

export interface Payment {
  /** "pay_" + random; also the gateway's idempotency key for the charge. */
  id: string;
  orderId: string;
  state: PaymentState;
  amount: number;
  currency: string;
  card: CardSummary;
  /** The gateway's token for the card (the card number stays at the gateway). */
  gatewayToken: string;
  chargeId: string | null;
  /** Why it was declined or failed. */
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

export const REFUND_STATES = ['pending', 'succeeded', 'failed'] as const;
export type RefundState = (typeof REFUND_STATES)[number];

export interface Refund {
  /** "ref_" + random; also the gateway's idempotency key for the refund. */
  id: string;
  orderId: string;
  paymentId: string;
  amount: number;
  currency: string;
  state: RefundState;
  reason: string;
  gatewayRefundId: string | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * A message of the payment queue: the outbox row that carries a charge or a refund to the worker.
 * It names the attempt only; the worker reads the rest from the database.
 */
export interface PaymentMessage {
  /** The outbox row's id, as a string. */
  id: string;
  kind: 'charge' | 'refund';
  orderId: string;
  /** The payment's id for a charge, the refund's for a refund. */
  subjectId: string;
  /** 1 on the first delivery. */
  attempt: number;
}

/** A ticket of a paid order: one per seat. Its id is `<order id>.<seat>`. */
export interface Ticket {
  id: string;
  orderId: string;
  showtimeId: string;
  seat: SeatId;
  kind: SeatKind;
  /** Signed, shown as a QR code; check-in verifies the signature. */
  code: string;
  /** Epoch ms when it was checked in at the door, or null. */
  checkedInAt: number | null;
}

export interface Review {
  id: string;
  movieId: string;
  userId: string;
  stars: 1 | 2 | 3 | 4 | 5;
  text: string;
  createdAt: number;
  updatedAt: number;
  /** Hidden by an admin (audit-logged): not shown, not counted. */
  hidden: boolean;
}

export interface Rating {
  average: number | null;
  count: number;
}
