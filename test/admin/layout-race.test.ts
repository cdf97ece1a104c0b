// Issue 10, finding 6: on a PostgreSQL server (PGlite's one connection hides it) an admin's layout
// change racing a confirm let both succeed, leaving bookings on blocked or removed seats. Real
// concurrency over a connection pool, many rounds, the database re-read after each: never both.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BoxofficeError } from '../../src/domain/errors.ts';
import { gridLayout, layoutToInput, parseLayout, type LayoutInput } from '../../src/domain/layout.ts';
import { openHarness, type Harness } from '../support/harness.ts';
import { postgresSkip } from '../support/services.ts';

const skip = await postgresSkip();

const outcome = (r: PromiseSettledResult<unknown>): string => {
  if (r.status === 'fulfilled') return 'OK';
  if (r.reason instanceof BoxofficeError) return r.reason.code;
  throw r.reason;
};

describe('a layout change racing a confirm, on a PostgreSQL server', { skip }, () => {
  let h: Harness;
  before(async () => {
    h = await openHarness('postgres');
  });
  after(async () => {
    await h?.close();
  });

  const base = layoutToInput(gridLayout({ rows: 1, seatsPerRow: 4 }));
  const changes: Record<string, (l: LayoutInput) => LayoutInput> = {
    blocks: (l) => ({ rows: [{ ...l.rows[0]!, seats: l.rows[0]!.seats.map((s) => (s && s.number === 1 ? { ...s, blocked: true } : s)) }] }),
    removes: (l) => ({ rows: [{ ...l.rows[0]!, seats: l.rows[0]!.seats.filter((s) => !s || s.number !== 1) }] }),
  };

  const what = [...Object.keys(changes), 'moves to a screen that blocks'];
  for (const [i, change] of what.entries()) {
    it(`exactly one wins when the change ${change} the held seat (40 rounds)`, async () => {
      const repo = h.stores.repository;
      const tally = new Map<string, number>();
      for (let round = 0; round < 40; round++) {
        const screenId = `race-${i}-${round}`;
        const showtimeId = `race-${i}-${round}-st`;
        const startsAt = Date.now() + 86_400_000;
        await repo.saveScreen({ id: screenId, theaterId: 'test', name: screenId, layout: parseLayout(base) });
        await repo.saveScreen({ id: `${screenId}-b`, theaterId: 'test', name: screenId, layout: parseLayout(changes.blocks!(base)) });
        await repo.saveShowtime({ id: showtimeId, movieId: 'test-movie', screenId, startsAt });
        const hold = await h.service.holdSeats({ showtimeId, owner: 'ann', seats: ['A1', 'A2'] });
        const adminChange = () =>
          changes[change]
            ? repo.saveScreen({ id: screenId, theaterId: 'test', name: screenId, layout: parseLayout(changes[change](base)) })
            : repo.saveShowtime({ id: showtimeId, movieId: 'test-movie', screenId: `${screenId}-b`, startsAt });

        // The admin's change starts 0 to 3 ms after the confirm, so both orders of arrival occur.
        const [confirm, admin] = await Promise.allSettled([h.service.confirmHold({ holdId: hold.id, owner: 'ann' }), sleep(round % 4).then(adminChange)]);
        const result = `${outcome(confirm)}/${outcome(admin)}`;
        tally.set(result, (tally.get(result) ?? 0) + 1);

        // Re-read what the database holds now: a booking only on seats the stored layout sells.
        const [screen] = await h.stores.db.query<{ layout: LayoutInput }>(
          'SELECT sc.layout FROM showtimes s JOIN screens sc ON sc.id = s.screen_id WHERE s.id = $1',
          [showtimeId],
        );
        const sellable = new Set(
          screen!.layout.rows.flatMap((r) => r.seats.filter((s) => s && !s.blocked).map((s) => `${r.label}${s!.number}`)),
        );
        const booked = await h.stores.db.query<{ seat_id: string }>('SELECT seat_id FROM booked_seats WHERE showtime_id = $1', [showtimeId]);
        for (const { seat_id } of booked) assert.ok(sellable.has(seat_id), `round ${round}: seat ${seat_id} is booked but the layout does not sell it (${result})`);
        assert.ok(
          ['OK/LAYOUT_LOCKED', 'SEAT_UNAVAILABLE/OK', 'SEAT_NOT_FOUND/OK'].includes(result),
          `round ${round}: confirm/admin answered ${result}; exactly one must win`,
        );
        assert.equal(booked.length, confirm.status === 'fulfilled' ? 2 : 0);
        if (confirm.status === 'rejected') {
          // The losing hold gave its seats back: the new layout's seats are free to hold again.
          const seat = (await h.service.seatMap(showtimeId)).seats.find((s) => s.id === 'A2');
          assert.equal(seat?.status, 'available');
        }
      }
      console.log(`# ${change}: ${JSON.stringify(Object.fromEntries(tally))}`);
    });
  }
});
