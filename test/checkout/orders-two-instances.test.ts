// Two instances sharing Redis and PostgreSQL: an order checked out and paid on one reaches its
// owner's follow-orders socket on the other (order changes travel on Redis pub/sub), and the other
// instance answers for the order too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTwoInstances, wsClient } from '../support/app.ts';
import { postgresSkip, redisSkip } from '../support/services.ts';

const skip = (await redisSkip()) || (await postgresSkip());

describe('orders across two instances', { skip }, () => {
  let pair: Awaited<ReturnType<typeof startTwoInstances>>;
  before(async () => {
    pair = await startTwoInstances('t_orders2', { GATEWAY_LATENCY_MS: '1-5' });
    await pair.b.listen();
  });
  after(async () => {
    await pair?.close();
  });

  it('follows an order changed on the other instance, up to paid', async () => {
    const token = pair.a.tokens.issue().token;
    const auth = { authorization: `Bearer ${token}` };
    const ws = await wsClient(`${pair.b.url.replace('http', 'ws')}/ws`);
    try {
      ws.send({ type: 'follow-orders', token });
      await ws.next((m) => m.type === 'following-orders');
      const hold = await pair.a.app.inject({ method: 'POST', url: '/api/v1/showtimes/arrival-2/holds', headers: auth, payload: { seats: ['H4'] } });
      assert.equal(hold.statusCode, 201, hold.body);
      const order = (await pair.a.app.inject({ method: 'POST', url: `/api/v1/holds/${hold.json().id}/checkout`, headers: auth, payload: { email: 'two@example.com' } })).json();
      const created = (await ws.next((m) => m.type === 'order')).order as { id: string; state: string };
      assert.deepEqual([created.id, created.state], [order.id, 'pending_payment']);
      const card = { number: '4242424242424242', expMonth: 12, expYear: new Date().getFullYear() + 1, cvc: '123' };
      assert.equal((await pair.a.app.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/payments`, headers: auth, payload: { card } })).statusCode, 202);
      const paid = (await ws.next((m) => m.type === 'order' && (m.order as { state: string }).state === 'paid', 15_000)).order as { id: string };
      assert.equal(paid.id, order.id);
      const onB = await pair.b.app.inject({ method: 'GET', url: `/api/v1/orders/${order.id}`, headers: auth });
      assert.equal(onB.json().state, 'paid');
    } finally {
      ws.close();
    }
  });
});
