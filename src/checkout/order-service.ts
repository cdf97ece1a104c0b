import { randomBytes } from 'node:crypto';
import { showtimeOfHold, type BookingService, type Logger } from '../booking/booking-service.ts';
import type { AuditEntry } from '../domain/admin.ts';
import { BoxofficeError, invalidInput } from '../domain/errors.ts';
import type { OrderRepository } from '../domain/order-repository.ts';
import { isFree, ORDER_STATES, priceLines, type Order, type OrderState, type Payment, type Refund, type Ticket } from '../domain/orders.ts';
import type { CardInput, PaymentGateway } from '../domain/payment-gateway.ts';
import type { Broadcast } from '../realtime/event-bus.ts';
import './checkout-errors.ts';

/** An order changed (created, paid, declined, expired, refunded ...): its owner's followers on /ws get its view. */
export interface OrderChange {
  orderId: string;
  owner: string;
}

/** An order as its buyer (and an admin) sees it: with the showtime, the payments, refunds and tickets. */
export interface OrderView {
  id: string;
  holdId: string;
  showtimeId: string;
  movieId: string;
  startsAt: number;
  /** Until when the buyer may cancel it (epoch ms): the showtime's start less CANCEL_CUTOFF. */
  cancellableUntil: number;
  state: OrderState;
  email: string;
  currency: string;
  total: number;
  lines: Order['lines'];
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  bookingId: string | null;
  reason: string | null;
  payments: { id: string; state: Payment['state']; amount: number; currency: string; card: Payment['card']; reason: string | null; createdAt: number; updatedAt: number }[];
  refunds: { id: string; state: Refund['state']; amount: number; currency: string; reason: string; createdAt: number; updatedAt: number }[];
  tickets: { id: string; seat: string; kind: Ticket['kind']; code: string; qr: string; checkedInAt: number | null }[];
}

/** What the order views need of the tickets (TicketService): tickets of a paid order, check-ins of several. */
export interface TicketSource {
  ticketsOf(order: Order, checkins: ReadonlyMap<string, number>): Ticket[];
  checkinsOf(orderIds: readonly string[]): Promise<Map<string, number>>;
}

export interface OrderSettings {
  /** How long an order waits for its payment (its hold is extended to match, within MAX_HOLD_LIFE). */
  paymentWindowMs: number;
  /** A buyer may cancel a paid order until this long before the showtime starts. */
  cancelCutoffMs: number;
}

export interface AdminActor {
  owner: string;
  email: string;
}

const ORDER_ID = /^ord_[A-Za-z0-9_-]{1,64}$/;
/** Practical, not RFC 5322: one @, something on both sides, a dot in the domain, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL = 254;
const MAX_REASON = 500;
const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url')}`;

export const qrUrlOf = (orderId: string, seat: string) => `/api/v1/orders/${encodeURIComponent(orderId)}/tickets/${seat}/qr.svg`;

/**
 * Checkout: a live hold becomes an order pending payment; a payment attempt is tokenized at the
 * gateway and recorded with its queue message (the worker charges it); a buyer or an admin cancels;
 * orders not paid in time expire. Every change of an order goes out on `changes` (live on /ws).
 */
export class OrderService {
  private sweeping = false;

  constructor(
    private readonly deps: {
      orders: OrderRepository;
      booking: BookingService;
      gateway: PaymentGateway;
      changes: Broadcast<OrderChange>;
      settings: OrderSettings;
      /** The admin audit log (cancels by an admin). */
      audit: { appendAudit(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<unknown> };
      /** Frees the seats of a paid order's booking (a refund): the booking is cancelled, its seats sold again. */
      freeBooking?: (order: Order) => Promise<void>;
      /**
       * Settles an order due to expire that has a payment given up on (`failed`: the gateway may have
       * charged after all) or charged but not yet booked: books or refunds it. True when it settled
       * the order; throws when the gateway cannot say (the order must not expire yet).
       */
      settleBeforeExpiry?: (order: Order) => Promise<boolean>;
      /**
       * Called when a payment or refund and its outbox row have committed: the queue sends it now
       * (PaymentQueue.nudge) instead of at its next poll, up to a second later.
       */
      outboxWritten?: () => void;
      tickets?: TicketSource;
      log?: Logger;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /**
   * Turns the caller's live hold into an order pending payment, and extends the hold to the
   * payment window (within the hold's maximum life): the order expires when the hold does. A second
   * checkout of the same hold returns the same order (`created: false`).
   */
  async checkout(req: { holdId: string; owner: string; email: unknown }): Promise<{ order: Order; created: boolean }> {
    const email = checkEmail(req.email);
    const { holdId, owner } = req;
    const showtimeId = showtimeOfHold(holdId);
    const existing = await this.deps.orders.orderOfHold(holdId);
    if (existing) {
      if (existing.owner !== owner) throw new BoxofficeError('HOLD_NOT_FOUND', { holdId });
      return { order: existing, created: false };
    }
    const showtime = await this.deps.booking.showtimeOfHold(holdId);
    if (isFree(showtime.prices)) throw new BoxofficeError('SHOWTIME_FREE', { showtimeId, holdId });
    // Holds of a showtime that has started are still taken (seat maps stay live), but nobody pays
    // for one: the seat could not be used, and a paid order of a started showtime opens reviews.
    if (this.now() >= showtime.startsAt) throw new BoxofficeError('SHOWTIME_STARTED', { showtimeId, holdId });
    let hold;
    try {
      // The store checks owner and expiry in the same step that moves the expiry (G4, G5).
      hold = await this.deps.booking.extendHold({ holdId, owner, ttlMs: this.deps.settings.paymentWindowMs });
    } catch (e) {
      if (e instanceof BoxofficeError && e.code === 'NOT_HOLD_OWNER') throw new BoxofficeError('HOLD_NOT_FOUND', { holdId });
      if (e instanceof BoxofficeError && e.code === 'HOLD_EXPIRED') throw new BoxofficeError('CHECKOUT_HOLD_EXPIRED', { holdId });
      throw e;
    }
    const { currency, total, lines } = priceLines(showtime, hold.seats);
    const result = await this.deps.orders.createOrder({
      id: newId('ord'),
      holdId,
      showtimeId,
      owner,
      email,
      state: 'pending_payment',
      currency,
      total,
      lines,
      expiresAt: hold.expiresAt,
      bookingId: null,
      reason: null,
    });
    if (result.created) this.changed(result.order);
    return result;
  }

  /** The caller's order: ORDER_NOT_FOUND for an unknown one and for somebody else's alike. */
  async order(orderId: string, owner: string): Promise<Order> {
    const order = ORDER_ID.test(orderId) ? await this.deps.orders.getOrder(orderId) : null;
    if (!order || order.owner !== owner) throw new BoxofficeError('ORDER_NOT_FOUND', { orderId });
    return order;
  }

  /** Any order (admins). */
  async anyOrder(orderId: string): Promise<Order> {
    const order = ORDER_ID.test(orderId) ? await this.deps.orders.getOrder(orderId) : null;
    if (!order) throw new BoxofficeError('ORDER_NOT_FOUND', { orderId });
    return order;
  }

  /** The caller's orders, newest first. */
  ordersOf(owner: string): Promise<Order[]> {
    return this.deps.orders.ordersOf(owner);
  }

  search(query: { state?: string; showtimeId?: string; text?: string; limit: number }): Promise<Order[]> {
    if (query.state !== undefined && !(ORDER_STATES as readonly string[]).includes(query.state)) {
      throw invalidInput(`state must be one of ${ORDER_STATES.join(', ')}`, { field: 'state' });
    }
    return this.deps.orders.searchOrders({ ...query, state: query.state as OrderState | undefined });
  }

  /**
   * Records a payment attempt: the gateway tokenizes the card (the number goes no further), and
   * the attempt is written with its queue message in one step; the worker charges it. Refused
   * when the order cannot take a payment now (ORDER_NOT_PAYABLE) or one is being processed
   * (PAYMENT_IN_PROGRESS).
   */
  async pay(req: { orderId: string; owner: string; card: CardInput }): Promise<{ payment: Payment; order: Order }> {
    // The window is judged at the request's arrival, not after the gateway's round trip: a payment
    // sent in time is taken (if the hold runs out before the charge, the seats are booked only while free).
    const arrivedAt = this.now();
    const order = await this.order(req.orderId, req.owner);
    // Cheap answers first: tokenizing takes a gateway round trip. addPayment checks again, atomically.
    if (order.state !== 'pending_payment') throw new BoxofficeError('ORDER_NOT_PAYABLE', { orderId: order.id, state: order.state });
    if (arrivedAt > order.expiresAt) {
      throw new BoxofficeError('ORDER_NOT_PAYABLE', `order ${order.id} can no longer be paid: its payment window has ended`, { orderId: order.id, state: 'expired' });
    }
    const card = await this.deps.gateway.tokenize(req.card);
    const payment = await this.deps.orders.addPayment(
      { id: newId('pay'), orderId: order.id, amount: order.total, currency: order.currency, card: { brand: card.brand, last4: card.last4 }, gatewayToken: card.token },
      arrivedAt,
    );
    this.deps.outboxWritten?.();
    this.changed(order);
    return { payment, order };
  }

  /**
   * The buyer cancels: an unpaid order at once, unless a payment of it is being processed (they
   * wait for its outcome); a paid one until the cutoff before the showtime, refunded.
   */
  async cancel(req: { orderId: string; owner: string }): Promise<Order> {
    const order = await this.order(req.orderId, req.owner);
    if (order.state === 'pending_payment') {
      // A read, not part of the move: a payment recorded in between is charged, finds the order
      // cancelled, and is refunded by the payment processor.
      const pending = (await this.deps.orders.paymentsOf(order.id)).find((p) => p.state === 'pending');
      if (pending) throw new BoxofficeError('PAYMENT_IN_PROGRESS', { orderId: order.id, paymentId: pending.id });
    }
    if (order.state === 'paid') {
      const { startsAt } = await this.deps.booking.showtime(order.showtimeId);
      const { cancelCutoffMs } = this.deps.settings;
      if (this.now() > startsAt - cancelCutoffMs) throw new BoxofficeError('CANCEL_TOO_LATE', { orderId: order.id, cutoffMinutes: Math.round(cancelCutoffMs / 60_000) });
    }
    return this.cancelOrder(order, 'cancelled by the buyer', 'release');
  }

  /**
   * The owner releases a hold. A hold that was checked out and waits for its payment goes with its
   * order: the order is cancelled as by `cancel` (refused with PAYMENT_IN_PROGRESS while a payment is
   * being processed), never left pending with its seats given away.
   */
  async releaseHold(req: { holdId: string; owner: string }): Promise<void> {
    const order = await this.deps.orders.orderOfHold(req.holdId);
    if (order?.state === 'pending_payment' && order.owner === req.owner) {
      await this.cancel({ orderId: order.id, owner: req.owner });
      return;
    }
    await this.deps.booking.releaseHold(req);
  }

  /**
   * An admin cancels any order that is not final, with a reason (audit log), even with a payment
   * on its way: the processor refunds a charge that finds its order cancelled.
   */
  async adminCancel(req: { orderId: string; actor: AdminActor; reason: unknown }): Promise<Order> {
    const reason = typeof req.reason === 'string' ? req.reason.trim() : '';
    if (reason.length === 0 || reason.length > MAX_REASON) throw invalidInput(`reason must be 1 to ${MAX_REASON} characters`, { field: 'reason' });
    const order = await this.anyOrder(req.orderId);
    const cancelled = await this.cancelOrder(order, `cancelled by the cinema: ${reason}`, 'revoke');
    await this.deps.audit.appendAudit({
      actor: `${req.actor.email} (${req.actor.owner})`,
      action: 'order.cancel',
      target: order.id,
      details: { reason, from: order.state, to: cancelled.state, total: order.total, currency: order.currency },
    });
    return cancelled;
  }

  /** `cause`: how /ws announces the freed seats of an unpaid order (the buyer's release, or the cinema's revoke). */
  private async cancelOrder(order: Order, reason: string, cause: 'release' | 'revoke'): Promise<Order> {
    if (order.state === 'pending_payment') {
      const moved = await this.deps.orders.moveOrder(order.id, ['pending_payment'], 'cancelled', { reason });
      if (!moved) return this.cancelRefused(order.id);
      await this.freeHoldOf(moved, cause);
      this.changed(moved);
      return moved;
    }
    if (order.state === 'paid') {
      const paid = (await this.deps.orders.paymentsOf(order.id)).find((p) => p.state === 'succeeded');
      if (!paid) throw new Error(`paid order ${order.id} has no successful payment`);
      const done = await this.deps.orders.refundOrder({
        orderId: order.id,
        from: ['paid'],
        to: 'refunded',
        reason,
        refund: { id: newId('ref'), paymentId: paid.id, amount: paid.amount, currency: paid.currency },
      });
      if (!done) return this.cancelRefused(order.id);
      this.deps.outboxWritten?.();
      // The refund is on its way (its outbox row is written); the seats go back on sale now.
      if (this.deps.freeBooking) await this.deps.freeBooking(done.order);
      else this.deps.log?.error({ orderId: order.id }, 'no way to free the seats of a refunded order is wired');
      this.changed(done.order);
      return done.order;
    }
    throw new BoxofficeError('ORDER_NOT_CANCELLABLE', { orderId: order.id, state: order.state });
  }

  /** The guarded move refused: the order moved meanwhile (paid, expired, cancelled); say so as it is now. */
  private async cancelRefused(orderId: string): Promise<never> {
    const now = (await this.deps.orders.getOrder(orderId))!;
    throw new BoxofficeError('ORDER_NOT_CANCELLABLE', { orderId, state: now.state });
  }

  private async freeHoldOf(order: Order, cause: 'release' | 'expire' | 'revoke'): Promise<void> {
    try {
      await this.deps.booking.releaseHold({ holdId: order.holdId, owner: order.owner, cause });
    } catch (e) {
      // Released already, or gone with its showtime: nothing holds the seats for this order.
      if (!(e instanceof BoxofficeError && (e.code === 'HOLD_NOT_FOUND' || e.code === 'NOT_HOLD_OWNER'))) throw e;
    }
  }

  /**
   * One pass of the expiry sweep: an order whose window ended with no payment pending expires and
   * its hold is released (the seats are live on /ws). One whose attempts failed is first settled
   * by asking the gateway (`settleFailedPayments`).
   */
  async expireDue(limit = 100): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      const now = this.now();
      let expired = 0;
      for (const order of await this.deps.orders.duePendingOrders(now, limit)) {
        const payments = await this.deps.orders.paymentsOf(order.id);
        if (this.deps.settleBeforeExpiry && payments.some((p) => p.state === 'failed' || p.state === 'succeeded')) {
          try {
            if (await this.deps.settleBeforeExpiry(order)) continue;
          } catch (e) {
            // The gateway cannot say whether it charged: the order stays live until it can.
            this.deps.log?.warn({ err: e, orderId: order.id }, 'could not settle an order before its expiry; trying again');
            continue;
          }
        }
        const moved = await this.deps.orders.moveOrder(order.id, ['pending_payment'], 'expired', { reason: 'not paid in time' }, now);
        if (!moved) continue; // paid, cancelled or being paid meanwhile
        // Announced as an expiry: for the buyer the hold ran out, as it would have without an order.
        await this.freeHoldOf(moved, 'expire');
        this.changed(moved);
        expired++;
      }
      return expired;
    } finally {
      this.sweeping = false;
    }
  }

  /** Sweeps every intervalMs until the returned function is called. */
  startSweeper(intervalMs = 1_000): () => Promise<void> {
    let running: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      running = this.expireDue().catch((e: unknown) => {
        if (!(e instanceof BoxofficeError && e.code === 'STORE_UNAVAILABLE')) this.deps.log?.error({ err: e }, 'order expiry sweep failed');
      });
    }, intervalMs);
    return async () => {
      clearInterval(timer);
      await running;
    };
  }

  /** Announces a change of an order to its owner's followers (every instance). */
  changed(order: Pick<Order, 'id' | 'owner'>): void {
    this.deps.changes.publish({ orderId: order.id, owner: order.owner });
  }

  /** changed(), for a caller that knows the order's id only (the payment processor). */
  async announce(orderId: string): Promise<void> {
    try {
      const order = await this.deps.orders.getOrder(orderId);
      if (order) this.changed(order);
    } catch (e) {
      this.deps.log?.warn({ err: e, orderId }, 'could not announce an order change');
    }
  }

  /** The order as its buyer sees it. */
  async view(order: Order): Promise<OrderView> {
    return (await this.views([order]))[0]!;
  }

  /** Several orders' views: their payments, refunds and tickets' check-ins in one query each. */
  async views(orders: Order[]): Promise<OrderView[]> {
    const ids = orders.map((o) => o.id);
    const paid = orders.filter((o) => o.state === 'paid').map((o) => o.id);
    const [payments, refunds, checkins] = await Promise.all([
      ids.length > 0 ? this.deps.orders.paymentsOf(...ids) : [],
      ids.length > 0 ? this.deps.orders.refundsOf(...ids) : [],
      this.deps.tickets && paid.length > 0 ? this.deps.tickets.checkinsOf(paid) : new Map<string, number>(),
    ]);
    return Promise.all(
      orders.map(async (o) => {
        const showtime = await this.deps.booking.showtime(o.showtimeId).catch(() => null);
        const tickets = this.deps.tickets?.ticketsOf(o, checkins) ?? [];
        return {
          id: o.id,
          holdId: o.holdId,
          showtimeId: o.showtimeId,
          movieId: showtime?.movieId ?? '',
          startsAt: showtime?.startsAt ?? 0,
          cancellableUntil: (showtime?.startsAt ?? 0) - this.deps.settings.cancelCutoffMs,
          state: o.state,
          email: o.email,
          currency: o.currency,
          total: o.total,
          lines: o.lines,
          createdAt: o.createdAt,
          updatedAt: o.updatedAt,
          expiresAt: o.expiresAt,
          bookingId: o.bookingId,
          reason: o.reason,
          payments: payments.filter((p) => p.orderId === o.id).map((p) => ({ id: p.id, state: p.state, amount: p.amount, currency: p.currency, card: p.card, reason: p.reason, createdAt: p.createdAt, updatedAt: p.updatedAt })),
          refunds: refunds.filter((r) => r.orderId === o.id).map((r) => ({ id: r.id, state: r.state, amount: r.amount, currency: r.currency, reason: r.reason, createdAt: r.createdAt, updatedAt: r.updatedAt })),
          tickets: tickets.map((t) => ({ id: t.id, seat: t.seat, kind: t.kind, code: t.code, qr: qrUrlOf(t.orderId, t.seat), checkedInAt: t.checkedInAt })),
        };
      }),
    );
  }

  /** The view of an order for its owner's followers on /ws, or null when it is gone or not theirs. */
  async viewFor(orderId: string, owner: string): Promise<OrderView | null> {
    const order = await this.deps.orders.getOrder(orderId);
    return order && order.owner === owner ? this.view(order) : null;
  }
}

function checkEmail(email: unknown): string {
  const value = typeof email === 'string' ? email.trim() : '';
  if (value.length === 0 || value.length > MAX_EMAIL || !EMAIL.test(value)) {
    throw invalidInput(`email must be an email address (at most ${MAX_EMAIL} characters)`, { field: 'email' });
  }
  return value;
}
