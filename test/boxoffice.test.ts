// The embedded default as `npm start` wires it: demo catalog on first start, and bookings that
// survive a restart on the same DATA_DIR.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startBoxoffice } from '../src/boxoffice.ts';
import { loadConfig } from '../src/config.ts';
import { BoxofficeError } from '../src/domain/errors.ts';
import { layoutSize } from '../src/domain/layout.ts';

describe('embedded default', () => {
  let dataDir: string;
  after(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('loads the demo catalog on first start and keeps bookings across a restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'boxoffice-embedded-'));
    const config = loadConfig({ DATA_DIR: dataDir });
    assert.equal(config.holdStore, 'memory');

    const first = await startBoxoffice(config);
    const movies = await first.stores.repository.listMovies();
    assert.deepEqual(movies.map((m) => m.id).sort(), ['arrival', 'dune', 'inception']);
    assert.deepEqual(layoutSize((await first.service.showtime('inception-1')).layout), { rows: 5, seatsPerRow: 8, seats: 40 });
    assert.deepEqual(layoutSize((await first.service.showtime('dune-1')).layout), { rows: 4, seatsPerRow: 6, seats: 24 });
    assert.ok((await first.stores.repository.listShowtimes({ movieId: 'arrival' })).length >= 2);
    const hold = await first.service.holdSeats({ showtimeId: 'dune-1', owner: 'ann', seats: ['B4', 'B5'] });
    const booking = await first.service.confirmHold({ holdId: hold.id, owner: 'ann' });
    await first.close();

    const second = await startBoxoffice(config);
    try {
      assert.equal((await second.stores.repository.listMovies()).length, 3, 'the demo catalog is loaded once');
      const map = await second.service.seatMap('dune-1');
      assert.deepEqual(map.seats.filter((s) => s.status === 'booked').map((s) => s.id), ['B4', 'B5']);
      await assert.rejects(second.service.holdSeats({ showtimeId: 'dune-1', owner: 'bob', seats: ['B5'] }), (e) => e instanceof BoxofficeError && e.code === 'SEAT_UNAVAILABLE');
      assert.deepEqual(await second.service.confirmHold({ holdId: hold.id, owner: 'ann' }), booking);
    } finally {
      await second.close();
    }
  });

  it('refuses a configuration it cannot run', () => {
    assert.throws(() => loadConfig({ HOLD_STORE: 'mongo' }), /HOLD_STORE must be memory, redis or postgres/);
    assert.throws(() => loadConfig({ HOLD_STORE: 'redis' }), /needs REDIS_URL/);
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT must be an integer/);
    assert.equal(loadConfig({ REDIS_ADDR: 'cache:6380' }).redisUrl, 'redis://cache:6380');
    assert.equal(loadConfig({ HOLD_TTL: '20' }).limits.holdTtlMs, 20_000);
  });
});
