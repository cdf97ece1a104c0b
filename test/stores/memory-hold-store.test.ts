import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryHoldStore } from '../../src/stores/memory/memory-hold-store.ts';
import { holdStoreContract } from './hold-store.contract.ts';

holdStoreContract('memory', async () => new MemoryHoldStore(), { contenders: 100_000 });

// Memory-store internals: attack finding 9 grew the store by 6.7 MiB with 60,000 extends, one
// expiry entry each. An extended hold keeps one entry, moved when it comes due.
test('memory store: extends do not grow the expiry queue, and the hold expires at its extended time', async () => {
  let now = 1_000_000;
  const store = new MemoryHoldStore({ now: () => now });
  await store.restore('st-1', []);
  const ttlMs = 60_000;
  await store.hold({ showtimeId: 'st-1', holdId: 'h1', owner: 'guest:a', seats: ['A1'], ttlMs, maxSeatsPerOwner: 10 });
  for (let i = 0; i < 10_000; i++) {
    now += 1;
    await store.extend({ showtimeId: 'st-1', holdId: 'h1', owner: 'guest:a', ttlMs, maxLifeMs: 3_600_000 });
  }
  assert.equal(store.pendingExpiries, 1);
  const extendedTo = now + ttlMs;
  now = extendedTo - 1; // past the first expiry, before the extended one
  assert.deepEqual((await store.expireDue(100)).expired, []);
  assert.equal(store.pendingExpiries, 1);
  assert.equal((await store.getHold('st-1', 'h1'))?.state, 'held');
  now = extendedTo;
  const { expired } = await store.expireDue(100);
  assert.deepEqual(expired.map((e) => e.holdId), ['h1']);
  assert.equal(store.pendingExpiries, 0);
});
