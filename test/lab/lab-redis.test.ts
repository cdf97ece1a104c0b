// The lab's redis-lock mode (SET NX EX, and a Lua script for several seats) on a real Redis, under a
// key prefix of its own that is deleted afterwards.
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { after, describe, it } from 'node:test';
import { REDIS_URL, redisSkip, runId } from '../support/services.ts';
import { labState, reset, safeModeCases, startLabServer } from './lab-cases.ts';

const keyPrefix = `${runId('t_lab_redis')}:`;
const env = () => ({ REDIS_URL, REDIS_KEY_PREFIX: keyPrefix, LAB_ENABLED: 'true' });

safeModeCases('Redis', env, ['redis-lock'], redisSkip);

describe('lab redis-lock keys', async () => {
  const skipped = await redisSkip();
  it('are lab keys under <prefix>lab:, with a time to live, shown in the hold store panel', { skip: skipped }, async () => {
    const s = await startLabServer(env());
    const redis = new Redis(REDIS_URL);
    try {
      await reset(s);
      const r = await s.app.inject({ method: 'POST', url: '/lab/api/race', payload: { mode: 'redis-lock', delayMs: 0, buyers: [{ buyer: 'alice', seats: ['A1', 'A2'] }, { buyer: 'bob', seats: ['A2', 'A3'] }] } });
      assert.equal(r.statusCode, 200, r.body);
      // Everything under the prefix but the rate limiter's counters (<prefix>rate:) is the lab's.
      const stateKeys = async () => (await redis.keys(`${keyPrefix}*`)).filter((k) => !k.startsWith(`${keyPrefix}rate:`)).sort();
      const keys = await stateKeys();
      assert.ok(keys.length === 2 && keys.every((k) => k.startsWith(`${keyPrefix}lab:{lab:lab-1}:seat:`)), JSON.stringify(keys));
      const ttl = await redis.ttl(keys[0]!);
      assert.ok(ttl > 0 && ttl <= 30, `ttl ${ttl}`);
      const { locks } = await labState(s);
      assert.equal(locks.redis?.length, 2);
      assert.ok(locks.redis!.every((l) => l.ttlMs > 0 && l.ttlMs <= 30_000));
      await reset(s);
      assert.deepEqual(await stateKeys(), []);
    } finally {
      await redis.quit();
      await s.close();
    }
  });
});

after(async () => {
  if (await redisSkip()) return;
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});
