// The embedded default as `npm start` wires it: demo catalog on first start, and bookings that
// survive a restart on the same DATA_DIR.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startBoxoffice } from '../src/boxoffice.ts';
import { ConfigError, FIRSTCLICK_HOLD_MS, loadConfig } from '../src/config.ts';
import { FIRSTCLICK_HOLD_MS as FIRSTCLICK_ROUTE_HOLD_MS } from '../src/http/routes/firstclick.ts';
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

  it('refuses an ADMIN_EMAIL or ADMIN_PASSWORD the account rules refuse, before opening any store', () => {
    // Both passed the config checks, then the server died at start with an uncaught BoxofficeError.
    assert.throws(() => loadConfig({ ADMIN_EMAIL: 'not-an-email', ADMIN_PASSWORD: 'admin-password' }), (e) => e instanceof ConfigError && /^ADMIN_EMAIL must be an email address/.test(e.message));
    assert.throws(() => loadConfig({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'x'.repeat(201) }), (e) => e instanceof ConfigError && /^ADMIN_PASSWORD must have 8 to 200 characters/.test(e.message));
    assert.deepEqual(loadConfig({ ADMIN_EMAIL: ' Root@Example.com ', ADMIN_PASSWORD: 'admin-password' }).admin, { email: ' Root@Example.com ', password: 'admin-password' });
  });

  it('refuses a DATABASE_SCHEMA, LOG_LEVEL or TRUST_PROXY it cannot use, naming the setting', () => {
    // Both passed, then the server died at start with an uncaught Error and a stack.
    assert.throws(() => loadConfig({ DATABASE_SCHEMA: 'bad-name' }), (e) => e instanceof ConfigError && /^DATABASE_SCHEMA must be/.test(e.message));
    assert.throws(() => loadConfig({ DATABASE_SCHEMA: 'Bad"x' }), (e) => e instanceof ConfigError && /^DATABASE_SCHEMA must be/.test(e.message));
    // The lab's schema is DATABASE_SCHEMA + "_lab", and PostgreSQL names have at most 63 characters.
    assert.throws(() => loadConfig({ DATABASE_SCHEMA: 'a'.repeat(60) }), (e) => e instanceof ConfigError && /^DATABASE_SCHEMA must be/.test(e.message));
    assert.equal(loadConfig({ DATABASE_SCHEMA: 'a'.repeat(59) }).databaseSchema, 'a'.repeat(59));
    assert.throws(() => loadConfig({ LOG_LEVEL: 'verbose' }), (e) => e instanceof ConfigError && /^LOG_LEVEL must be one of/.test(e.message));
    assert.equal(loadConfig({ LOG_LEVEL: 'debug' }).logLevel, 'debug');
    assert.throws(() => loadConfig({ TRUST_PROXY: 'bogus' }), (e) => e instanceof ConfigError && /^TRUST_PROXY must list/.test(e.message));
    assert.throws(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' }), (e) => e instanceof ConfigError && /^TRUST_PROXY must list/.test(e.message));
    assert.deepEqual(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8, ::1, loopback' }).trustProxy, ['127.0.0.1', '10.0.0.0/8', '::1', 'loopback']);
  });

  it('refuses a hold time that every hold would exceed (attack finding 10)', () => {
    // Accepted before, and then every hold answered 400.
    assert.throws(() => loadConfig({ HOLD_TTL: '3600', MAX_HOLD_LIFE: '1800' }), (e) => e instanceof ConfigError && /HOLD_TTL \(3600 s\).*MAX_HOLD_LIFE \(1800 s\)/.test(e.message));
    assert.throws(() => loadConfig({ MAX_HOLD_LIFE: '300' }), /HOLD_TTL \(600 s\) cannot be longer than MAX_HOLD_LIFE \(300 s\)/);
    assert.equal(loadConfig({ HOLD_TTL: '1800', MAX_HOLD_LIFE: '1800' }).limits.holdTtlMs, 1_800_000);
    // FirstClick holds last 20 s whatever HOLD_TTL says.
    assert.equal(FIRSTCLICK_HOLD_MS, FIRSTCLICK_ROUTE_HOLD_MS);
    assert.throws(() => loadConfig({ HOLD_TTL: '10', MAX_HOLD_LIFE: '15' }), /MAX_HOLD_LIFE \(15 s\) cannot be shorter than a FirstClick hold \(20 s\)/);
    assert.equal(loadConfig({ HOLD_TTL: '10', MAX_HOLD_LIFE: '15', FIRSTCLICK_COMPAT: 'false' }).limits.maxHoldLifeMs, 15_000);
  });

  it('refuses a store URL that cannot be connected to, naming the setting and hiding the password (attack finding 10)', () => {
    const refused = (env: Record<string, string>, pattern: RegExp) =>
      assert.throws(() => loadConfig(env), (e) => e instanceof ConfigError && pattern.test(e.message) && !e.message.includes('hunter2'));
    refused({ REDIS_URL: 'redis://127.0.0.1:99999' }, /^REDIS_URL is not a valid URL/);
    refused({ REDIS_URL: 'redis://:hunter2@127.0.0.1:0' }, /^REDIS_URL must have a port from 1 to 65535, not "redis:\/\/:\*\*\*@127\.0\.0\.1:0"/);
    refused({ REDIS_URL: 'localhost:6379' }, /^REDIS_URL must start with redis:\/\/ or rediss:\/\//);
    refused({ REDIS_ADDR: 'cache:port' }, /^REDIS_ADDR must be host:port/);
    refused({ DATABASE_URL: 'postgres://app:hunter2@db:65536/boxoffice' }, /^DATABASE_URL is not a valid URL .*"postgres:\/\/app:\*\*\*@db:65536\/boxoffice"/);
    refused({ DATABASE_URL: 'mysql://db/boxoffice' }, /^DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//);
    assert.equal(loadConfig({ DATABASE_URL: 'postgresql://app:pw@db:5432/boxoffice' }).databaseUrl, 'postgresql://app:pw@db:5432/boxoffice');
    assert.equal(loadConfig({ REDIS_URL: 'rediss://cache' }).redisSetting, 'REDIS_URL');
    assert.equal(loadConfig({ REDIS_ADDR: 'cache:6380' }).redisSetting, 'REDIS_ADDR');
  });
});
