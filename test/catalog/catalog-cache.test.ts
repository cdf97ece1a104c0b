// The catalog cache must not grow with what anonymous callers ask for (issue 10: 5,000 GETs of
// unknown movie ids left 5,000 entries): misses are never kept, and hits are a bounded LRU.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CachedBookingRepository } from '../../src/catalog/catalog-cache.ts';
import type { Movie, Showtime } from '../../src/domain/booking.ts';
import type { BookingRepository } from '../../src/domain/booking-repository.ts';
import { gridLayout } from '../../src/domain/layout.ts';
import { FREE_PRICES } from '../../src/domain/orders.ts';
import { LocalBroadcast } from '../../src/realtime/event-bus.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

/** A repository that knows movies m0..m99 and showtimes s0..s99, and counts its reads. */
function fakeRepository() {
  const reads = { movie: 0, showtime: 0 };
  const movie = (id: string): Movie | null => (/^m\d+$/.test(id) && Number(id.slice(1)) < 100 ? { id, title: id, durationMinutes: 90 } : null);
  const showtime = (id: string): Showtime | null =>
    /^s\d+$/.test(id) && Number(id.slice(1)) < 100 ? { id, movieId: 'm0', screenId: 'x', startsAt: 0, layout: gridLayout({ rows: 1, seatsPerRow: 2 }), prices: FREE_PRICES } : null;
  const repo = {
    getMovie: async (id: string) => (reads.movie++, movie(id)),
    getShowtime: async (id: string) => (reads.showtime++, showtime(id)),
    listShowtimes: async (f: { movieId?: string } = {}) => (f.movieId === 'm0' ? [showtime('s0')!] : []),
    listMovies: async () => [movie('m0')!],
  } as unknown as BookingRepository;
  return { repo, reads };
}

describe('catalog cache', () => {
  it('keeps no misses: 5,000 unknown ids leave nothing behind', async () => {
    const { repo, reads } = fakeRepository();
    const cache = new CachedBookingRepository(repo, new LocalBroadcast());
    for (let i = 0; i < 5_000; i++) {
      assert.equal(await cache.getMovie(`unknown-${i}`), null);
      assert.equal(await cache.getShowtime(`unknown-${i}`), null);
      assert.deepEqual(await cache.listShowtimes({ movieId: `unknown-${i}` }), []);
    }
    assert.equal(cache.size, 0);
    // A miss is read again each time: a movie created later is found at once.
    await cache.getMovie('unknown-1');
    assert.equal(reads.movie, 5_001);
  });

  it('keeps hits, reading each once', async () => {
    const { repo, reads } = fakeRepository();
    const cache = new CachedBookingRepository(repo, new LocalBroadcast());
    const [a, b] = await Promise.all([cache.getMovie('m1'), cache.getMovie('m1')]);
    assert.equal(a?.id, 'm1');
    assert.equal(a, b);
    await cache.getMovie('m1');
    assert.equal(reads.movie, 1);
    assert.equal((await cache.listShowtimes({ movieId: 'm0' })).length, 1);
    assert.equal(cache.size, 2);
  });

  it('is bounded: the least recently used hits go first', async () => {
    const { repo, reads } = fakeRepository();
    const cache = new CachedBookingRepository(repo, new LocalBroadcast(), 10);
    for (let i = 0; i < 100; i++) await cache.getShowtime(`s${i}`);
    assert.equal(cache.size, 10);
    assert.equal(reads.showtime, 100);
    await cache.getShowtime('s99');
    assert.equal(reads.showtime, 100, 'a recent hit is still cached');
    await cache.getShowtime('s0');
    assert.equal(reads.showtime, 101, 'the oldest was evicted');
  });
});

describe('catalog cache over HTTP', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s.close();
  });

  it('unknown movie and showtime ids, without a token, leave no entries', async () => {
    const before = s.box.catalog.size;
    for (let i = 0; i < 500; i++) {
      assert.equal((await s.app.inject({ method: 'GET', url: `/api/v1/movies/nope-${i}` })).statusCode, 404);
      assert.equal((await s.app.inject({ method: 'GET', url: `/movies/nope-${i}/seats` })).statusCode, 404);
      assert.equal((await s.app.inject({ method: 'GET', url: `/api/v1/showtimes?movieId=nope-${i}` })).statusCode, 200);
    }
    assert.ok(s.box.catalog.size <= before + 1, `${s.box.catalog.size} entries after 1,500 misses (${before} before)`);
  });
});
