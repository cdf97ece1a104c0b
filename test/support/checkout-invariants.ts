// The one checker every checkout fault test ends with (issue 11, G1/G9/G10): it reads Boxoffice's
// database, the hold store's seat map and the simulated gateway's own ledger, never the order views.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Boxoffice } from '../../src/boxoffice.ts';
import type { OrderState } from '../../src/domain/orders.ts';

interface OrderRow {
  id: string;
  hold_id: string;
  showtime_id: string;
  state: OrderState;
  booking_id: string | null;
  lines: { seat: string }[];
  expires_at: number;
}
interface PaymentRow {
  id: string;
  order_id: string;
  state: 'pending' | 'succeeded' | 'declined' | 'failed';
  amount: number;
  charge_id: string | null;
}
interface RefundRow {
  id: string;
  order_id: string;
  payment_id: string;
  state: 'pending' | 'succeeded' | 'failed';
  amount: number;
}
interface ChargeRow {
  key: string;
  id: string;
  amount: number;
  outcome: 'succeeded' | 'declined';
}
interface LedgerRefundRow {
  key: string;
  charge_id: string;
  amount: number;
}

export interface CheckoutSummary {
  orders: number;
  byState: Partial<Record<OrderState, number>>;
  /** Succeeded charges in the gateway's ledger. */
  charges: number;
  /** Declined charge attempts in the ledger (no money moved). */
  declines: number;
  /** Refunds in the gateway's ledger. */
  refunds: number;
  /** Paid orders booked on a re-hold (their hold had expired before the charge went through). */
  rebooked: number;
  bookedSeats: number;
  deadLetters: number;
  /** Delivery attempts of all outbox messages (the redeliveries show here). */
  deliveries: number;
}

const SETTLED: readonly OrderState[] = ['paid', 'failed', 'expired', 'refunded', 'cancelled'];

/**
 * Checks, after a fault, on the database and the gateway's ledger:
 * - no seat booked twice: booked_seats (one row per seat, the UNIQUE last line) and the hold store's
 *   booked seats agree seat for seat and booking for booking; every booked seat belongs to exactly one
 *   paid order, whose lines are exactly its booking's seats;
 * - exactly one successful charge per paid order, not refunded; a refund for every successful charge of
 *   an order that is not paid (refunded, failed after the charge, expired, cancelled); no charge of a
 *   key that is no payment; refunds in full, settled in Boxoffice's books too;
 * - every order settled (paid, failed, expired, refunded, cancelled) or visibly live (pending_payment
 *   with its window not yet ended); no payment or refund still pending, no open outbox message.
 * `bookingsOnlyFromOrders` (default true): the test made no booking outside checkout (no free confirm).
 */
export async function checkCheckoutInvariants(
  box: Boxoffice,
  options: { bookingsOnlyFromOrders?: boolean; allowDeadLetters?: boolean; showtimeIds?: string[] } = {},
): Promise<CheckoutSummary> {
  const db = box.stores.db;
  const now = Date.now();
  const orders = await db.query<OrderRow>(
    `SELECT id, hold_id, showtime_id, state, booking_id, lines, (extract(epoch from expires_at) * 1000)::float8 AS expires_at FROM orders`,
  );
  const payments = await db.query<PaymentRow>('SELECT id, order_id, state, amount, charge_id FROM payments');
  const refunds = await db.query<RefundRow>('SELECT id, order_id, payment_id, state, amount FROM refunds');
  const charges = await db.query<ChargeRow>('SELECT idempotency_key AS key, id, amount, outcome FROM gateway_charges');
  const ledgerRefunds = await db.query<LedgerRefundRow>('SELECT idempotency_key AS key, charge_id, amount FROM gateway_refunds');
  const booked = await db.query<{ showtime_id: string; seat_id: string; booking_id: string; cancelled: boolean }>(
    'SELECT s.showtime_id, s.seat_id, s.booking_id, b.cancelled_at IS NOT NULL AS cancelled FROM booked_seats s JOIN bookings b ON b.id = s.booking_id',
  );
  const [outbox] = await db.query<{ dead: number; deliveries: number }>(
    `SELECT count(*) FILTER (WHERE dead_at IS NOT NULL)::int AS dead,
            coalesce(sum(attempts), 0)::int AS deliveries
     FROM payment_outbox`,
  );
  const problems: string[] = [];
  const orderById = new Map(orders.map((o) => [o.id, o]));
  const live = (o: OrderRow) => o.state === 'pending_payment' && o.expires_at > now;

  // G10: settled or visibly live; nothing pending behind a settled order.
  for (const o of orders) {
    if (!SETTLED.includes(o.state) && !live(o)) problems.push(`order ${o.id} is stuck: ${o.state}, its window ended ${now - o.expires_at} ms ago`);
  }
  for (const p of payments) {
    if (p.state === 'pending' && !live(orderById.get(p.order_id)!)) problems.push(`payment ${p.id} is still pending (order ${p.order_id} is ${orderById.get(p.order_id)!.state})`);
  }
  for (const r of refunds) if (r.state !== 'succeeded') problems.push(`refund ${r.id} of order ${r.order_id} is ${r.state}`);
  for (const m of await db.query<{ id: string; order_id: string; kind: string }>('SELECT id::text, order_id, kind FROM payment_outbox WHERE done_at IS NULL AND dead_at IS NULL')) {
    if (!live(orderById.get(m.order_id)!)) problems.push(`outbox message ${m.id} (${m.kind} of order ${m.order_id}) is still open`);
  }
  if (outbox!.dead > 0 && !options.allowDeadLetters) problems.push(`${outbox!.dead} payment messages were dead-lettered`);

  // G1: the database's booked seats, the hold store's, and the paid orders agree.
  const showtimeIds = new Set([...(options.showtimeIds ?? []), ...orders.map((o) => o.showtime_id), ...booked.map((b) => b.showtime_id)]);
  const paidByBooking = new Map<string, OrderRow[]>();
  for (const o of orders) {
    if (o.state !== 'paid') continue;
    if (!o.booking_id) {
      problems.push(`paid order ${o.id} has no booking`);
      continue;
    }
    paidByBooking.set(o.booking_id, [...(paidByBooking.get(o.booking_id) ?? []), o]);
  }
  for (const showtimeId of showtimeIds) {
    const inDb = new Map(booked.filter((b) => b.showtime_id === showtimeId).map((b) => [b.seat_id, b]));
    const map = await box.service.seatMap(showtimeId);
    const inStore = new Map(map.seats.filter((s) => s.status === 'booked').map((s) => [s.id, (s as { holdId?: string }).holdId]));
    for (const [seat, row] of inDb) {
      if (row.cancelled) problems.push(`seat ${seat} of ${showtimeId} is booked by cancelled booking ${row.booking_id}`);
      if (inStore.get(seat) !== row.booking_id) problems.push(`seat ${seat} of ${showtimeId}: the database books it for ${row.booking_id}, the hold store says ${inStore.get(seat) ?? map.seats.find((s) => s.id === seat)?.status}`);
      const owners = paidByBooking.get(row.booking_id) ?? [];
      if (options.bookingsOnlyFromOrders !== false && owners.length !== 1) problems.push(`seat ${seat} of ${showtimeId} (booking ${row.booking_id}) belongs to ${owners.length} paid orders`);
    }
    for (const [seat, holdId] of inStore) if (!inDb.has(seat)) problems.push(`seat ${seat} of ${showtimeId} is booked in the hold store (${holdId}) but not in the database`);
  }
  const seatOwner = new Map<string, string>();
  for (const o of orders) {
    if (o.state !== 'paid' || !o.booking_id) continue;
    const seats = booked.filter((b) => b.booking_id === o.booking_id).map((b) => b.seat_id).sort();
    const lines = o.lines.map((l) => l.seat).sort();
    if (seats.join() !== lines.join()) problems.push(`paid order ${o.id} has seats ${lines.join(',')} but its booking ${o.booking_id} books ${seats.join(',') || 'none'}`);
    for (const seat of lines) {
      const key = `${o.showtime_id}/${seat}`;
      const other = seatOwner.get(key);
      if (other) problems.push(`seat ${key} is sold twice: orders ${other} and ${o.id}`);
      seatOwner.set(key, o.id);
    }
  }

  // G9 at the gateway: every successful charge is a payment's, and is kept by a paid order or refunded.
  const paymentById = new Map(payments.map((p) => [p.id, p]));
  const refundByCharge = new Map(ledgerRefunds.map((r) => [r.charge_id, r]));
  const refundById = new Map(refunds.map((r) => [r.id, r]));
  const succeeded = charges.filter((c) => c.outcome === 'succeeded');
  const chargesOf = new Map<string, ChargeRow[]>();
  for (const c of succeeded) {
    const payment = paymentById.get(c.key);
    if (!payment) {
      problems.push(`charge ${c.id} (key ${c.key}) belongs to no payment`);
      continue;
    }
    if (c.amount !== payment.amount) problems.push(`charge ${c.id} is ${c.amount}, its payment ${payment.id} is ${payment.amount}`);
    if (payment.state !== 'succeeded' && payment.state !== 'failed') problems.push(`payment ${payment.id} is ${payment.state} but the gateway charged it (${c.id})`);
    chargesOf.set(payment.order_id, [...(chargesOf.get(payment.order_id) ?? []), c]);
  }
  for (const p of payments) {
    if (p.state !== 'succeeded') continue;
    const charge = succeeded.find((c) => c.key === p.id);
    if (!charge || charge.id !== p.charge_id) problems.push(`payment ${p.id} is succeeded with charge ${p.charge_id}, the ledger has ${charge?.id ?? 'none'}`);
  }
  for (const o of orders) {
    const kept = (chargesOf.get(o.id) ?? []).filter((c) => !refundByCharge.has(c.id));
    const all = chargesOf.get(o.id) ?? [];
    if (o.state === 'paid') {
      if (all.length !== 1 || kept.length !== 1) problems.push(`paid order ${o.id} has ${all.length} successful charges, ${kept.length} not refunded (want exactly one, kept)`);
    } else if (kept.length > 0) {
      problems.push(`${o.state} order ${o.id} keeps ${kept.length} charge(s) without a refund: ${kept.map((c) => c.id).join(', ')}`);
    }
  }
  for (const r of ledgerRefunds) {
    const mine = refundById.get(r.key);
    const charge = succeeded.find((c) => c.id === r.charge_id);
    if (!mine) problems.push(`ledger refund ${r.key} is no refund of Boxoffice`);
    else if (!charge || mine.payment_id !== charge.key) problems.push(`refund ${r.key} refunded charge ${r.charge_id}, not its payment ${mine.payment_id}'s`);
    if (charge && r.amount !== charge.amount) problems.push(`refund ${r.key} is ${r.amount} of a ${charge.amount} charge`);
  }
  for (const r of refunds) if (r.state === 'succeeded' && !ledgerRefunds.some((l) => l.key === r.id)) problems.push(`refund ${r.id} is succeeded but the ledger has no refund of its key`);

  assert.deepEqual(problems, [], `checkout invariants broken:\n${problems.join('\n')}`);
  const byState: Partial<Record<OrderState, number>> = {};
  for (const o of orders) byState[o.state] = (byState[o.state] ?? 0) + 1;
  return {
    orders: orders.length,
    byState,
    charges: succeeded.length,
    declines: charges.length - succeeded.length,
    refunds: ledgerRefunds.length,
    rebooked: orders.filter((o) => o.state === 'paid' && o.booking_id !== o.hold_id).length,
    bookedSeats: booked.length,
    deadLetters: outbox!.dead,
    deliveries: outbox!.deliveries,
  };
}

/**
 * Waits until the payment machinery has nothing left to do: no open outbox message, no pending
 * payment or refund, and (with `allSettled`) no order still pending payment. Resolves with the time
 * it took; fails with what was still open.
 */
export async function waitUntilSettled(box: Boxoffice, timeoutMs: number, { allSettled = false } = {}): Promise<number> {
  const start = Date.now();
  for (;;) {
    const [row] = await box.stores.db.query<{ open: number; payments: number; refunds: number; orders: number }>(
      `SELECT (SELECT count(*) FROM payment_outbox WHERE done_at IS NULL AND dead_at IS NULL)::int AS open,
              (SELECT count(*) FROM payments WHERE state = 'pending')::int AS payments,
              (SELECT count(*) FROM refunds WHERE state = 'pending')::int AS refunds,
              (SELECT count(*) FROM orders WHERE state = 'pending_payment')::int AS orders`,
    );
    if (row!.open === 0 && row!.payments === 0 && row!.refunds === 0 && (!allSettled || row!.orders === 0)) return Date.now() - start;
    if (Date.now() - start > timeoutMs) {
      const open = await box.stores.db.query(
        `SELECT o.id, o.state, o.expires_at, o.booking_id, o.reason,
                (SELECT json_agg(json_build_object('id', p.id, 'state', p.state, 'reason', p.reason)) FROM payments p WHERE p.order_id = o.id) AS payments
         FROM orders o WHERE o.state = 'pending_payment' OR EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.state = 'pending') LIMIT 5`,
      );
      assert.fail(`not settled within ${timeoutMs} ms: ${JSON.stringify(row)}; for example ${JSON.stringify(open)}`);
    }
    await sleep(100);
  }
}
