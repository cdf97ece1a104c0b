import { Redis } from 'ioredis';
import { REDIS_URL } from '../support/services.ts';

/** Deletes a test run's keys: SCAN by prefix is fine in a test, never in the store. */
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
