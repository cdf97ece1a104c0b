// The simulated gateway against its own ledger, on PGlite and on a PostgreSQL server (where racing
// calls with one idempotency key really run at once): what the gateway's books say, not its answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BoxofficeError } from '../../src/domain/errors.ts';
import { GatewayUnavailable } from '../../src/domain/payment-gateway.ts';
import { SimulatedGateway, checkCard, luhnValid } from '../../src/payments/gateway/simulated-gateway.ts';
import { openDb, type Db } from '../../src/stores/postgres/db.ts';
import { DATABASE_URL, postgresSkip, runId } from '../support/services.ts';

const NOW = Date.UTC(2026, 10, 25, 12);
const card = (number: string, cvc = '123') => ({ number, expMonth: 12, expYear: 2030, cvc, name: 'A. Buyer' });

function gatewayCases(open: () => Promise<Db>) {
  let db: Db;
  let gateway: SimulatedGateway;
  before(async () => {
    db = await open();
    gateway = await SimulatedGateway.open(db, { latencyMs: [0, 2], now: () => NOW });
  });
  after(() => db?.close());

  const chargesOf = async (key: string) => (await gateway.ledger()).charges.filter((c) => c.idempotencyKey === key);
  const key = () => runId('pay');

  it('tokenizes a card without keeping its number, and charges it once per key', async () => {
    const t = await gateway.tokenize(card('4242 4242 4242 4242'));
    assert.deepEqual({ brand: t.brand, last4: t.last4 }, { brand: 'visa', last4: '4242' });
    const stored = JSON.stringify(await db.query('SELECT * FROM gateway_cards'));
    assert.doesNotMatch(stored, /4242424242424242/);
    const k = key();
    const first = await gateway.charge({ idempotencyKey: k, token: t.token, amount: 1250, currency: 'EUR' });
    const again = await gateway.charge({ idempotencyKey: k, token: t.token, amount: 1250, currency: 'EUR' });
    assert.equal(first.outcome, 'succeeded');
    assert.deepEqual(again, first);
    const charges = await chargesOf(k);
    assert.equal(charges.length, 1);
    assert.deepEqual([charges[0]!.amount, charges[0]!.currency, charges[0]!.outcome], [1250, 'EUR', 'succeeded']);
    assert.deepEqual(await gateway.findCharge(k), { chargeId: charges[0]!.id, amount: 1250 });
    assert.equal(await gateway.findCharge(key()), null);
  });

  it('never charges one key twice when 20 calls race', async () => {
    const t = await gateway.tokenize(card('5555555555554444'));
    assert.equal(t.brand, 'mastercard');
    const k = key();
    const results = await Promise.all(Array.from({ length: 20 }, () => gateway.charge({ idempotencyKey: k, token: t.token, amount: 900, currency: 'EUR' })));
    const ids = new Set(results.map((r) => (r.outcome === 'succeeded' ? r.chargeId : 'declined')));
    assert.equal(ids.size, 1);
    assert.equal((await chargesOf(k)).length, 1);
  });

  it('declines the declining test cards with their reasons, the same answer for the same key', async () => {
    for (const [number, reason] of [
      ['4000000000000002', 'card_declined'],
      ['4000000000009995', 'insufficient_funds'],
      ['4000000000000069', 'expired_card'],
    ] as const) {
      const t = await gateway.tokenize(card(number));
      const k = key();
      const result = await gateway.charge({ idempotencyKey: k, token: t.token, amount: 500, currency: 'EUR' });
      assert.equal(result.outcome, 'declined');
      assert.equal(result.outcome === 'declined' && result.reason, reason);
      assert.deepEqual(await gateway.charge({ idempotencyKey: k, token: t.token, amount: 500, currency: 'EUR' }), result);
      assert.equal(await gateway.findCharge(k), null, 'a decline moved no money');
    }
  });

  it('times out as many times as the cvc says, per key, then charges once', async () => {
    const t = await gateway.tokenize(card('4000000000000119', '003'));
    const k = key();
    for (let i = 0; i < 3; i++) {
      await assert.rejects(gateway.charge({ idempotencyKey: k, token: t.token, amount: 700, currency: 'EUR' }), GatewayUnavailable);
      assert.equal((await chargesOf(k)).length, 0, 'a timeout charged nothing');
    }
    const result = await gateway.charge({ idempotencyKey: k, token: t.token, amount: 700, currency: 'EUR' });
    assert.equal(result.outcome, 'succeeded');
    // Another key of the same card starts its own count.
    await assert.rejects(gateway.charge({ idempotencyKey: key(), token: t.token, amount: 700, currency: 'EUR' }), GatewayUnavailable);
    assert.equal((await chargesOf(k)).length, 1);
  });

  it('loses the answer of a charge once: the ledger has it, a retry with the key finds it', async () => {
    const t = await gateway.tokenize(card('4000000000000259'));
    const k = key();
    await assert.rejects(gateway.charge({ idempotencyKey: k, token: t.token, amount: 1100, currency: 'EUR' }), GatewayUnavailable);
    const [charged] = await chargesOf(k);
    assert.equal(charged?.outcome, 'succeeded', 'charged although the answer was lost');
    assert.deepEqual(await gateway.findCharge(k), { chargeId: charged!.id, amount: 1100 });
    assert.deepEqual(await gateway.charge({ idempotencyKey: k, token: t.token, amount: 1100, currency: 'EUR' }), { outcome: 'succeeded', chargeId: charged!.id });
    assert.equal((await chargesOf(k)).length, 1);
  });

  it('refunds a charge in full once per key, and never twice per charge', async () => {
    const t = await gateway.tokenize(card('4242424242424242'));
    const k = key();
    const charged = await gateway.charge({ idempotencyKey: k, token: t.token, amount: 2000, currency: 'EUR' });
    assert.equal(charged.outcome, 'succeeded');
    const chargeId = charged.outcome === 'succeeded' ? charged.chargeId : '';
    const rk = runId('ref');
    const refunds = await Promise.all(Array.from({ length: 10 }, () => gateway.refund({ idempotencyKey: rk, chargeId, amount: 2000 })));
    assert.equal(new Set(refunds.map((r) => r.refundId)).size, 1);
    await assert.rejects(gateway.refund({ idempotencyKey: runId('ref'), chargeId, amount: 2000 }), /refunded already/);
    await assert.rejects(gateway.refund({ idempotencyKey: runId('ref'), chargeId: 'ch_nope', amount: 2000 }), /does not exist/);
    const ledger = await gateway.ledger();
    assert.deepEqual(
      ledger.refunds.filter((r) => r.chargeId === chargeId).map((r) => [r.idempotencyKey, r.amount]),
      [[rk, 2000]],
    );
  });

  it('refuses a key reused for another charge', async () => {
    const t = await gateway.tokenize(card('4242424242424242'));
    const k = key();
    await gateway.charge({ idempotencyKey: k, token: t.token, amount: 100, currency: 'EUR' });
    await assert.rejects(gateway.charge({ idempotencyKey: k, token: t.token, amount: 200, currency: 'EUR' }), /another charge/);
    assert.equal((await chargesOf(k)).length, 1);
  });
}

describe('simulated gateway on PGlite', () => {
  gatewayCases(() => openDb({}));
});

const skip = await postgresSkip();
const schema = runId('t_gateway');
describe('simulated gateway on a PostgreSQL server', { skip }, () => {
  gatewayCases(() => openDb({ url: DATABASE_URL, schema }));
  after(async () => {
    const db = await openDb({ url: DATABASE_URL });
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => db.close());
  });
});

describe('card checks', () => {
  const field = (card: unknown) => {
    try {
      checkCard(card, NOW);
    } catch (e) {
      assert.ok(e instanceof BoxofficeError && e.code === 'INVALID_INPUT', String(e));
      assert.doesNotMatch(e.message, /4242424242424241|4242424242424242/, 'the number is never in a message');
      return e.details.field;
    }
    return 'accepted';
  };

  it('names the field that is wrong', () => {
    assert.equal(field(card('4242424242424242')), 'accepted');
    assert.equal(field(card('4242-4242-4242-4242')), 'accepted');
    assert.equal(field(null), 'card');
    assert.equal(field({ ...card('4242424242424241') }), 'card.number');
    assert.equal(field({ ...card('42424242') }), 'card.number');
    assert.equal(field({ ...card('4242424242424242'), number: 4242424242424242 }), 'card.number');
    assert.equal(field({ ...card('4242424242424242'), expMonth: 13 }), 'card.expMonth');
    assert.equal(field({ ...card('4242424242424242'), expMonth: '12' }), 'card.expMonth');
    assert.equal(field({ ...card('4242424242424242'), expYear: 30 }), 'card.expYear');
    assert.equal(field({ ...card('4242424242424242'), expYear: 2025 }), 'card.expYear');
    assert.equal(field({ ...card('4242424242424242'), expYear: 2026, expMonth: 10 }), 'card.expMonth');
    assert.equal(field({ ...card('4242424242424242'), expYear: 2026, expMonth: 11 }), 'accepted', 'valid through its last month');
    assert.equal(field({ ...card('4242424242424242'), cvc: '12' }), 'card.cvc');
    assert.equal(field({ ...card('4242424242424242'), cvc: 123 }), 'card.cvc');
    assert.equal(field({ ...card('4242424242424242'), name: 'x'.repeat(201) }), 'card.name');
  });

  it('knows every test card is Luhn-valid', () => {
    for (const n of ['4242424242424242', '5555555555554444', '4000000000000002', '4000000000009995', '4000000000000069', '4000000000000119', '4000000000000259']) {
      assert.ok(luhnValid(n), n);
    }
    assert.ok(!luhnValid('4242424242424241'));
  });
});
