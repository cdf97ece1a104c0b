// Redis-only checks the shared contract cannot make: every key of a showtime lands in one Cluster
// slot, a Redis that lost its data says so, the Cluster indexing path, and concurrent sweepers.
// serial: a hold extended to 400 ms is checked 200 ms before and 100 ms after its new expiry
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { ShowtimeNotLoaded } from '../../src/domain/errors.ts';
import { showtimeBase } from '../../src/stores/redis/keys.ts';
import { openRedisHoldStore, RedisHoldStore } from '../../src/stores/redis/redis-hold-store.ts';
import { REDIS_URL, redisSkip, runId } from '../support/services.ts';
import { holdStoreContract } from './hold-store.contract.ts';
import { deleteKeys } from './redis-test-keys.ts';

const skip = await redisSkip();
const keyPrefix = `${runId('t_redis_internal')}:`;
const MINUTE = 60_000;

describe('redis hold store internals', { skip }, () => {
  let store: RedisHoldStore;
  let redis: Redis;
  before(async () => {
    store = await openRedisHoldStore({ url: REDIS_URL, keyPrefix });
    redis = new Redis(REDIS_URL);
  });
  after(async () => {
    await store.close();
    await redis.quit();
    await deleteKeys(keyPrefix);
  });

  const newShowtime = async () => {
    const id = `st-${randomUUID().slice(0, 8)}`;
    await store.restore(id, []);
    return id;
  };
  const hold = (showtimeId: string, owner: string, seats: string[], ttlMs = MINUTE) =>
    store.hold({ holdId: `${showtimeId}.${randomUUID().slice(0, 8)}`, showtimeId, owner, seats, ttlMs, maxSeatsPerOwner: 10 });

  /** The keys Redis really holds for one showtime, found the way only a test may: by SCAN. */
  async function keysOf(showtimeId: string): Promise<string[]> {
    const found: string[] = [];
    for await (const keys of redis.scanStream({ match: `${keyPrefix}${showtimeBase(showtimeId)}*` })) found.push(...(keys as string[]));
    return found;
  }

  it('keeps every key of a showtime in one Redis Cluster slot', async () => {
    const st = await newShowtime();
    const { hold: a } = await hold(st, 'ann', ['A1', 'A2']);
    await hold(st, 'bob', ['B1']);
    await store.beginConfirm({ showtimeId: st, holdId: a.id, owner: 'ann', graceMs: MINUTE });
    const keys = await keysOf(st);
    assert.ok(keys.length >= 5, `expected version, seats, two holds and an owner set, got ${keys.join(' ')}`);
    const slots = new Set(keys.map(clusterSlot));
    assert.equal(slots.size, 1, `keys in several slots: ${keys.join(' ')}`);
    assert.equal([...slots][0], clusterSlot(`{st:${st}}`));
  });

  it('reports ShowtimeNotLoaded after Redis lost its data, and restore starts the version higher', async () => {
    const st = await newShowtime();
    const { version } = await hold(st, 'ann', ['A1']);
    await deleteKeys(keyPrefix); // as a restart without persistence would
    await assert.rejects(store.seatStates(st), ShowtimeNotLoaded);
    await assert.rejects(hold(st, 'bob', ['A1']), ShowtimeNotLoaded);
    await assert.rejects(store.getHold(st, 'x'), ShowtimeNotLoaded);
    assert.deepEqual(await store.expireDue(1_000), { expired: [], stalled: [] });
    const restored = await store.restore(st, [{ bookingId: `${st}.b1`, owner: 'cat', seats: ['C1'] }]);
    assert.ok(restored.version > version, 'versions only grow, also across a Redis that lost its data');
    assert.deepEqual((await store.seatStates(st)).seats.map((s) => [s.seat, s.status]), [['C1', 'booked']]);
  });

  it('restores a sold-out auditorium in one step', async () => {
    const st = `st-${randomUUID().slice(0, 8)}`;
    const seats = Array.from({ length: 6_000 }, (_, i) => `S${i + 1}`);
    const restored = await store.restore(st, [{ bookingId: `${st}.b1`, owner: 'ann', seats }]);
    assert.equal(restored.seats.length, seats.length);
    assert.equal((await store.seatStates(st)).seats.length, seats.length);
  });

  it('reports each expiry exactly once when several app instances sweep at once', async () => {
    const others = await Promise.all([1, 2, 3].map(() => openRedisHoldStore({ url: REDIS_URL, keyPrefix })));
    try {
      const st = await newShowtime();
      const ids = new Set<string>();
      for (let i = 0; i < 100; i++) ids.add((await hold(st, `o${i}`, [`A${i + 1}`], 50)).hold.id);
      await sleep(100);
      const reported: string[] = [];
      for (let round = 0; round < 5; round++) {
        const sweeps = await Promise.all([store, ...others].map((s) => s.expireDue(30)));
        for (const { expired } of sweeps) reported.push(...expired.filter((e) => e.showtimeId === st).map((e) => e.holdId));
      }
      assert.equal(reported.length, ids.size, 'every expiry reported, none twice');
      assert.deepEqual(new Set(reported), ids);
      assert.deepEqual((await store.seatStates(st)).seats, []);
    } finally {
      await Promise.all(others.map((s) => s.close()));
    }
  });

  it('announces an extended hold at its new expiry, not its first one', async () => {
    const st = await newShowtime();
    const { hold: h } = await hold(st, 'ann', ['A1'], 100);
    await store.extend({ showtimeId: st, holdId: h.id, owner: 'ann', ttlMs: 400, maxLifeMs: MINUTE });
    await sleep(200);
    assert.equal((await store.expireDue(1_000)).expired.filter((e) => e.holdId === h.id).length, 0);
    await sleep(300);
    assert.equal((await store.expireDue(1_000)).expired.filter((e) => e.holdId === h.id).length, 1);
  });
});

// On Redis Cluster the global expiry index lives in another slot than the showtime, so the store
// files expiries after each step instead of inside it; this runs that path on a single Redis.
describe('redis hold store, indexing as on Redis Cluster', { skip }, () => {
  const prefix = `${runId('t_redis_cluster_path')}:`;
  holdStoreContract(
    'redis (index written after the step)',
    async () => {
      const client = new Redis(REDIS_URL, { keyPrefix: prefix, enableAutoPipelining: true });
      return new RedisHoldStore(client, { ownsClient: true, indexInScript: false });
    },
    { contenders: 10_000 },
  );
  after(() => deleteKeys(prefix));
});

/** Redis Cluster's slot of a key: CRC16 (XMODEM) of its hash tag, or of the whole key without one. */
function clusterSlot(key: string): number {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  const tagged = close > open + 1 ? key.slice(open + 1, close) : key;
  let crc = 0;
  for (const byte of Buffer.from(tagged)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

it('computes Redis Cluster slots as Redis does', () => {
  assert.equal(clusterSlot('123456789'), 12739);
  assert.equal(clusterSlot('a{user1000}.following'), clusterSlot('b{user1000}.followers'));
});
