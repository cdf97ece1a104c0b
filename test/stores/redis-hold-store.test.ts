import { after, describe } from 'node:test';
import { openRedisHoldStore } from '../../src/stores/redis/redis-hold-store.ts';
import { REDIS_URL, redisSkip, runId } from '../support/services.ts';
import { holdStoreContract } from './hold-store.contract.ts';
import { deleteKeys } from './redis-test-keys.ts';

const skip = await redisSkip();
const keyPrefix = `${runId('t_redis_holds')}:`;

describe('redis hold store', { skip }, () => {
  holdStoreContract('redis', () => openRedisHoldStore({ url: REDIS_URL, keyPrefix }), { contenders: 100_000 });
  after(() => deleteKeys(keyPrefix));
});
