// Issue 10, finding 8: Redis lost only a showtime's seats hash (the version key survived), so the
// store still said "loaded", booked seats read as available and were never repaired: a hold on one
// got 201. Losing any part of a showtime's state must lead to a restore from PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { showtimeBase, SHOWTIME_KEY } from '../../src/stores/redis/keys.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { REDIS_URL, redisSkip, runId } from '../support/services.ts';
import { deleteKeys } from './redis-test-keys.ts';

const skip = await redisSkip();
const keyPrefix = `${runId('t_partial_loss')}:`;

describe('a Redis that lost part of a showtime', { skip }, () => {
  let s: TestServer;
  let redis: Redis;
  before(async () => {
    s = await startTestServer({ HOLD_STORE: 'redis', REDIS_URL, REDIS_KEY_PREFIX: keyPrefix });
    redis = new Redis(REDIS_URL);
  });
  after(async () => {
    await s.close();
    await redis.quit();
    await deleteKeys(keyPrefix);
  });

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const book = async (showtime: string, seats: string[]) => {
    const token = s.tokens.issue().token;
    const hold = await s.app.inject({ method: 'POST', url: `/api/v1/showtimes/${showtime}/holds`, headers: auth(token), payload: { seats } });
    assert.equal(hold.statusCode, 201, hold.body);
    const confirm = await s.app.inject({ method: 'POST', url: `/api/v1/holds/${hold.json().id}/confirm`, headers: auth(token) });
    assert.equal(confirm.statusCode, 200, confirm.body);
  };
  const seatStatus = async (showtime: string) => {
    const map = await s.app.inject({ method: 'GET', url: `/api/v1/showtimes/${showtime}/seats` });
    assert.equal(map.statusCode, 200, map.body);
    return new Map((map.json().seats as { id: string; status: string }[]).map((seat) => [seat.id, seat.status]));
  };

  for (const lost of [SHOWTIME_KEY.seats, SHOWTIME_KEY.version] as const) {
    it(`restores booked seats after losing only the ${lost} key`, async () => {
      const showtime = lost === SHOWTIME_KEY.seats ? 'inception-1' : 'dune-1';
      await book(showtime, ['A1', 'A2']);
      await book(showtime, ['B3']);
      assert.equal((await seatStatus(showtime)).get('A1'), 'booked');

      assert.equal(await redis.del(`${keyPrefix}${showtimeBase(showtime)}${lost}`), 1);

      const seats = await seatStatus(showtime);
      assert.deepEqual(['A1', 'A2', 'B3'].map((id) => seats.get(id)), ['booked', 'booked', 'booked']);
      const token = s.tokens.issue().token;
      const hold = await s.app.inject({ method: 'POST', url: `/api/v1/showtimes/${showtime}/holds`, headers: auth(token), payload: { seats: ['A2'] } });
      assert.equal(hold.statusCode, 409, hold.body);
      assert.equal(hold.json().code, 'SEAT_UNAVAILABLE');
      // A hold on a free seat still works after the restore.
      const free = await s.app.inject({ method: 'POST', url: `/api/v1/showtimes/${showtime}/holds`, headers: auth(token), payload: { seats: ['C1'] } });
      assert.equal(free.statusCode, 201, free.body);
    });
  }

  it('a showtime whose every seat is free again stays loaded (the marker keeps the hash)', async () => {
    const token = s.tokens.issue().token;
    const hold = await s.app.inject({ method: 'POST', url: '/api/v1/showtimes/arrival-1/holds', headers: auth(token), payload: { seats: ['D1'] } });
    assert.equal(hold.statusCode, 201, hold.body);
    assert.equal((await s.app.inject({ method: 'DELETE', url: `/api/v1/holds/${hold.json().id}`, headers: auth(token) })).statusCode, 204);
    assert.equal(await redis.exists(`${keyPrefix}${showtimeBase('arrival-1')}${SHOWTIME_KEY.seats}`), 1);
    assert.equal((await seatStatus('arrival-1')).get('D1'), 'available');
  });
});
