// 200 best-available requests at once for a hall of 150 seats, on the memory store and on Redis,
// from two booking services sharing one store (two app instances): nobody gets a seat twice, and
// every pick was honest about the seats it saw.
//
// What is checked, and why it is checkable:
// - No two holds overlap, and the store's final seat states are exactly the union of the holds.
// - Held + left = 150: the seats the holds took and the free seats the store reports add up.
// - Every hold asked for `together` is one block of adjacent seats in one row (no aisle inside).
// - Every refusal is a clear 409: NOT_ENOUGH_SEATS, NO_SEATS_TOGETHER (with a split of the right
//   size), or SEAT_UNAVAILABLE after its bounded retries (with `attempts`).
// - No orphan was left while another choice existed. "Another choice" depends on the seats the
//   pick saw, which a final map cannot tell (later holds change it), so the store is wrapped to
//   record, per request (AsyncLocalStorage), the seat states read just before its successful hold.
//   Then (a) the hold is exactly what bestAvailable chooses from those states, and (b), by a brute
//   force written here independently of the domain code, a block that strands a single free seat
//   was held only if no block of the same size stranding none existed in those states.
// - A rival's win was really retried: the first request of each service asks for the same block.
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { after, before, describe, it } from 'node:test';
import { BookingService } from '../../src/booking/booking-service.ts';
import type { Hold, SeatChangeEvent, TakenSeat } from '../../src/domain/booking.ts';
import { bestAvailable } from '../../src/domain/best-available.ts';
import { BoxofficeError } from '../../src/domain/errors.ts';
import type { HoldStore } from '../../src/domain/hold-store.ts';
import { gridLayout, type SeatId, type SeatLayout } from '../../src/domain/layout.ts';
import { LocalBroadcast } from '../../src/realtime/event-bus.ts';
import { openHarness, type Harness, type StoreKind } from '../support/harness.ts';
import { postgresSkip, redisSkip } from '../support/services.ts';

const REQUESTS = 200;
/** 10 rows of 15 seats, with aisles after seats 3 and 12: 150 seats, none blocked. */
const LAYOUT: SeatLayout = gridLayout({ rows: 10, seatsPerRow: 15, aislesAfter: [3, 12] });

interface Asked {
  owner: string;
  count: number;
  together: boolean;
}

/** What one request saw and got: the seat states read just before its successful hold. */
interface Outcome {
  asked: Asked;
  hold?: Hold;
  read?: TakenSeat[];
  error?: BoxofficeError;
}

/** The hold store, recording the seat states each request read (in its own async context) and the holds rivals won. */
function recording(store: HoldStore, context: AsyncLocalStorage<{ read?: TakenSeat[] }>, lost: { count: number }): HoldStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key === 'seatStates') {
        return async (showtimeId: string) => {
          const states = await target.seatStates(showtimeId);
          const ctx = context.getStore();
          if (ctx) ctx.read = states.seats;
          return states;
        };
      }
      if (key === 'hold') {
        return async (req: Parameters<HoldStore['hold']>[0]) => {
          try {
            return await target.hold(req);
          } catch (e) {
            if (e instanceof BoxofficeError && e.code === 'SEAT_UNAVAILABLE') lost.count++;
            throw e;
          }
        };
      }
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Where each seat is drawn: its row and its position in the row, aisles counted. */
const place = new Map<SeatId, { row: number; position: number }>();
LAYOUT.rows.forEach((row, r) => row.seats.forEach((seat, position) => seat && place.set(seat.id, { row: r, position })));

function isBlock(seats: SeatId[]): boolean {
  const at = seats.map((s) => place.get(s)!).sort((a, b) => a.position - b.position);
  return at.every((p, i) => p.row === at[0]!.row && (i === 0 || p.position === at[i - 1]!.position + 1));
}

/** Written apart from src/domain: does holding `block` leave a lone free seat beside it, given what is not free? */
function strandsOne(block: SeatId[], notFree: Set<SeatId>): boolean {
  const at = block.map((s) => place.get(s)!).sort((a, b) => a.position - b.position);
  const row = LAYOUT.rows[at[0]!.row]!.seats;
  const free = (position: number) => {
    const seat = row[position];
    return seat !== undefined && seat !== null && !notFree.has(seat.id) && !block.includes(seat.id);
  };
  const left = at[0]!.position - 1;
  const right = at.at(-1)!.position + 1;
  return (free(left) && !free(left - 1)) || (free(right) && !free(right + 1));
}

/** Every block of `size` adjacent free seats, given what is not free. */
function blocksOf(size: number, notFree: Set<SeatId>): SeatId[][] {
  const blocks: SeatId[][] = [];
  for (const row of LAYOUT.rows) {
    for (let start = 0; start + size <= row.seats.length; start++) {
      const seats = row.seats.slice(start, start + size);
      if (seats.every((s) => s !== null && !notFree.has(s.id))) blocks.push(seats.map((s) => s!.id));
    }
  }
  return blocks;
}

const skips: Record<Exclude<StoreKind, 'postgres'>, () => Promise<false | string>> = {
  memory: async () => false,
  redis: async () => (await redisSkip()) || (await postgresSkip()),
};

for (const kind of ['memory', 'redis'] as const) {
  const skip = await skips[kind]();
  describe(`${REQUESTS} best-available requests at once on ${kind} holds`, { skip }, () => {
    let h: Harness;
    before(async () => {
      h = await openHarness(kind);
    });
    after(async () => {
      await h?.close();
    });

    it('never overlap, add up, hold together blocks, and strand no seat that could be spared', async () => {
      await h.stores.repository.saveScreen({ id: 'race-hall', theaterId: 'test', name: 'Race hall', layout: LAYOUT });
      const showtimeId = `race-${kind}-${Date.now()}`;
      await h.stores.repository.saveShowtime({ id: showtimeId, movieId: 'test-movie', screenId: 'race-hall', startsAt: Date.now() + 3_600_000 });

      const context = new AsyncLocalStorage<{ read?: TakenSeat[] }>();
      const lost = { count: 0 };
      const bus = new LocalBroadcast<SeatChangeEvent>();
      const holds = recording(h.stores.holds, context, lost);
      // Two instances: each picks one at a time per showtime, so rivals meet only across them.
      const services = [0, 1].map(() => new BookingService({ holds, repository: h.stores.repository, events: bus }));

      let seed = 12345;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const asked: Asked[] = Array.from({ length: REQUESTS }, (_, i) => ({
        owner: `buyer-${i}`,
        // The first request of each service asks for the same block: one of them must pick again.
        count: i < 2 ? 4 : 1 + Math.floor(random() * 6),
        together: i < 2 || random() < 0.8,
      }));

      const started = Date.now();
      const outcomes = await Promise.all(
        asked.map((a, i) => {
          const ctx: { read?: TakenSeat[] } = {};
          return context.run(ctx, async (): Promise<Outcome> => {
            try {
              const hold = await services[i % 2]!.holdBest({ showtimeId, owner: a.owner, best: { count: a.count, together: a.together } });
              return { asked: a, hold, read: ctx.read! };
            } catch (e) {
              if (!(e instanceof BoxofficeError)) throw e;
              return { asked: a, error: e };
            }
          });
        }),
      );
      const took = Date.now() - started;
      await bus.close();

      const won = outcomes.filter((o) => o.hold);
      const refused = outcomes.filter((o) => o.error);

      // No overlap, and the store agrees with the holds.
      const heldSeats = won.flatMap((o) => o.hold!.seats);
      assert.equal(new Set(heldSeats).size, heldSeats.length, 'a seat in two holds');
      const final = await h.stores.holds.seatStates(showtimeId);
      assert.deepEqual(final.seats.map((s) => s.seat).sort(), [...heldSeats].sort());
      for (const o of won) assert.ok(final.seats.filter((s) => s.holdId === o.hold!.id).length === o.hold!.seats.length);

      // Held + left = 150.
      const left = await services[0]!.seatsLeft(showtimeId);
      assert.equal(heldSeats.length + left, 150);

      for (const o of won) {
        const { count, together } = o.asked;
        assert.equal(o.hold!.seats.length, count);
        if (together) assert.ok(isBlock(o.hold!.seats), `${o.hold!.seats} is not a block`);
        // (a) The hold is what the domain function picks from the seats this request read.
        const notFree = new Set(o.read!.map((s) => s.seat));
        const pick = bestAvailable(LAYOUT, notFree, { count, accessible: 0 });
        assert.ok(pick.outcome !== 'not-enough');
        assert.deepEqual([...o.hold!.seats].sort(), [...pick.seats].sort());
        assert.ok(o.hold!.seats.every((s) => !notFree.has(s)), 'held a seat it saw taken');
        // (b) A stranded seat only when every block of that size would strand one.
        if (isBlock(o.hold!.seats) && strandsOne(o.hold!.seats, notFree)) {
          const spare = blocksOf(count, notFree).find((b) => !strandsOne(b, notFree));
          assert.equal(spare, undefined, `${o.hold!.seats} strands a seat, ${spare} would not have`);
        }
      }

      for (const o of refused) {
        const e = o.error!;
        assert.equal(e.status, 409, `${e.code}: ${e.message}`);
        if (e.code === 'NOT_ENOUGH_SEATS') assert.ok((e.details.available as number) < o.asked.count);
        else if (e.code === 'NO_SEATS_TOGETHER') {
          assert.ok(o.asked.together);
          assert.equal((e.details.split as SeatId[]).length, o.asked.count);
        } else assert.equal(e.code === 'SEAT_UNAVAILABLE' && e.details.attempts, 5, `${e.code}: ${e.message}`);
      }
      assert.ok(lost.count >= 1, 'a rival took a chosen block at least once, and the loser picked again');
      assert.ok(won.length > 0 && refused.length > 0, 'the hall filled up');
      console.log(
        `${kind}: ${won.length} holds (${heldSeats.length} seats), ${refused.length} refused (${[...new Set(refused.map((o) => o.error!.code))].join(', ')}), ${lost.count} picks lost to a rival and retried, ${left} seats left, ${took} ms`,
      );
    });
  });
}
