// The one contract every HoldStore passes: the same cases and assertions for memory, redis and
// postgres. Each store's test file calls holdStoreContract with a factory.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BoxofficeError, ShowtimeNotLoaded } from '../../src/domain/errors.ts';
import type { HoldStore } from '../../src/domain/hold-store.ts';

export interface ContractOptions {
  /** Contenders for the one-seat race (100,000 in-process; fewer where each attempt is a transaction). */
  contenders: number;
}

const MINUTE = 60_000;

export function holdStoreContract(name: string, open: () => Promise<HoldStore>, options: ContractOptions): void {
  describe(`HoldStore contract: ${name}`, () => {
    let store: HoldStore;
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.close();
    });

    /** A fresh, loaded showtime per test, so tests never see each other's seats. */
    async function showtime(): Promise<string> {
      const id = `st-${randomUUID().slice(0, 8)}`;
      await store.restore(id, []);
      return id;
    }
    let n = 0;
    const holdId = (showtimeId: string) => `${showtimeId}.h${++n}${randomUUID().slice(0, 6)}`;
    const hold = (showtimeId: string, owner: string, seats: string[], ttlMs = MINUTE, maxSeatsPerOwner = 10) =>
      store.hold({ holdId: holdId(showtimeId), showtimeId, owner, seats, ttlMs, maxSeatsPerOwner });

    async function rejects(p: Promise<unknown>, code: string): Promise<BoxofficeError> {
      try {
        await p;
      } catch (e) {
        assert.ok(e instanceof BoxofficeError, `expected BoxofficeError ${code}, got ${String(e)}`);
        assert.equal(e.code, code, e.message);
        return e;
      }
      assert.fail(`expected ${code}, but it succeeded`);
    }

    it('does not know a showtime until it is restored', async () => {
      const id = `st-${randomUUID().slice(0, 8)}`;
      await assert.rejects(store.seatStates(id), ShowtimeNotLoaded);
      await assert.rejects(hold(id, 'ann', ['A1']), ShowtimeNotLoaded);
      await store.restore(id, []);
      assert.deepEqual((await store.seatStates(id)).seats, []);
    });

    it('holds every requested seat, shows them held, and bumps the version once', async () => {
      const st = await showtime();
      const before = (await store.seatStates(st)).version;
      const { hold: h, version } = await hold(st, 'ann', ['A1', 'A2', 'A3']);
      assert.equal(version, before + 1);
      assert.deepEqual(h.seats, ['A1', 'A2', 'A3']);
      assert.equal(h.owner, 'ann');
      assert.equal(h.state, 'held');
      assert.ok(h.expiresAt > Date.now() + MINUTE - 5_000 && h.expiresAt <= Date.now() + MINUTE + 5_000);
      const states = await store.seatStates(st);
      assert.equal(states.version, version);
      assert.deepEqual(states.seats.map((s) => [s.seat, s.status, s.holdId, s.owner]).sort(), [
        ['A1', 'held', h.id, 'ann'],
        ['A2', 'held', h.id, 'ann'],
        ['A3', 'held', h.id, 'ann'],
      ]);
      assert.deepEqual(await store.getHold(st, h.id), h);
    });

    it('takes all seats or none: an overlapping hold fails naming the taken seats and holds nothing', async () => {
      const st = await showtime();
      await hold(st, 'ann', ['A2', 'A3']);
      const err = await rejects(hold(st, 'bob', ['A1', 'A2', 'A3', 'A4']), 'SEAT_UNAVAILABLE');
      assert.deepEqual(err.details.seats, ['A2', 'A3']);
      const held = (await store.seatStates(st)).seats.map((s) => s.seat).sort();
      assert.deepEqual(held, ['A2', 'A3']);
      assert.equal((await store.holdsOf(st, 'bob')).length, 0);
    });

    it('limits the seats one owner holds in a showtime', async () => {
      const st = await showtime();
      await hold(st, 'ann', ['A1', 'A2', 'A3'], MINUTE, 4);
      await rejects(hold(st, 'ann', ['B1', 'B2'], MINUTE, 4), 'HOLD_LIMIT_EXCEEDED');
      await hold(st, 'ann', ['B1'], MINUTE, 4);
      await hold(st, 'bob', ['C1', 'C2', 'C3', 'C4'], MINUTE, 4);
      assert.deepEqual((await store.holdsOf(st, 'ann')).flatMap((h) => h.seats).sort(), ['A1', 'A2', 'A3', 'B1']);
    });

    it('extends a hold up to its maximum life, for the owner only', async () => {
      const st = await showtime();
      const { hold: h } = await hold(st, 'ann', ['A1'], 1_000);
      const { hold: longer, version } = await store.extend({ showtimeId: st, holdId: h.id, owner: 'ann', ttlMs: 10 * MINUTE, maxLifeMs: 5 * MINUTE });
      assert.equal(longer.expiresAt, h.createdAt + 5 * MINUTE, 'capped at createdAt + maxLife');
      assert.equal((await store.seatStates(st)).version, version);
      const seat = (await store.seatStates(st)).seats[0]!;
      assert.equal(seat.expiresAt, longer.expiresAt);
      await rejects(store.extend({ showtimeId: st, holdId: h.id, owner: 'bob', ttlMs: MINUTE, maxLifeMs: 5 * MINUTE }), 'NOT_HOLD_OWNER');
      await rejects(store.extend({ showtimeId: st, holdId: `${st}.nope`, owner: 'ann', ttlMs: MINUTE, maxLifeMs: 5 * MINUTE }), 'HOLD_NOT_FOUND');
    });

    it('releases for the owner only, idempotently', async () => {
      const st = await showtime();
      const { hold: h } = await hold(st, 'ann', ['A1', 'A2']);
      await rejects(store.release({ showtimeId: st, holdId: h.id, owner: 'bob' }), 'NOT_HOLD_OWNER');
      const released = await store.release({ showtimeId: st, holdId: h.id, owner: 'ann' });
      assert.deepEqual(released?.seats.sort(), ['A1', 'A2']);
      assert.equal(await store.release({ showtimeId: st, holdId: h.id, owner: 'ann' }), null);
      assert.deepEqual((await store.seatStates(st)).seats, []);
      await hold(st, 'bob', ['A1', 'A2']);
    });

    it('confirms in two steps: the seats become booked and a retried confirm sees the same hold', async () => {
      const st = await showtime();
      const { hold: h } = await hold(st, 'ann', ['A1', 'A2']);
      await rejects(store.beginConfirm({ showtimeId: st, holdId: h.id, owner: 'bob', graceMs: MINUTE }), 'NOT_HOLD_OWNER');
      const confirming = await store.beginConfirm({ showtimeId: st, holdId: h.id, owner: 'ann', graceMs: MINUTE });
      assert.equal(confirming.state, 'confirming');
      assert.equal((await store.beginConfirm({ showtimeId: st, holdId: h.id, owner: 'ann', graceMs: MINUTE })).state, 'confirming');
      const done = await store.completeConfirm({ showtimeId: st, holdId: h.id });
      assert.deepEqual(done?.seats.sort(), ['A1', 'A2']);
      assert.equal(await store.completeConfirm({ showtimeId: st, holdId: h.id }), null, 'completing twice changes nothing');
      assert.equal((await store.beginConfirm({ showtimeId: st, holdId: h.id, owner: 'ann', graceMs: MINUTE })).state, 'booked');
      const seats = (await store.seatStates(st)).seats;
      assert.deepEqual(seats.map((s) => [s.seat, s.status, s.expiresAt]).sort(), [
        ['A1', 'booked', null],
        ['A2', 'booked', null],
      ]);
      await rejects(store.release({ showtimeId: st, holdId: h.id, owner: 'ann' }), 'HOLD_CONFIRMED');
      await rejects(hold(st, 'bob', ['A2']), 'SEAT_UNAVAILABLE');
    });

    it('expires a hold on time: the seats free themselves and the expiry is reported once', async () => {
      const st = await showtime();
      const { hold: h } = await hold(st, 'ann', ['A1', 'A2'], 200);
      await rejects(hold(st, 'bob', ['A1']), 'SEAT_UNAVAILABLE');
      await sleep(300);
      assert.deepEqual((await store.seatStates(st)).seats, [], 'expired seats read as available before any sweep');
      const due = await store.expireDue(10_000);
      const mine = due.expired.filter((e) => e.holdId === h.id);
      assert.equal(mine.length, 1);
      assert.deepEqual(mine[0]!.seats.sort(), ['A1', 'A2']);
      assert.equal(mine[0]!.version, (await store.seatStates(st)).version);
      assert.equal((await store.expireDue(10_000)).expired.filter((e) => e.holdId === h.id).length, 0);
      await rejects(store.beginConfirm({ showtimeId: st, holdId: h.id, owner: 'ann', graceMs: MINUTE }), 'HOLD_EXPIRED');
      await rejects(store.extend({ showtimeId: st, holdId: h.id, owner: 'ann', ttlMs: MINUTE, maxLifeMs: 5 * MINUTE }), 'HOLD_EXPIRED');
      await hold(st, 'bob', ['A1', 'A2']);
    });

    it('refuses to confirm an expired hold after another owner took the seat, before any sweep', async () => {
      const st = await showtime();
      const { hold: h } = await hold(st, 'ann', ['A1', 'A2'], 100);
      await sleep(200);
      await hold(st, 'bob', ['A1']);
      await rejects(store.beginConfirm({ showtimeId: st, holdId: h.id, owner: 'ann', graceMs: MINUTE }), 'HOLD_EXPIRED');
      const due = await store.expireDue(10_000);
      assert.deepEqual(due.expired.find((e) => e.holdId === h.id)?.seats, ['A2'], 'only the seat still its own is freed');
      assert.deepEqual((await store.seatStates(st)).seats.map((s) => [s.seat, s.owner]), [['A1', 'bob']]);
    });

    it('never lets a confirm and a rival hold both win at the moment of expiry', async () => {
      const st = await showtime();
      let confirmed = 0;
      let rivals = 0;
      for (let i = 0; i < 60; i++) {
        const seat = `A${i + 1}`;
        const ttl = 30 + (i % 5) * 5;
        const { hold: h } = await hold(st, 'ann', [seat], ttl, 1_000);
        await sleep(Math.max(0, h.expiresAt - Date.now() - 3 + (i % 7)));
        const [c, r] = await Promise.allSettled([
          store.beginConfirm({ showtimeId: st, holdId: h.id, owner: 'ann', graceMs: MINUTE }),
          hold(st, 'bob', [seat], MINUTE, 1_000),
        ]);
        assert.ok(!(c.status === 'fulfilled' && r.status === 'fulfilled'), `seat ${seat}: both the confirm and the rival won`);
        if (c.status === 'rejected') assert.equal((c.reason as BoxofficeError).code, 'HOLD_EXPIRED');
        if (r.status === 'rejected') assert.equal((r.reason as BoxofficeError).code, 'SEAT_UNAVAILABLE');
        if (c.status === 'fulfilled') confirmed++;
        if (r.status === 'fulfilled') rivals++;
      }
      // Both may lose (a rival a moment before the expiry, a confirm a moment after); never both win.
      assert.ok(confirmed > 0 || rivals > 0, 'the race was exercised');
    });

    it(`gives exactly one of ${options.contenders.toLocaleString('en')} concurrent holds on one seat`, async () => {
      const st = await showtime();
      const results = await Promise.allSettled(
        // An hour-long hold: on a loaded machine the embedded store has taken 90 s for 2,000 of them, and a
        // minute-long winner would expire before the last contender and let a second one win.
        Array.from({ length: options.contenders }, (_, i) => hold(st, `buyer-${i}`, ['C7'], 60 * MINUTE)),
      );
      const winners = results.filter((r) => r.status === 'fulfilled');
      assert.equal(winners.length, 1);
      for (const r of results) {
        if (r.status === 'rejected') assert.equal((r.reason as BoxofficeError).code, 'SEAT_UNAVAILABLE');
      }
      const seats = (await store.seatStates(st)).seats;
      assert.equal(seats.length, 1);
      assert.equal(seats[0]!.holdId, (winners[0] as PromiseFulfilledResult<{ hold: { id: string } }>).value.hold.id);
    });

    it('gives exactly one winner when the race starts before the showtime is known', async () => {
      // Regression: on postgres, a hold that created no seat row (showtime not yet loaded) locked
      // nothing, then found the showtime loaded and took the seat beside another winner.
      for (let round = 0; round < 5; round++) {
        const st = `st-${randomUUID().slice(0, 8)}`;
        const attempt = async (i: number) => {
          try {
            return await hold(st, `b${i}`, ['A1']);
          } catch (e) {
            if (!(e instanceof ShowtimeNotLoaded)) throw e;
            await store.restore(st, []);
            return hold(st, `b${i}`, ['A1']);
          }
        };
        const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => attempt(i)));
        const winners = results.filter((r) => r.status === 'fulfilled').length;
        for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as BoxofficeError).code, 'SEAT_UNAVAILABLE', String(r.reason));
        assert.equal(winners, 1, `round ${round}: ${winners} winners`);
        assert.equal((await store.seatStates(st)).seats.length, 1);
      }
    });

    it('serves random overlapping multi-seat holds from many owners with no partial hold and no deadlock', async () => {
      const st = await showtime();
      const pool = ['A', 'B', 'C'].flatMap((r) => [1, 2, 3, 4, 5, 6].map((n) => `${r}${n}`));
      let seed = 7;
      const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
      const requests = Array.from({ length: 400 }, (_, i) => {
        const seats = new Set<string>();
        const size = 1 + Math.floor(random() * 4);
        while (seats.size < size) seats.add(pool[Math.floor(random() * pool.length)]!);
        return { owner: `o${i % 40}`, seats: [...seats].sort() };
      });
      const results = await Promise.allSettled(requests.map((r) => hold(st, r.owner, r.seats, MINUTE, 100)));
      const won = new Map<string, string[]>();
      results.forEach((r) => {
        if (r.status === 'fulfilled') won.set(r.value.hold.id, r.value.hold.seats);
        else assert.equal((r.reason as BoxofficeError).code, 'SEAT_UNAVAILABLE', String(r.reason));
      });
      assert.ok(won.size > 0);
      const seats = (await store.seatStates(st)).seats;
      const bySeat = new Map(seats.map((s) => [s.seat, s.holdId]));
      assert.equal(bySeat.size, seats.length, 'no seat listed twice');
      let total = 0;
      for (const [id, held] of won) {
        total += held.length;
        for (const seat of held) assert.equal(bySeat.get(seat), id, `hold ${id} lost seat ${seat}`);
      }
      assert.equal(total, seats.length, 'every held seat belongs to a winning hold');
    });

    it('restores booked seats from the database: they read booked and cannot be held', async () => {
      const id = `st-${randomUUID().slice(0, 8)}`;
      const restored = await store.restore(id, [{ bookingId: `${id}.b1`, owner: 'ann', seats: ['A1', 'A2'] }]);
      assert.deepEqual(restored.seats.sort(), ['A1', 'A2']);
      const again = await store.restore(id, [{ bookingId: `${id}.b1`, owner: 'ann', seats: ['A1', 'A2'] }]);
      assert.deepEqual(again.seats, [], 'restoring twice changes nothing');
      assert.deepEqual((await store.seatStates(id)).seats.map((s) => [s.seat, s.status]).sort(), [
        ['A1', 'booked'],
        ['A2', 'booked'],
      ]);
      await rejects(hold(id, 'bob', ['A2', 'A3']), 'SEAT_UNAVAILABLE');
    });

    it('frees the seats of a cancelled booking, once, and only a booking', async () => {
      const st = await showtime();
      const { hold: h } = await hold(st, 'ann', ['A1', 'A2']);
      assert.equal(await store.releaseBooking({ showtimeId: st, bookingId: h.id }), null, 'a held hold is not a booking');
      await store.beginConfirm({ showtimeId: st, holdId: h.id, owner: 'ann', graceMs: MINUTE });
      assert.equal(await store.releaseBooking({ showtimeId: st, bookingId: h.id }), null, 'nor is a confirming one');
      const booked = await store.completeConfirm({ showtimeId: st, holdId: h.id });
      const { hold: other } = await hold(st, 'bob', ['B1']);
      const freed = await store.releaseBooking({ showtimeId: st, bookingId: h.id });
      assert.deepEqual(freed?.seats.sort(), ['A1', 'A2']);
      assert.equal(freed?.version, booked!.version + 2, 'one version step for the hold between, one for the cancel');
      const states = await store.seatStates(st);
      assert.equal(states.version, freed!.version);
      assert.deepEqual(states.seats.map((s) => [s.seat, s.status, s.holdId]), [['B1', 'held', other.id]], "only the booking's seats are freed");
      assert.equal(await store.releaseBooking({ showtimeId: st, bookingId: h.id }), null, 'cancelling twice changes nothing');
      assert.equal((await store.seatStates(st)).version, freed!.version);
      await rejects(store.beginConfirm({ showtimeId: st, holdId: h.id, owner: 'ann', graceMs: MINUTE }), 'HOLD_NOT_FOUND');
      const { hold: again } = await hold(st, 'bob', ['A1', 'A2']);
      assert.deepEqual((await store.seatStates(st)).seats.filter((s) => s.holdId === again.id).map((s) => s.seat).sort(), ['A1', 'A2']);
      await assert.rejects(store.releaseBooking({ showtimeId: `st-${randomUUID().slice(0, 8)}`, bookingId: h.id }), ShowtimeNotLoaded);
    });

    it('frees a restored booking that was cancelled, and one whose seats were partly re-taken only where it still has them', async () => {
      const id = `st-${randomUUID().slice(0, 8)}`;
      await store.restore(id, [
        { bookingId: `${id}.b1`, owner: 'ann', seats: ['A1', 'A2'] },
        { bookingId: `${id}.b2`, owner: 'bob', seats: ['A3'] },
      ]);
      const freed = await store.releaseBooking({ showtimeId: id, bookingId: `${id}.b1` });
      assert.deepEqual(freed?.seats.sort(), ['A1', 'A2']);
      assert.deepEqual((await store.seatStates(id)).seats.map((s) => [s.seat, s.status]), [['A3', 'booked']]);
      await hold(id, 'cat', ['A1']);
      await rejects(hold(id, 'cat', ['A3']), 'SEAT_UNAVAILABLE');
    });

    it('never gives a cancelled booking\'s seat to two of many racing holds', async () => {
      const st = await showtime();
      const { hold: h } = await hold(st, 'ann', ['C1']);
      await store.beginConfirm({ showtimeId: st, holdId: h.id, owner: 'ann', graceMs: MINUTE });
      await store.completeConfirm({ showtimeId: st, holdId: h.id });
      const racers = Array.from({ length: 50 }, (_, i) => hold(st, `racer-${i}`, ['C1']).then(() => 'won', (e: unknown) => (e as BoxofficeError).code));
      const [freed, ...outcomes] = await Promise.all([store.releaseBooking({ showtimeId: st, bookingId: h.id }), ...racers]);
      assert.deepEqual(freed?.seats, ['C1']);
      assert.ok(outcomes.filter((o) => o === 'won').length <= 1, 'at most one racer holds the seat');
      assert.ok(outcomes.every((o) => o === 'won' || o === 'SEAT_UNAVAILABLE'), outcomes.join());
      const seats = (await store.seatStates(st)).seats;
      assert.equal(seats.length, outcomes.filter((o) => o === 'won').length);
      if (seats.length === 0) await hold(st, 'late', ['C1']);
    });

    it('reports a confirm that stalled past its grace, and abort frees its seats', async () => {
      const st = await showtime();
      const { hold: h } = await hold(st, 'ann', ['A1']);
      await store.beginConfirm({ showtimeId: st, holdId: h.id, owner: 'ann', graceMs: 100 });
      await sleep(200);
      await rejects(hold(st, 'bob', ['A1']), 'SEAT_UNAVAILABLE');
      const due = await store.expireDue(10_000);
      assert.ok(due.stalled.some((s) => s.holdId === h.id));
      assert.equal(due.expired.filter((e) => e.holdId === h.id).length, 0, 'a confirming hold is never simply expired');
      const aborted = await store.abortConfirm({ showtimeId: st, holdId: h.id });
      assert.deepEqual(aborted?.seats, ['A1']);
      await hold(st, 'bob', ['A1']);
    });

    it('transfers a guest\'s live holds to a user, all or none within the limit, and only theirs', async () => {
      const st = await showtime();
      const a = (await hold(st, 'guest:g', ['A1', 'A2'])).hold;
      const b = (await hold(st, 'guest:g', ['B1'])).hold;
      await hold(st, 'guest:g', ['C1'], 1); // expires at once: not moved
      const c = (await hold(st, 'guest:g', ['D1'])).hold;
      await store.beginConfirm({ showtimeId: st, holdId: c.id, owner: 'guest:g', graceMs: MINUTE }); // confirming: not moved
      await hold(st, 'user:u', ['E1', 'E2']);
      await sleep(5);

      // user:u holds 2 and would get 3 more: over a limit of 4, nothing moves.
      await rejects(store.transferHolds({ showtimeId: st, fromOwner: 'guest:g', toOwner: 'user:u', maxSeatsPerOwner: 4 }), 'HOLD_LIMIT_EXCEEDED');
      assert.deepEqual((await store.holdsOf(st, 'guest:g')).map((h) => h.id).sort(), [a.id, b.id, c.id].sort());

      const before = (await store.seatStates(st)).version;
      const moved = await store.transferHolds({ showtimeId: st, fromOwner: 'guest:g', toOwner: 'user:u', maxSeatsPerOwner: 5 });
      assert.deepEqual(moved?.holds.map((h) => h.id).sort(), [a.id, b.id].sort());
      assert.ok(moved!.holds.every((h) => h.owner === 'user:u' && h.state === 'held'));
      assert.equal(moved!.version, before + 1);
      assert.deepEqual((await store.holdsOf(st, 'guest:g')).map((h) => h.id), [c.id]);
      const theirs = (await store.holdsOf(st, 'user:u')).map((h) => h.id);
      assert.ok(theirs.includes(a.id) && theirs.includes(b.id) && theirs.length === 3, theirs.join());
      const seats = (await store.seatStates(st)).seats;
      assert.equal(seats.find((x) => x.seat === 'A1')?.owner, 'user:u');
      assert.equal(seats.find((x) => x.seat === 'D1')?.owner, 'guest:g');

      // The new owner acts on the holds; the old one no longer can; the limit counts the moved seats.
      await rejects(store.release({ showtimeId: st, holdId: b.id, owner: 'guest:g' }), 'NOT_HOLD_OWNER');
      await rejects(hold(st, 'user:u', ['F1'], MINUTE, 5), 'HOLD_LIMIT_EXCEEDED');
      assert.deepEqual((await store.release({ showtimeId: st, holdId: b.id, owner: 'user:u' }))?.seats, ['B1']);
      assert.equal(await store.transferHolds({ showtimeId: st, fromOwner: 'guest:g', toOwner: 'user:u', maxSeatsPerOwner: 10 }), null, 'nothing left to move');
    });

    it('keeps the per-owner limit when transfers and holds of the receiver race', async () => {
      const st = await showtime();
      for (let i = 1; i <= 5; i++) await hold(st, `guest:${i}`, [`A${i}`, `B${i}`]);
      const results = await Promise.allSettled([
        ...Array.from({ length: 5 }, (_, i) => store.transferHolds({ showtimeId: st, fromOwner: `guest:${i + 1}`, toOwner: 'user:r', maxSeatsPerOwner: 5 })),
        ...Array.from({ length: 5 }, (_, i) => hold(st, 'user:r', [`C${i + 1}`], MINUTE, 5)),
      ]);
      assert.ok(results.every((r) => r.status === 'fulfilled' || (r.reason instanceof BoxofficeError && r.reason.code === 'HOLD_LIMIT_EXCEEDED')), String(results.find((r) => r.status === 'rejected' && !(r.reason instanceof BoxofficeError))));
      const held = (await store.holdsOf(st, 'user:r')).reduce((n, h) => n + h.seats.length, 0);
      assert.ok(held <= 5 && held >= 4, `user:r holds ${held} seats, the limit is 5`);
      const owners = new Map((await store.seatStates(st)).seats.map((x) => [x.seat, x.owner]));
      for (let i = 1; i <= 5; i++) assert.equal(owners.get(`A${i}`), owners.get(`B${i}`), 'a hold moves whole');
    });
  });
}
