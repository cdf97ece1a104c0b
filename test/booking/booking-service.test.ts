// The booking use cases end to end over real stores: memory + PGlite always; Redis and
// PostgreSQL holds (with bookings on the PostgreSQL server) when those services are up.
// serial: expiries announced within a second of the hold running out
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BoxofficeError } from '../../src/domain/errors.ts';
import { openHarness, type Harness, type StoreKind } from '../support/harness.ts';
import { postgresSkip, redisSkip } from '../support/services.ts';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof BoxofficeError, String(e));
    return e.code;
  }
  return 'OK';
}

const skips: Record<StoreKind, () => Promise<false | string>> = {
  memory: async () => false,
  redis: async () => (await postgresSkip()) || (await redisSkip()),
  postgres: postgresSkip,
};

for (const kind of ['memory', 'redis', 'postgres'] as const) {
  const skip = await skips[kind]();
  describe(`booking service on ${kind} holds`, { skip }, () => {
    let h: Harness;
    before(async () => {
      h = await openHarness(kind, { confirmGraceMs: 300 });
    });
    after(async () => {
      await h?.close();
    });

    it('holds, confirms into a booking, and returns the same booking when confirmed again', async () => {
      const st = await h.showtime();
      const hold = await h.service.holdSeats({ showtimeId: st, owner: 'ann', seats: ['B2', 'B1'] });
      assert.deepEqual(hold.seats, ['B1', 'B2']);
      const booking = await h.service.confirmHold({ holdId: hold.id, owner: 'ann' });
      assert.equal(booking.id, hold.id);
      assert.deepEqual(booking.seats, ['B1', 'B2']);
      assert.deepEqual(await h.service.confirmHold({ holdId: hold.id, owner: 'ann' }), booking);
      const map = await h.service.seatMap(st);
      assert.deepEqual(map.seats.filter((s) => s.status === 'booked').map((s) => s.id), ['B1', 'B2']);
      assert.equal(map.seats.find((s) => s.id === 'C10')?.status, 'blocked');
      assert.deepEqual((await h.service.bookingsOf('ann')).map((b) => b.id), [booking.id]);
      assert.equal(await code(h.service.holdSeats({ showtimeId: st, owner: 'bob', seats: ['B2'] })), 'SEAT_UNAVAILABLE');
    });

    it('reuses the seat map while nothing changed, and never serves a stale one (expiry before the sweep included)', async () => {
      const st = await h.showtime();
      const first = await h.service.seatMap(st);
      assert.equal(await h.service.seatMap(st), first, 'nothing changed: the same map');
      const hold = await h.service.holdSeats({ showtimeId: st, owner: 'ann', seats: ['A1'], ttlMs: 300 });
      const held = await h.service.seatMap(st);
      assert.notEqual(held, first);
      assert.equal(held.seats.find((s) => s.id === 'A1')?.status, 'held');
      assert.equal(first.seats.find((s) => s.id === 'A1')?.status, 'available', 'an earlier map is never changed');
      await sleep(400); // expired on the store's clock; this harness runs no sweeper
      assert.equal((await h.service.seatMap(st)).seats.find((s) => s.id === 'A1')?.status, 'available');
      const again = await h.service.holdSeats({ showtimeId: st, owner: 'bob', seats: ['A1'] });
      const rebooked = await h.service.seatMap(st);
      assert.equal(rebooked.seats.find((s) => s.id === 'A1')?.holdId, again.id);
      assert.notEqual(again.id, hold.id);
    });

    it('lets only the owner confirm, extend or release, and releases idempotently', async () => {
      const st = await h.showtime();
      const hold = await h.service.holdSeats({ showtimeId: st, owner: 'ann', seats: ['A1'] });
      assert.equal(await code(h.service.confirmHold({ holdId: hold.id, owner: 'bob' })), 'NOT_HOLD_OWNER');
      assert.equal(await code(h.service.extendHold({ holdId: hold.id, owner: 'bob' })), 'NOT_HOLD_OWNER');
      assert.equal(await code(h.service.releaseHold({ holdId: hold.id, owner: 'bob' })), 'NOT_HOLD_OWNER');
      assert.deepEqual(await h.service.holdsOf(st, 'ann'), [hold]);
      await h.service.releaseHold({ holdId: hold.id, owner: 'ann' });
      await h.service.releaseHold({ holdId: hold.id, owner: 'ann' });
      assert.deepEqual(await h.service.holdsOf(st, 'ann'), []);
      assert.equal((await h.service.seatMap(st)).seats.find((s) => s.id === 'A1')?.status, 'available');
    });

    it("lists an owner's live holds across showtimes, and counts the seats left", async () => {
      const [one, two] = [await h.showtime(), await h.showtime()];
      const a = await h.service.holdSeats({ showtimeId: one, owner: 'lister', seats: ['A1', 'A2'] });
      const b = await h.service.holdBest({ showtimeId: two, owner: 'lister', best: { count: 3 } });
      await h.service.holdSeats({ showtimeId: two, owner: 'other', seats: ['A9'] });
      assert.deepEqual((await h.service.liveHoldsOf('lister')).map((x) => [x.hold.id, x.showtime.id]), [[a.id, one], [b.id, two]]);
      await h.service.releaseHold({ holdId: a.id, owner: 'lister' });
      assert.deepEqual((await h.service.liveHoldsOf('lister')).map((x) => x.hold.id), [b.id]);
      // 3 x 10 seats, C10 blocked: 29, less lister's 3 and other's 1.
      assert.equal(await h.service.seatsLeft(two), 25);
      assert.equal(b.seats.length, 3);
    });

    it('refuses bad input with clear errors', async () => {
      const st = await h.showtime();
      const hold = (seats: unknown, showtimeId = st) => code(h.service.holdSeats({ showtimeId, owner: 'ann', seats }));
      assert.equal(await hold(['Z9']), 'SEAT_NOT_FOUND');
      assert.equal(await hold(['A1', 'A1']), 'INVALID_INPUT');
      assert.equal(await hold([]), 'INVALID_INPUT');
      assert.equal(await hold('A1'), 'INVALID_INPUT');
      assert.equal(await hold([7]), 'INVALID_INPUT');
      assert.equal(await hold(['a1']), 'INVALID_INPUT');
      assert.equal(await hold(Array.from({ length: 11 }, (_, i) => `A${i + 1}`)), 'INVALID_INPUT');
      assert.equal(await hold(['C10']), 'SEAT_UNAVAILABLE');
      assert.equal(await hold(['A1'], 'no-such-showtime'), 'SHOWTIME_NOT_FOUND');
      assert.equal(await hold(['A1'], '../etc'), 'SHOWTIME_NOT_FOUND');
      assert.equal(await code(h.service.confirmHold({ holdId: 'nonsense', owner: 'ann' })), 'HOLD_NOT_FOUND');
      assert.equal(await code(h.service.confirmHold({ holdId: 'no-such-showtime.abcdefgh', owner: 'ann' })), 'HOLD_NOT_FOUND');
      assert.equal(await code(h.service.confirmHold({ holdId: `${st}.abcdefgh`, owner: 'ann' })), 'HOLD_NOT_FOUND');
      assert.equal(await code(h.service.holdSeats({ showtimeId: st, owner: '', seats: ['A1'] })), 'INVALID_INPUT');
      assert.equal((await h.service.seatMap(st)).seats.filter((s) => s.status === 'held').length, 0, 'no partial write');
    });

    it('announces every change with a version that grows by one, expiries within a second', async () => {
      const st = await h.showtime();
      const stop = h.service.startSweeper(100);
      try {
        const from = h.events.length;
        const hold = await h.service.holdSeats({ showtimeId: st, owner: 'ann', seats: ['A1', 'A2'], ttlMs: 300 });
        await h.service.extendHold({ holdId: hold.id, owner: 'ann', ttlMs: 400 });
        const started = Date.now();
        while (!h.events.slice(from).some((e) => e.cause === 'expire') && Date.now() - started < 3_000) await sleep(20);
        const expiredAt = Date.now();
        const mine = h.events.slice(from).filter((e) => e.showtimeId === st);
        assert.deepEqual(mine.map((e) => e.cause), ['hold', 'extend', 'expire']);
        assert.deepEqual(mine[2]!.changes.map((c) => [c.seat, c.status]), [['A1', 'available'], ['A2', 'available']]);
        for (let i = 1; i < mine.length; i++) assert.equal(mine[i]!.version, mine[i - 1]!.version + 1);
        const expiresAt = mine[1]!.changes[0]!.expiresAt!;
        assert.ok(expiredAt - expiresAt < 1_000, `expiry announced ${expiredAt - expiresAt} ms after it happened`);
        assert.equal((await h.service.seatMap(st)).version, mine[2]!.version);
      } finally {
        await stop();
      }
    });

    it('books a paid order: its own hold, or the same seats held again when the hold expired and they are free', async () => {
      const st = await h.showtime();
      const live = await h.service.holdSeats({ showtimeId: st, owner: 'ann', seats: ['A1', 'A2'] });
      const paid = await h.service.bookPaidOrder({ holdId: live.id, owner: 'ann', seats: ['A1', 'A2'] });
      assert.equal(paid.outcome === 'booked' && paid.booking.id, live.id);

      const short = await h.service.holdSeats({ showtimeId: st, owner: 'ann', seats: ['B1', 'B2'], ttlMs: 100 });
      await sleep(200);
      // The owner holds other seats up to the limit: a paid order is booked all the same.
      await h.service.holdSeats({ showtimeId: st, owner: 'ann', seats: ['A3', 'A4', 'A5', 'A6', 'A7', 'A8'] });
      const rebooked = await h.service.bookPaidOrder({ holdId: short.id, owner: 'ann', seats: ['B2', 'B1'] });
      assert.equal(rebooked.outcome, 'booked');
      const booking = rebooked.outcome === 'booked' ? rebooked.booking : assert.fail();
      assert.ok(booking.id.startsWith(`${short.id}-`), booking.id);
      assert.deepEqual([booking.owner, booking.seats], ['ann', ['B1', 'B2']]);
      assert.deepEqual(await h.service.bookPaidOrder({ holdId: short.id, owner: 'ann', seats: ['B1', 'B2'] }), rebooked, 'again: the same booking');
      const seats = (await h.service.seatMap(st)).seats.filter((s) => s.id === 'B1' || s.id === 'B2');
      assert.deepEqual(seats.map((s) => [s.status, s.holdId]), [['booked', booking.id], ['booked', booking.id]]);
    });

    it('reports the seats of a paid order whose hold expired and whose seats someone else took', async () => {
      const st = await h.showtime();
      const short = await h.service.holdSeats({ showtimeId: st, owner: 'ann', seats: ['B3', 'B4'], ttlMs: 100 });
      await sleep(200);
      const rival = await h.service.holdSeats({ showtimeId: st, owner: 'bob', seats: ['B4'] });
      assert.deepEqual(await h.service.bookPaidOrder({ holdId: short.id, owner: 'ann', seats: ['B3', 'B4'] }), { outcome: 'taken', seats: ['B4'] });
      assert.deepEqual((await h.service.bookingsOf('ann')).filter((b) => b.showtimeId === st), []);
      assert.equal((await h.service.seatMap(st)).seats.find((s) => s.id === 'B3')?.status, 'available', 'nothing half-held');
      assert.equal((await h.service.confirmHold({ holdId: rival.id, owner: 'bob' })).id, rival.id);
    });

    it('books an expired paid order once when its message is delivered many times at once', async () => {
      const st = await h.showtime();
      const short = await h.service.holdSeats({ showtimeId: st, owner: 'ann', seats: ['C1', 'C2'], ttlMs: 100 });
      await sleep(200);
      const results = await Promise.all(Array.from({ length: 8 }, () => h.service.bookPaidOrder({ holdId: short.id, owner: 'ann', seats: ['C1', 'C2'] }).catch((e: unknown) => e as Error)));
      const ids = new Set(results.map((r) => (r instanceof Error ? `error ${r.message}` : r.outcome === 'booked' ? r.booking.id : 'taken')));
      assert.equal(ids.size, 1, [...ids].join());
      assert.ok([...ids][0]!.startsWith(`${short.id}-`), 'every delivery answers with the one booking');
      assert.deepEqual(
        (await h.service.bookingsOf('ann')).filter((b) => b.showtimeId === st).map((b) => b.seats),
        [['C1', 'C2']],
      );
    });

    it('cancels a booking: the seats are free at once, announced, and sellable again; a second cancel frees nothing', async () => {
      const st = await h.showtime();
      const hold = await h.service.holdSeats({ showtimeId: st, owner: 'ann', seats: ['A9', 'B9'] });
      const booking = await h.service.confirmHold({ holdId: hold.id, owner: 'ann' });
      const from = h.events.length;
      assert.deepEqual(await h.service.cancelBooking(booking.id), { showtimeId: st, seats: ['A9', 'B9'] });
      const cancel = h.events.slice(from).filter((e) => e.showtimeId === st);
      assert.deepEqual(cancel.map((e) => [e.cause, e.changes.map((c) => [c.seat, c.status])]), [['cancel', [['A9', 'available'], ['B9', 'available']]]]);
      assert.deepEqual(await h.service.cancelBooking(booking.id), { showtimeId: st, seats: [] });
      assert.equal(h.events.slice(from).filter((e) => e.showtimeId === st).length, 1, 'nothing more announced');
      assert.deepEqual((await h.service.bookingsOf('ann')).filter((b) => b.id === booking.id), []);
      assert.deepEqual(await h.stores.repository.bookedSeats(st), []);
      assert.equal(await code(h.service.confirmHold({ holdId: hold.id, owner: 'ann' })), 'HOLD_NOT_FOUND');
      const next = await h.service.holdSeats({ showtimeId: st, owner: 'bob', seats: ['B9'] });
      assert.deepEqual((await h.service.confirmHold({ holdId: next.id, owner: 'bob' })).seats, ['B9']);
      assert.equal(await code(h.service.cancelBooking(`${st}.unknownbooking`)), 'HOLD_NOT_FOUND');
    });

    it('never books a hold that had expired, even when the confirm races the expiry', async () => {
      const st = await h.showtime();
      let booked = 0;
      let expired = 0;
      for (let i = 0; i < 20; i++) {
        const seat = `${'AB'[Math.floor(i / 10)]}${(i % 10) + 1}`;
        const hold = await h.service.holdSeats({ showtimeId: st, owner: `ann-${i}`, seats: [seat], ttlMs: 40 });
        await sleep(Math.max(0, hold.expiresAt - Date.now() - 4 + (i % 8)));
        const [confirm, rival] = await Promise.allSettled([
          h.service.confirmHold({ holdId: hold.id, owner: `ann-${i}` }),
          h.service.holdSeats({ showtimeId: st, owner: `bob-${i}`, seats: [seat] }),
        ]);
        const stored = await h.stores.repository.getBooking(hold.id);
        if (confirm.status === 'fulfilled') {
          booked++;
          assert.equal(rival.status, 'rejected', `seat ${seat} was booked and held by a rival`);
          assert.ok(stored);
        } else {
          expired++;
          assert.equal((confirm.reason as BoxofficeError).code, 'HOLD_EXPIRED');
          assert.equal(stored, null, 'an expired hold left a booking behind');
        }
        if (rival.status === 'fulfilled') await h.service.releaseHold({ holdId: rival.value.id, owner: `bob-${i}` });
        else assert.equal(await code(h.service.confirmHold({ holdId: hold.id, owner: `ann-${i}` })), confirm.status === 'fulfilled' ? 'OK' : 'HOLD_EXPIRED');
      }
      assert.equal(booked + expired, 20);
    });

    it('settles a confirm that stalled: booked if the database has it, freed if not', async () => {
      const st = await h.showtime();
      const owner = 'ann';
      const written = await h.service.holdSeats({ showtimeId: st, owner, seats: ['A5'] });
      const lost = await h.service.holdSeats({ showtimeId: st, owner, seats: ['A6'] });
      // A process that died after the database write, and one that died before it.
      for (const hold of [written, lost]) await h.stores.holds.beginConfirm({ showtimeId: st, holdId: hold.id, owner, graceMs: 200 });
      await h.stores.repository.insertBooking({ id: written.id, showtimeId: st, owner, seats: written.seats });
      await sleep(300);
      await h.service.sweep();
      const map = await h.service.seatMap(st);
      assert.equal(map.seats.find((s) => s.id === 'A5')?.status, 'booked');
      assert.equal(map.seats.find((s) => s.id === 'A6')?.status, 'available');
      assert.equal(await code(h.service.confirmHold({ holdId: lost.id, owner })), 'HOLD_NOT_FOUND');
      assert.equal((await h.service.confirmHold({ holdId: written.id, owner })).id, written.id);
    });

    it('refuses a second booking of a booked seat in the database itself', async () => {
      const st = await h.showtime();
      await h.stores.repository.insertBooking({ id: `${st}.first`, showtimeId: st, owner: 'ann', seats: ['A1', 'A2'] });
      const err = await h.stores.repository.insertBooking({ id: `${st}.second`, showtimeId: st, owner: 'bob', seats: ['A2', 'A3'] }).catch((e: unknown) => e);
      assert.ok(err instanceof BoxofficeError && err.code === 'SEAT_UNAVAILABLE', String(err));
      assert.deepEqual(err.details.seats, ['A2']);
      assert.equal(await h.stores.repository.getBooking(`${st}.second`), null, 'nothing of the refused booking was written');
    });

    if (kind === 'redis') {
      it('keeps bookings through a Redis flush: the seat map shows them booked and they cannot be held', async () => {
        const st = await h.showtime();
        const hold = await h.service.holdSeats({ showtimeId: st, owner: 'ann', seats: ['B5', 'B6'] });
        await h.service.confirmHold({ holdId: hold.id, owner: 'ann' });
        await h.flushRedis();
        const map = await h.service.seatMap(st);
        assert.deepEqual(map.seats.filter((s) => s.status === 'booked').map((s) => s.id), ['B5', 'B6']);
        assert.equal(await code(h.service.holdSeats({ showtimeId: st, owner: 'bob', seats: ['B6'] })), 'SEAT_UNAVAILABLE');
        assert.equal((await h.service.confirmHold({ holdId: hold.id, owner: 'ann' })).id, hold.id, 'confirm is still idempotent');
      });
    }
  });
}
