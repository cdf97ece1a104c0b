import type { Order, OrderState, Payment, PaymentMessage, Refund } from './orders.ts';

/**
 * Durable orders, payments, refunds and the payment outbox: always
 * PostgreSQL (PGlite or a server), beside the bookings. Nothing here is ever deleted.
 *
 * Every state change is one guarded statement or one transaction: it names the states it moves
 * from and reports whether it moved, so two workers (a redelivery) can never both win.
 */
export interface OrderRepository {
  /** Writes a new order, or returns the one that exists for the same hold (a second checkout). */
  createOrder(order: Omit<Order, 'createdAt' | 'updatedAt'>): Promise<{ order: Order; created: boolean }>;
  getOrder(id: string): Promise<Order | null>;
  /** The order checked out from a hold, if any. */
  orderOfHold(holdId: string): Promise<Order | null>;
  /**
   * The orders of holds that moved from a guest to the account they logged in to follow their holds
   * (the payment worker books an order's hold as the order's owner). Returns how many moved.
   */
  transferOrders(fromOwner: string, toOwner: string, holdIds: readonly string[]): Promise<number>;
  /** Newest first. */
  ordersOf(owner: string): Promise<Order[]>;
  /** Admin search, newest first: `text` matches an order id, hold id, email or seat. */
  searchOrders(query: { state?: OrderState; showtimeId?: string; text?: string; limit: number }): Promise<Order[]>;

  /**
   * Moves an order from one of `from` to `to`, setting the given fields, in one statement.
   * Returns the order as it now is, or null when it was not in one of `from` (someone else moved it).
   * A move to `expired` also needs the window over at `now` (default: the clock) and no payment
   * pending: a payment being processed settles the order itself.
   */
  moveOrder(id: string, from: readonly OrderState[], to: OrderState, fields?: { bookingId?: string; reason?: string; expiresAt?: number }, now?: number): Promise<Order | null>;

  /** Orders still pending_payment whose payment window ended by `now` and with no payment pending, oldest first. */
  duePendingOrders(now: number, limit: number): Promise<Order[]>;

  /**
   * Records a payment attempt and the outbox message that carries it, in one transaction (G10).
   * Refused (nothing written) with ORDER_NOT_FOUND for an unknown order, ORDER_NOT_PAYABLE unless
   * the order is pending_payment with its window open at `now` (default: the clock), and
   * PAYMENT_IN_PROGRESS while another payment of the order is pending.
   */
  addPayment(payment: Omit<Payment, 'createdAt' | 'updatedAt' | 'state' | 'chargeId' | 'reason'>, now?: number): Promise<Payment>;
  getPayment(id: string): Promise<Payment | null>;
  /** Oldest first. */
  paymentsOf(...orderIds: string[]): Promise<Payment[]>;
  /** Moves a payment out of `pending` (or `failed`, when the gateway charged after all); false when it was already settled. */
  settlePayment(id: string, outcome: { state: 'succeeded'; chargeId: string } | { state: 'declined' | 'failed'; reason: string }): Promise<boolean>;

  /**
   * In one transaction: moves the order from `from` to `to` with `reason`, and records a pending
   * refund of the payment with its outbox message. Null (nothing written) when the order was not in `from`.
   */
  refundOrder(req: { orderId: string; from: readonly OrderState[]; to: OrderState; reason: string; refund: Pick<Refund, 'id' | 'paymentId' | 'amount' | 'currency'> }): Promise<{ order: Order; refund: Refund } | null>;
  getRefund(id: string): Promise<Refund | null>;
  /** Oldest first. */
  refundsOf(...orderIds: string[]): Promise<Refund[]>;
  settleRefund(id: string, outcome: { state: 'succeeded'; gatewayRefundId: string } | { state: 'failed'; reason: string }): Promise<boolean>;

  /** The outbox row of a message (for tests and the admin's view). */
  outboxMessage(id: string): Promise<PaymentMessage | null>;

}
