import { after, describe } from 'node:test';
import { Redis } from 'ioredis';
import { openRedisHoldStore } from '../../src/stores/redis/redis-hold-store.ts';
import { REDIS_URL, redisSkip, runId } from '../support/services.ts';
import { holdStoreContract } from './hold-store.contract.ts';

const skip = await redisSkip();
const keyPrefix = `${runId('t_redis_holds')}:`;

describe('redis hold store', { skip }, () => {
  holdStoreContract('redis', () => openRedisHoldStore({ url: REDIS_URL, keyPrefix }), { contenders: 100_000 });

  after(() => deleteKeys(keyPrefix));
});

/** Deletes this run's keys: SCAN by prefix is fine in a test, never in the store. */
export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1_000 })) {
      if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
    }
  } finally {
    await redis.quit();
  }
}
