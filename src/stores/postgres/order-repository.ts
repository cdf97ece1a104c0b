import '../../checkout/checkout-errors.ts';
import { BoxofficeError } from '../../domain/errors.ts';
import type { OrderRepository } from '../../domain/order-repository.ts';
import type { Order, OrderLine, OrderState, Payment, PaymentMessage, Refund } from '../../domain/orders.ts';
import type { Db } from './db.ts';
import { query } from './queries.ts';

interface OrderRow {
  id: string;
  hold_id: string;
  showtime_id: string;
  owner: string;
  email: string;
  state: OrderState;
  currency: string;
  total: number;
  lines: OrderLine[];
  expires_at_ms: number;
  booking_id: string | null;
  reason: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

interface PaymentRow {
  id: string;
  order_id: string;
  state: Payment['state'];
  amount: number;
  currency: string;
  card_brand: string;
  card_last4: string;
  gateway_token: string;
  charge_id: string | null;
  reason: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

interface RefundRow {
  id: string;
  order_id: string;
  payment_id: string;
  amount: number;
  currency: string;
  state: Refund['state'];
  reason: string;
  gateway_refund_id: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::bigint AS ${column}_ms`;

const ORDER_COLUMNS = `id, hold_id, showtime_id, owner, email, state, currency, total, lines, ${ms('expires_at')}, booking_id, reason, ${ms('created_at')}, ${ms('updated_at')}`;
const PAYMENT_COLUMNS = `id, order_id, state, amount, currency, card_brand, card_last4, gateway_token, charge_id, reason, ${ms('created_at')}, ${ms('updated_at')}`;
const REFUND_COLUMNS = `id, order_id, payment_id, amount, currency, state, reason, gateway_refund_id, ${ms('created_at')}, ${ms('updated_at')}`;

const toOrder = (r: OrderRow): Order => ({
  id: r.id,
  holdId: r.hold_id,
  showtimeId: r.showtime_id,
  owner: r.owner,
  email: r.email,
  state: r.state,
  currency: r.currency,
  total: r.total,
  lines: r.lines,
  createdAt: r.created_at_ms,
  updatedAt: r.updated_at_ms,
  expiresAt: r.expires_at_ms,
  bookingId: r.booking_id,
  reason: r.reason,
});

const toPayment = (r: PaymentRow): Payment => ({
  id: r.id,
  orderId: r.order_id,
  state: r.state,
  amount: r.amount,
  currency: r.currency,
  card: { brand: r.card_brand, last4: r.card_last4 },
  gatewayToken: r.gateway_token,
  chargeId: r.charge_id,
  reason: r.reason,
  createdAt: r.created_at_ms,
  updatedAt: r.updated_at_ms,
});

const toRefund = (r: RefundRow): Refund => ({
  id: r.id,
  orderId: r.order_id,
  paymentId: r.payment_id,
  amount: r.amount,
  currency: r.currency,
  state: r.state,
  reason: r.reason,
  gatewayRefundId: r.gateway_refund_id,
  createdAt: r.created_at_ms,
  updatedAt: r.updated_at_ms,
});

/** LIKE's wildcards taken literally in an admin's search text. */
const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Orders, payments, refunds and the payment outbox on PostgreSQL (PGlite or a server). Every state
 * change is one guarded statement (queries/moveOrder.sql, refundOrder.sql) or one short transaction
 * (addPayment); the database connection belongs to the composition root, which closes it.
 */
export class PostgresOrderRepository implements OrderRepository {
  constructor(private readonly db: Db) {}

  async createOrder(o: Omit<Order, 'createdAt' | 'updatedAt'>): Promise<{ order: Order; created: boolean }> {
    // ON CONFLICT on hold_id: two checkouts of one hold at once both end with the one order.
    const [row] = await this.db.query<OrderRow>(
      `INSERT INTO orders (id, hold_id, showtime_id, owner, email, state, currency, total, lines, expires_at, booking_id, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp($10::float8 / 1000), $11, $12)
       ON CONFLICT (hold_id) DO NOTHING
       RETURNING ${ORDER_COLUMNS}`,
      [o.id, o.holdId, o.showtimeId, o.owner, o.email, o.state, o.currency, o.total, JSON.stringify(o.lines), o.expiresAt, o.bookingId, o.reason],
    );
    if (row) return { order: toOrder(row), created: true };
    const [existing] = await this.db.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE hold_id = $1`, [o.holdId]);
    return { order: toOrder(existing!), created: false };
  }

  async getOrder(id: string): Promise<Order | null> {
    const [row] = await this.db.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [id]);
    return row ? toOrder(row) : null;
  }

  async orderOfHold(holdId: string): Promise<Order | null> {
    const [row] = await this.db.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE hold_id = $1`, [holdId]);
    return row ? toOrder(row) : null;
  }

  async transferOrders(fromOwner: string, toOwner: string, holdIds: readonly string[]): Promise<number> {
    if (holdIds.length === 0) return 0;
    const rows = await this.db.query(
      'UPDATE orders SET owner = $2, updated_at = now() WHERE owner = $1 AND hold_id = ANY($3::text[]) RETURNING id',
      [fromOwner, toOwner, holdIds],
    );
    return rows.length;
  }

  async ordersOf(owner: string): Promise<Order[]> {
    const rows = await this.db.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE owner = $1 ORDER BY created_at DESC, id DESC`, [owner]);
    return rows.map(toOrder);
  }

  async searchOrders(q: { state?: OrderState; showtimeId?: string; text?: string; limit: number }): Promise<Order[]> {
    const text = q.text?.trim() || null;
    const rows = await this.db.query<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders
       WHERE ($1::text IS NULL OR state = $1)
         AND ($2::text IS NULL OR showtime_id = $2)
         AND ($3::text IS NULL
              OR id = $3 OR hold_id = $3
              OR lower(email) LIKE '%' || lower($4) || '%'
              OR lines @> jsonb_build_array(jsonb_build_object('seat', upper($3))))
       ORDER BY created_at DESC, id DESC
       LIMIT $5`,
      [q.state ?? null, q.showtimeId ?? null, text, text && likeEscape(text), q.limit],
    );
    return rows.map(toOrder);
  }

  async moveOrder(id: string, from: readonly OrderState[], to: OrderState, fields: { bookingId?: string; reason?: string; expiresAt?: number } = {}, now = Date.now()): Promise<Order | null> {
    const args = [id, from, to, fields.bookingId ?? null, fields.reason ?? null, fields.expiresAt ?? null, now];
    const [row] = await this.db.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', [id]);
      return tx.query<OrderRow>(query('moveOrder'), args);
    });
    return row ? toOrder(row) : null;
  }

  async duePendingOrders(now: number, limit: number): Promise<Order[]> {
    // An order with a payment still pending is live, not due: the payment's outcome settles it.
    const rows = await this.db.query<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders o
       WHERE state = 'pending_payment' AND expires_at <= to_timestamp($1::float8 / 1000)
         AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.state = 'pending')
       ORDER BY expires_at, id
       LIMIT $2`,
      [now, limit],
    );
    return rows.map(toOrder);
  }

  async addPayment(p: Omit<Payment, 'createdAt' | 'updatedAt' | 'state' | 'chargeId' | 'reason'>, now = Date.now()): Promise<Payment> {
    const row = await this.db.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', [p.orderId]);
      const [r] = await tx.query<PaymentRow & { status: string; order_state: OrderState | null; pending_id: string | null }>(query('addPayment'), [
        p.id,
        p.orderId,
        p.amount,
        p.currency,
        p.card.brand,
        p.card.last4,
        p.gatewayToken,
        now,
      ]);
      return r!;
    });
    switch (row.status) {
      case 'ok':
        return toPayment(row);
      case 'not_found':
        throw new BoxofficeError('ORDER_NOT_FOUND', { orderId: p.orderId });
      case 'in_progress':
        throw new BoxofficeError('PAYMENT_IN_PROGRESS', { orderId: p.orderId, paymentId: row.pending_id! });
      default:
        if (row.order_state === 'pending_payment') {
          throw new BoxofficeError('ORDER_NOT_PAYABLE', `order ${p.orderId} can no longer be paid: its payment window has ended`, { orderId: p.orderId, state: 'expired' });
        }
        throw new BoxofficeError('ORDER_NOT_PAYABLE', { orderId: p.orderId, state: row.order_state! });
    }
  }

  async getPayment(id: string): Promise<Payment | null> {
    const [row] = await this.db.query<PaymentRow>(`SELECT ${PAYMENT_COLUMNS} FROM payments WHERE id = $1`, [id]);
    return row ? toPayment(row) : null;
  }

  async paymentsOf(...orderIds: string[]): Promise<Payment[]> {
    const rows = await this.db.query<PaymentRow>(`SELECT ${PAYMENT_COLUMNS} FROM payments WHERE order_id = ANY($1::text[]) ORDER BY created_at, id`, [orderIds]);
    return rows.map(toPayment);
  }

  async settlePayment(id: string, outcome: { state: 'succeeded'; chargeId: string } | { state: 'declined' | 'failed'; reason: string }): Promise<boolean> {
    // From pending; a failed attempt (given up on) may still turn out charged (findCharge at expiry).
    const rows = await this.db.query(
      `UPDATE payments SET state = $2, charge_id = $3, reason = $4, updated_at = now()
       WHERE id = $1 AND (state = 'pending' OR (state = 'failed' AND $2 = 'succeeded'))
       RETURNING id`,
      [id, outcome.state, outcome.state === 'succeeded' ? outcome.chargeId : null, outcome.state === 'succeeded' ? null : outcome.reason],
    );
    return rows.length === 1;
  }

  async refundOrder(req: { orderId: string; from: readonly OrderState[]; to: OrderState; reason: string; refund: Pick<Refund, 'id' | 'paymentId' | 'amount' | 'currency'> }): Promise<{ order: Order; refund: Refund } | null> {
    const [row] = await this.db.query<OrderRow & Record<string, unknown>>(query('refundOrder'), [
      req.orderId,
      req.from,
      req.to,
      req.reason,
      req.refund.id,
      req.refund.paymentId,
      req.refund.amount,
      req.refund.currency,
    ]);
    if (!row) return null;
    const refund = Object.fromEntries(Object.entries(row).filter(([k]) => k.startsWith('r_')).map(([k, v]) => [k.slice(2), v])) as unknown as RefundRow;
    return { order: toOrder(row), refund: toRefund(refund) };
  }

  async getRefund(id: string): Promise<Refund | null> {
    const [row] = await this.db.query<RefundRow>(`SELECT ${REFUND_COLUMNS} FROM refunds WHERE id = $1`, [id]);
    return row ? toRefund(row) : null;
  }

  async refundsOf(...orderIds: string[]): Promise<Refund[]> {
    const rows = await this.db.query<RefundRow>(`SELECT ${REFUND_COLUMNS} FROM refunds WHERE order_id = ANY($1::text[]) ORDER BY created_at, id`, [orderIds]);
    return rows.map(toRefund);
  }

  async settleRefund(id: string, outcome: { state: 'succeeded'; gatewayRefundId: string } | { state: 'failed'; reason: string }): Promise<boolean> {
    // From pending; a failed refund (dead-lettered, then retried by an admin) may still succeed.
    // The refund's reason (why the order was refunded) stays; a failure's reason goes to the outbox row.
    const rows = await this.db.query(
      `UPDATE refunds SET state = $2, gateway_refund_id = $3, updated_at = now()
       WHERE id = $1 AND (state = 'pending' OR (state = 'failed' AND $2 = 'succeeded'))
       RETURNING id`,
      [id, outcome.state, outcome.state === 'succeeded' ? outcome.gatewayRefundId : null],
    );
    return rows.length === 1;
  }

  async outboxMessage(id: string): Promise<PaymentMessage | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const [row] = await this.db.query<{ id: number; kind: 'charge' | 'refund'; order_id: string; subject_id: string; attempts: number }>(
      'SELECT id, kind, order_id, subject_id, attempts FROM payment_outbox WHERE id = $1',
      [id],
    );
    return row ? { id: String(row.id), kind: row.kind, orderId: row.order_id, subjectId: row.subject_id, attempt: Math.max(1, row.attempts) } : null;
  }
}
