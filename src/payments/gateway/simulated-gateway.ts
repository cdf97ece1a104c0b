import { randomBytes, randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { invalidInput } from '../../domain/errors.ts';
import type { CardSummary } from '../../domain/orders.ts';
import { GatewayUnavailable, type CardInput, type ChargeResult, type DeclineReason, type PaymentGateway } from '../../domain/payment-gateway.ts';
import { isUniqueViolation, migrate, type Db, type MigrationSet } from '../../stores/postgres/db.ts';
import { queriesIn } from '../../stores/postgres/queries.ts';

/** The gateway's ledger tables, tracked apart from the core's (they may share one connection). */
export const GATEWAY_MIGRATIONS: MigrationSet = { folder: new URL('./migrations/', import.meta.url), table: 'gateway_migrations', lockId: 7262011 };

const query = queriesIn(new URL('./queries/', import.meta.url));

/** What a test card does; every other Luhn-valid number succeeds. */
type Behaviour = { behaviour: 'succeed' | 'time_out' | 'lose_answer' } | { behaviour: 'decline'; reason: DeclineReason };

const TEST_CARDS: Record<string, Behaviour> = {
  '4000000000000002': { behaviour: 'decline', reason: 'card_declined' },
  '4000000000009995': { behaviour: 'decline', reason: 'insufficient_funds' },
  '4000000000000069': { behaviour: 'decline', reason: 'expired_card' },
  // Times out as many times as its cvc says ("003": three), per idempotency key, then succeeds.
  '4000000000000119': { behaviour: 'time_out' },
  // Charges, then loses the answer once per idempotency key: a retry with the key finds the charge.
  '4000000000000259': { behaviour: 'lose_answer' },
};

const DECLINE_MESSAGES: Record<DeclineReason, string> = {
  card_declined: 'the card was declined',
  insufficient_funds: 'the card has insufficient funds',
  expired_card: 'the card has expired',
};

export interface SimulatedGatewayOptions {
  /** Each answer takes uniformly between these, in ms (Config.checkout.gatewayLatencyMs). */
  latencyMs: [number, number];
  /** The clock card expiry is checked on. */
  now?: () => number;
}

export interface LedgerCharge {
  id: string;
  idempotencyKey: string;
  amount: number;
  currency: string;
  outcome: 'succeeded' | 'declined';
  declineReason: DeclineReason | null;
  createdAt: number;
}

export interface LedgerRefund {
  id: string;
  idempotencyKey: string;
  chargeId: string;
  amount: number;
  createdAt: number;
}

interface ChargeRow {
  id: string;
  token: string;
  amount: number;
  currency: string;
  outcome: 'succeeded' | 'declined';
  decline_reason: DeclineReason | null;
}

/**
 * A card gateway inside Boxoffice's database, standing in for a real one: it tokenizes cards, keeps a
 * ledger of charges and refunds (its own tables, its own migrations), answers after a realistic
 * latency, and has the test cards of the brief. Idempotency is its ledger's primary key, so it holds
 * across processes sharing the database (several `npm run worker`s) and across restarts.
 */
export class SimulatedGateway implements PaymentGateway {
  readonly name = 'simulated';
  private readonly now: () => number;

  private constructor(
    private readonly db: Db,
    private readonly options: SimulatedGatewayOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Creates the ledger tables when missing (on the given connection, which the gateway does not close). */
  static async open(db: Db, options: SimulatedGatewayOptions): Promise<SimulatedGateway> {
    await migrate(db, GATEWAY_MIGRATIONS);
    return new SimulatedGateway(db, options);
  }

  async tokenize(card: CardInput): Promise<CardSummary & { token: string }> {
    const checked = checkCard(card, this.now());
    await this.latency();
    const behaviour = TEST_CARDS[checked.number] ?? { behaviour: 'succeed' };
    const token = `tok_${randomBytes(16).toString('base64url')}`;
    const summary = { brand: brandOf(checked.number), last4: checked.number.slice(-4) };
    // The number ends here: only the token, brand, last four and the simulated behaviour are kept.
    await this.db.query(
      `INSERT INTO gateway_cards (token, brand, last4, exp_month, exp_year, behaviour, decline_reason, timeouts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        token,
        summary.brand,
        summary.last4,
        checked.expMonth,
        checked.expYear,
        behaviour.behaviour,
        behaviour.behaviour === 'decline' ? behaviour.reason : null,
        behaviour.behaviour === 'time_out' ? Number(checked.cvc) : 0,
      ],
    );
    return { ...summary, token };
  }

  async charge(req: { idempotencyKey: string; token: string; amount: number; currency: string }): Promise<ChargeResult> {
    if ((await this.db.query(query('takeTimeout'), [req.idempotencyKey, req.token])).length > 0) {
      // A timeout: the caller waited as long as the slowest answer and heard nothing; nothing was charged.
      await sleep(this.options.latencyMs[1]);
      throw new GatewayUnavailable(`the gateway did not answer the charge ${req.idempotencyKey} in time`);
    }
    await this.latency();
    const id = `ch_${randomBytes(12).toString('base64url')}`;
    let [row] = await this.db.query<ChargeRow>(query('insertCharge'), [req.idempotencyKey, id, req.token, req.amount, req.currency]);
    if (!row) {
      [row] = await this.db.query<ChargeRow>(
        'SELECT id, token, amount, currency, outcome, decline_reason FROM gateway_charges WHERE idempotency_key = $1',
        [req.idempotencyKey],
      );
      if (!row) return { outcome: 'declined', reason: 'card_declined', message: 'the gateway does not know this card token' };
      if (row.token !== req.token || row.amount !== req.amount || row.currency !== req.currency) {
        // A real gateway refuses a key reused for another request; here it is a bug of the caller.
        throw new Error(`idempotency key ${req.idempotencyKey} was used for another charge (${row.id})`);
      }
    }
    if (row.outcome === 'declined') {
      const reason = row.decline_reason ?? 'card_declined';
      return { outcome: 'declined', reason, message: DECLINE_MESSAGES[reason] };
    }
    if ((await this.db.query(query('loseAnswer'), [req.idempotencyKey])).length > 0) {
      throw new GatewayUnavailable(`the answer to charge ${req.idempotencyKey} was lost (the card was charged)`);
    }
    return { outcome: 'succeeded', chargeId: row.id };
  }

  async refund(req: { idempotencyKey: string; chargeId: string; amount: number }): Promise<{ refundId: string }> {
    await this.latency();
    const id = `re_${randomBytes(12).toString('base64url')}`;
    let inserted: { id: string }[];
    try {
      inserted = await this.db.query<{ id: string }>(query('insertRefund'), [req.idempotencyKey, id, req.chargeId, req.amount]);
    } catch (e) {
      if (isUniqueViolation(e)) throw new Error(`charge ${req.chargeId} was refunded already, under another idempotency key than ${req.idempotencyKey}`);
      throw e;
    }
    if (inserted[0]) return { refundId: inserted[0].id };
    const [existing] = await this.db.query<{ id: string; charge_id: string }>('SELECT id, charge_id FROM gateway_refunds WHERE idempotency_key = $1', [
      req.idempotencyKey,
    ]);
    if (existing) {
      if (existing.charge_id !== req.chargeId) throw new Error(`idempotency key ${req.idempotencyKey} was used for a refund of another charge`);
      return { refundId: existing.id };
    }
    const [charge] = await this.db.query<{ outcome: string; amount: number }>('SELECT outcome, amount FROM gateway_charges WHERE id = $1', [req.chargeId]);
    if (!charge || charge.outcome !== 'succeeded') throw new Error(`charge ${req.chargeId} does not exist or did not succeed: nothing to refund`);
    throw new Error(`refunds are in full: charge ${req.chargeId} is ${charge.amount}, not ${req.amount}`);
  }

  async findCharge(idempotencyKey: string): Promise<{ chargeId: string; amount: number } | null> {
    await this.latency();
    const [row] = await this.db.query<{ id: string; amount: number }>(
      `SELECT id, amount FROM gateway_charges WHERE idempotency_key = $1 AND outcome = 'succeeded'`,
      [idempotencyKey],
    );
    return row ? { chargeId: row.id, amount: row.amount } : null;
  }

  /** The gateway's books, oldest first: what tests check G9 against. */
  async ledger(): Promise<{ charges: LedgerCharge[]; refunds: LedgerRefund[] }> {
    const charges = await this.db.query<LedgerCharge>(
      `SELECT id, idempotency_key AS "idempotencyKey", amount, currency, outcome, decline_reason AS "declineReason",
              (extract(epoch from created_at) * 1000)::bigint AS "createdAt"
       FROM gateway_charges ORDER BY created_at, id`,
    );
    const refunds = await this.db.query<LedgerRefund>(
      `SELECT id, idempotency_key AS "idempotencyKey", charge_id AS "chargeId", amount, (extract(epoch from created_at) * 1000)::bigint AS "createdAt"
       FROM gateway_refunds ORDER BY created_at, id`,
    );
    return { charges, refunds };
  }

  async close(): Promise<void> {}

  private latency(): Promise<void> {
    const [min, max] = this.options.latencyMs;
    const ms = min === max ? min : randomInt(min, max + 1);
    return ms > 0 ? sleep(ms) : Promise.resolve();
  }
}

const MAX_NAME_LENGTH = 200;

/**
 * Checks a card as a gateway would before tokenizing it: each fault is INVALID_INPUT naming the field.
 * The number never appears in a message (it could end up in a log).
 */
export function checkCard(card: unknown, now: number): { number: string; expMonth: number; expYear: number; cvc: string } {
  if (typeof card !== 'object' || card === null) throw invalidInput('card must be an object with number, expMonth, expYear and cvc', { field: 'card' });
  const { number, expMonth, expYear, cvc, name } = card as Record<string, unknown>;
  // Spaces and dashes are how people type card numbers; they are not part of it.
  const digits = typeof number === 'string' ? number.replace(/[\s-]/g, '') : '';
  if (!/^[0-9]{12,19}$/.test(digits)) throw invalidInput('card.number must be 12 to 19 digits', { field: 'card.number' });
  if (!luhnValid(digits)) throw invalidInput('card.number is not a valid card number (its check digit is wrong)', { field: 'card.number' });
  if (!Number.isInteger(expMonth) || (expMonth as number) < 1 || (expMonth as number) > 12) {
    throw invalidInput('card.expMonth must be a month from 1 to 12', { field: 'card.expMonth' });
  }
  const today = new Date(now);
  const thisYear = today.getUTCFullYear();
  if (!Number.isInteger(expYear) || (expYear as number) < 2000 || (expYear as number) > thisYear + 50) {
    throw invalidInput('card.expYear must be a four-digit year', { field: 'card.expYear' });
  }
  const month = expMonth as number;
  const year = expYear as number;
  // A card is valid through the last day of its expiry month.
  if (year < thisYear) throw invalidInput(`the card expired in ${year}`, { field: 'card.expYear' });
  if (year === thisYear && month < today.getUTCMonth() + 1) throw invalidInput(`the card expired in ${month}/${year}`, { field: 'card.expMonth' });
  if (typeof cvc !== 'string' || !/^[0-9]{3,4}$/.test(cvc)) throw invalidInput('card.cvc must be 3 or 4 digits', { field: 'card.cvc' });
  if (name !== undefined && (typeof name !== 'string' || name.length > MAX_NAME_LENGTH)) {
    throw invalidInput(`card.name must be text of at most ${MAX_NAME_LENGTH} characters`, { field: 'card.name' });
  }
  return { number: digits, expMonth: month, expYear: year, cvc };
}

/** The Luhn check digit test every card number passes. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The card network, from the number's leading digits (IIN ranges). */
export function brandOf(digits: string): string {
  if (digits.startsWith('4')) return 'visa';
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return 'mastercard';
  if (two === 34 || two === 37) return 'amex';
  if (digits.startsWith('6011') || digits.startsWith('65')) return 'discover';
  return 'card';
}
