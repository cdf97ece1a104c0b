import { randomBytes } from 'node:crypto';
import type { Logger, PaidBooking } from '../booking/booking-service.ts';
import type { SeatId } from '../domain/layout.ts';
import type { OrderRepository } from '../domain/order-repository.ts';
import type { Order, OrderState, Payment, PaymentMessage } from '../domain/orders.ts';
import { GatewayUnavailable, type PaymentGateway } from '../domain/payment-gateway.ts';

export interface PaymentProcessorDeps {
  orders: OrderRepository;
  gateway: PaymentGateway;
  /** The booking use cases a payment needs (BookingService). */
  bookings: {
    bookPaidOrder(req: { holdId: string; owner: string; seats: SeatId[] }): Promise<PaidBooking>;
    cancelBooking(bookingId: string): Promise<{ showtimeId: string; seats: SeatId[] }>;
  };
  /** Deliveries of a message before the queue dead-letters it (Config.checkout.maxAttempts). */
  maxAttempts: number;
  /** Called after the processor changed an order, its payment or refund: the order service announces it (/ws). */
  onOrderChange?: (orderId: string) => void;
  log?: Logger;
}

const silent: Logger = { info() {}, warn() {}, error() {} };

/** Ended without this payment: the charge must go back. */
const ENDED: readonly OrderState[] = ['failed', 'expired', 'refunded', 'cancelled'];

/**
 * The payment queue's handler: turns a charge message into a charged, booked, paid order (or a
 * declined attempt, or a refunded failure), and a refund message into a refund at the gateway.
 *
 * Every step is idempotent, because delivery is at least once: the gateway's idempotency key is
 * the payment's (or refund's) id, so a redelivery finds the charge it made rather than making
 * another; the order and payment moves are guarded statements that move once; the booking of a
 * paid order finds an earlier booking of the same order. A handler that throws has its message
 * retried (GatewayUnavailable: the gateway did not answer); on the last delivery the attempt is
 * first marked `failed`, so the order is not stuck behind it: at its expiry, `checkBeforeExpiry`
 * asks the gateway whether it charged after all.
 */
export class PaymentProcessor {
  private readonly log: Logger;

  constructor(private readonly deps: PaymentProcessorDeps) {
    this.log = deps.log ?? silent;
  }

  /** The queue's handler (PaymentQueue.consume). */
  readonly handle = async (message: PaymentMessage): Promise<void> => {
    try {
      if (message.kind === 'charge') await this.charge(message.subjectId);
      else await this.refund(message.subjectId);
    } catch (e) {
      if (message.attempt >= this.deps.maxAttempts) await this.giveUp(message, e);
      throw e;
    }
  };

  /**
   * At the end of an order's payment window, before the expiry sweep expires it: a payment given up
   * on (`failed`) may have been charged after all, its answer lost; a `succeeded` one may not have
   * become a booking yet (its deliveries ran out while booking). Either is settled now: the order
   * booked and paid, or refunded and failed when the seats are gone; the order as it now is is
   * returned. Nothing charged: null, and the order may expire. Throws (GatewayUnavailable) when the
   * gateway cannot say: the order must not expire yet.
   */
  async checkBeforeExpiry(orderId: string): Promise<Order | null> {
    for (const payment of await this.deps.orders.paymentsOf(orderId)) {
      if (payment.state === 'succeeded') {
        await this.fulfil(payment);
        return this.deps.orders.getOrder(orderId);
      }
      if (payment.state !== 'failed') continue;
      const found = await this.deps.gateway.findCharge(payment.id);
      if (!found) continue;
      this.log.warn({ orderId, paymentId: payment.id }, 'a payment given up on was charged after all');
      await this.deps.orders.settlePayment(payment.id, { state: 'succeeded', chargeId: found.chargeId });
      this.changed(orderId);
      await this.fulfil({ ...payment, state: 'succeeded', chargeId: found.chargeId });
      return this.deps.orders.getOrder(orderId);
    }
    return null;
  }

  private async charge(paymentId: string): Promise<void> {
    const payment = await this.deps.orders.getPayment(paymentId);
    if (!payment) throw new Error(`payment ${paymentId} does not exist`);
    if (payment.state === 'declined') return;
    if (payment.state === 'succeeded') return this.fulfil(payment);

    const order = await this.mustGetOrder(payment.orderId);
    if (order.state !== 'pending_payment') return this.strayPayment(order, payment);
    // A payment given up on earlier may have been charged after all: that charge pays the order,
    // and this attempt charges nothing (a buyer is charged once, G9).
    for (const earlier of await this.deps.orders.paymentsOf(order.id)) {
      if (earlier.id === payment.id || earlier.state !== 'failed') continue;
      const found = await this.deps.gateway.findCharge(earlier.id);
      if (!found) continue;
      await this.deps.orders.settlePayment(payment.id, { state: 'failed', reason: `an earlier attempt (${earlier.id}) was charged after all and pays the order` });
      await this.deps.orders.settlePayment(earlier.id, { state: 'succeeded', chargeId: found.chargeId });
      this.changed(order.id);
      return this.fulfil({ ...earlier, state: 'succeeded', chargeId: found.chargeId });
    }

    const result = await this.deps.gateway.charge({ idempotencyKey: payment.id, token: payment.gatewayToken, amount: payment.amount, currency: payment.currency });
    if (result.outcome === 'declined') {
      // The order stays pending_payment: the buyer may try another card while the window lasts.
      if (await this.deps.orders.settlePayment(payment.id, { state: 'declined', reason: result.message })) this.changed(order.id);
      return;
    }
    await this.deps.orders.settlePayment(payment.id, { state: 'succeeded', chargeId: result.chargeId });
    this.changed(order.id);
    await this.fulfil({ ...payment, state: 'succeeded', chargeId: result.chargeId });
  }

  /**
   * A charged payment becomes a paid, booked order; or, when the seats went to someone else or the
   * order ended meanwhile, a refund. Runs again safely for the same payment.
   */
  private async fulfil(payment: Payment): Promise<void> {
    // Each pass either finishes or saw the order moved by someone else (a cancel, a racing
    // delivery) and looks again; an order moves a bounded number of times, so this ends.
    for (let pass = 0; pass < 5; pass++) {
      const order = await this.mustGetOrder(payment.orderId);
      if (order.state === 'paid') return; // by this payment: an order has one successful payment
      if (ENDED.includes(order.state)) return this.refundEnded(order, payment);

      const booked = await this.deps.bookings.bookPaidOrder({ holdId: order.holdId, owner: order.owner, seats: order.lines.map((l) => l.seat) });
      if (booked.outcome === 'taken') {
        const reason = `seat ${booked.seats.join(', ')} went to someone else before the payment went through; the payment is refunded`;
        if (await this.refundPayment(order, payment, ['pending_payment'], 'failed', reason)) return;
        continue;
      }
      const paid = await this.deps.orders.moveOrder(order.id, ['pending_payment'], 'paid', { bookingId: booked.booking.id });
      if (paid) {
        this.changed(order.id);
        return;
      }
      const now = await this.mustGetOrder(order.id);
      if (now.state === 'paid' && now.bookingId === booked.booking.id) return; // a racing delivery moved it
      // The order ended while its seats were being booked (cancelled): they go back, the money too.
      await this.deps.bookings.cancelBooking(booked.booking.id);
    }
    throw new Error(`order ${payment.orderId} kept changing while payment ${payment.id} was being settled`);
  }

  /** The order ended (or was paid by another attempt) before this payment was processed: it keeps no money. */
  private async strayPayment(order: Order, payment: Payment): Promise<void> {
    const found = await this.deps.gateway.findCharge(payment.id);
    if (!found) {
      if (await this.deps.orders.settlePayment(payment.id, { state: 'failed', reason: `the order was ${order.state.replace('_', ' ')} before this payment was processed` })) {
        this.changed(order.id);
      }
      return;
    }
    // Charged in an earlier delivery whose answer was lost. The payment stays unsettled-but-not-
    // pending (failed) rather than succeeded: the order may have a successful payment already.
    await this.deps.orders.settlePayment(payment.id, { state: 'failed', reason: 'charged after the order had ended; refunded' });
    await this.refundEnded(order, { ...payment, chargeId: found.chargeId });
  }

  private async refundEnded(order: Order, payment: Payment): Promise<void> {
    if ((await this.deps.orders.refundsOf(order.id)).some((r) => r.paymentId === payment.id)) return;
    // The order keeps its state (and its reason); only the refund and its message are added.
    await this.refundPayment(order, payment, [order.state], order.state, order.reason ?? `the order was ${order.state} before its payment went through; the payment is refunded`);
  }

  /** refundOrder: moves the order and records the refund with its outbox message; the refund message does the gateway's part. */
  private async refundPayment(order: Order, payment: Payment, from: readonly OrderState[], to: OrderState, reason: string): Promise<boolean> {
    const done = await this.deps.orders.refundOrder({
      orderId: order.id,
      from,
      to,
      reason,
      refund: { id: `ref_${randomBytes(12).toString('base64url')}`, paymentId: payment.id, amount: payment.amount, currency: payment.currency },
    });
    if (done) {
      this.log.info({ orderId: order.id, paymentId: payment.id, refundId: done.refund.id, state: to }, 'refunding a charge');
      this.changed(order.id);
    }
    return done !== null;
  }

  private async refund(refundId: string): Promise<void> {
    const refund = await this.deps.orders.getRefund(refundId);
    if (!refund) throw new Error(`refund ${refundId} does not exist`);
    if (refund.state === 'succeeded') return;
    const payment = await this.deps.orders.getPayment(refund.paymentId);
    if (!payment) throw new Error(`payment ${refund.paymentId} of refund ${refundId} does not exist`);
    const chargeId = payment.chargeId ?? (await this.deps.gateway.findCharge(payment.id))?.chargeId;
    if (!chargeId) {
      if (await this.deps.orders.settleRefund(refund.id, { state: 'failed', reason: 'the gateway has no charge of this payment to refund' })) this.changed(refund.orderId);
      return;
    }
    const { refundId: gatewayRefundId } = await this.deps.gateway.refund({ idempotencyKey: refund.id, chargeId, amount: refund.amount });
    if (await this.deps.orders.settleRefund(refund.id, { state: 'succeeded', gatewayRefundId })) this.changed(refund.orderId);
  }

  /**
   * The last delivery failed too: the message goes to the dead-letter queue, and its attempt is
   * marked failed so the order is not held up by it (a pending payment keeps an order from
   * expiring). A dead letter retried by an admin runs the same steps again, with the same keys.
   */
  private async giveUp(message: PaymentMessage, error: unknown): Promise<void> {
    const why = error instanceof GatewayUnavailable ? 'the payment gateway did not answer' : 'it could not be processed';
    try {
      const settled =
        message.kind === 'charge'
          ? await this.deps.orders.settlePayment(message.subjectId, { state: 'failed', reason: `given up after ${message.attempt} attempts: ${why}` })
          : await this.deps.orders.settleRefund(message.subjectId, { state: 'failed', reason: `given up after ${message.attempt} attempts: ${why}` });
      if (settled) this.changed(message.orderId);
    } catch (e) {
      this.log.error({ err: e, messageId: message.id }, 'could not mark a dead-lettered payment message failed');
    }
  }

  private async mustGetOrder(id: string): Promise<Order> {
    const order = await this.deps.orders.getOrder(id);
    if (!order) throw new Error(`order ${id} does not exist`);
    return order;
  }

  private changed(orderId: string): void {
    try {
      this.deps.onOrderChange?.(orderId);
    } catch (e) {
      this.log.error({ err: e, orderId }, 'announcing an order change failed');
    }
  }
}

/** Builds the payment queue's handler and the expiry check (the composition root calls this once). */
export function createPaymentProcessor(deps: PaymentProcessorDeps): PaymentProcessor {
  return new PaymentProcessor(deps);
}
