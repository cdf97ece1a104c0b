// The best-available choice (src/domain/best-available.ts) on small halls drawn as pictures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bestAvailable, type BestPick } from '../../src/domain/best-available.ts';
import { parseLayout, rowLabel, type LayoutInput, type SeatId, type SeatLayout } from '../../src/domain/layout.ts';

/**
 * A hall from a picture, first row (nearest the screen) first: `.` a free seat, `a` a free
 * accessible place, `x` a taken seat, `#` a blocked seat, `_` an aisle. Seats are numbered 1, 2 ...
 * from the left of each row, aisles not counted.
 */
function hall(...picture: string[]): { layout: SeatLayout; taken: Set<SeatId> } {
  const taken = new Set<SeatId>();
  const rows: LayoutInput['rows'] = picture.map((line, r) => {
    const label = rowLabel(r);
    let n = 0;
    const seats = [...line].map((c) => {
      if (c === '_') return null;
      n++;
      if (c === 'x') taken.add(`${label}${n}`);
      return { number: n, ...(c === 'a' && { kind: 'accessible' as const }), ...(c === '#' && { blocked: true }) };
    });
    return { label, seats };
  });
  return { layout: parseLayout({ rows }), taken };
}

function pick(h: { layout: SeatLayout; taken: Set<SeatId> }, count: number, accessible = 0): BestPick {
  return bestAvailable(h.layout, h.taken, { count, accessible });
}

const together = (p: BestPick) => (p.outcome === 'together' ? p.seats : assert.fail(`expected a together block, got ${JSON.stringify(p)}`));
const split = (p: BestPick) => (p.outcome === 'split' ? p.groups : assert.fail(`expected a split, got ${JSON.stringify(p)}`));

describe('best available', () => {
  it('picks the middle of the sweet-spot row (60% back) in an empty hall', () => {
    // 5 rows: the sweet spot is 0.6 * 4 = 2.4 rows back, so row C; its middle is between seats 4 and 5.
    const h = hall('........', '........', '........', '........', '........');
    assert.deepEqual(together(pick(h, 2)), ['C4', 'C5']);
    assert.deepEqual(together(pick(h, 1)), ['C4'], 'a tie between C4 and C5 goes to the left');
    assert.deepEqual(together(pick(h, 4)), ['C3', 'C4', 'C5', 'C6']);
  });

  it('counts the aisle as part of the row when finding its middle, and never joins seats across it', () => {
    const h = hall('...._....', '...._....', '...._....');
    // Row B (sweet spot 1.2): its drawing is 9 wide with the aisle at its middle, so B2-B4 and B5-B7
    // are equally near it (3 seats cannot span the aisle); every block of 3 in a run of 4 strands a seat.
    assert.deepEqual(together(pick(h, 3)), ['B2', 'B3', 'B4']);
    assert.deepEqual(split(pick(hall('..._..'), 4)), [['A1', 'A2', 'A3'], ['A4']], 'no block of 4 across the aisle');
  });

  it('never chooses a blocked seat', () => {
    const h = hall('#..#..#');
    assert.deepEqual(together(pick(h, 2)), ['A2', 'A3']);
    assert.equal(pick(h, 3).outcome, 'split');
    assert.ok(!(pick(h, 4) as { seats: SeatId[] }).seats.some((s) => ['A1', 'A4', 'A7'].includes(s)));
    assert.deepEqual(pick(h, 5), { outcome: 'not-enough', available: 4, accessibleAvailable: 0 });
  });

  it('leaves no single seat stranded when another block exists, even further from the centre', () => {
    const h = hall(
      'xxxxxxxx',
      'x.....xx', // row B is nearest the sweet spot, but every 4 of its 5 free seats strand one
      '........',
    );
    assert.deepEqual(together(pick(h, 4)), ['C3', 'C4', 'C5', 'C6']);
    // B3-B5 is as near the middle as B4-B6 but strands B2 and B6; B4-B6 strands nothing.
    assert.deepEqual(together(pick(h, 3)), ['B4', 'B5', 'B6']);
  });

  it('strands a seat when that is the only way to seat the group together', () => {
    assert.deepEqual(together(pick(hall('x.....x'), 4)), ['A2', 'A3', 'A4', 'A5']);
  });

  it('fills a single free seat rather than breaking a pair, for one seat', () => {
    // Row B's pair would leave an orphan; row A's and C's lone seats strand nothing.
    const h = hall('x.xxxx', 'xx..xx', 'xxxx.x');
    // C5 is nearer the sweet spot (row B, 1.2 back) than A2.
    assert.deepEqual(together(pick(h, 1)), ['C5']);
    assert.deepEqual(together(pick(h, 2)), ['B3', 'B4']);
  });

  it('takes a row of exactly the size asked for, and ten seats at once', () => {
    const h = hall('..........', 'xxxxxxxxxx', 'xxxxxxxxxx');
    assert.deepEqual(together(pick(h, 10)), ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9', 'A10']);
    assert.deepEqual(pick(h, 11), { outcome: 'not-enough', available: 10, accessibleAvailable: 0 });
  });

  it('gives accessible places to those who ask, and keeps them from those who do not', () => {
    const h = hall('........', 'a......a', '........');
    // 3 rows: the sweet spot is 1.2 rows back, row B; but B's ends are accessible places.
    assert.deepEqual(together(pick(h, 2, 1)), ['B1', 'B2'], 'one accessible place and a companion (B7-B8 ties, the left wins)');
    assert.deepEqual(together(pick(h, 8)), ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8'], 'a full row without accessible places exists');
    assert.ok(!together(pick(h, 3)).some((s) => s === 'B1' || s === 'B8'));
    const both = pick(h, 8, 2);
    assert.deepEqual(together(both), ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8']);
    assert.deepEqual(pick(h, 3, 3), { outcome: 'not-enough', available: 24, accessibleAvailable: 2 });
  });

  it('splits into the fewest groups, near each other, when no block is free', () => {
    const h = hall('...x...x', '....x...', 'xxxxxxxx');
    const groups = split(pick(h, 6));
    assert.deepEqual(groups.map((g) => g.length), [4, 2]);
    assert.deepEqual(groups[0], ['B1', 'B2', 'B3', 'B4']);
    // Every pair left strands a seat; the nearest to the first group is A2-A3 (a row in front, above B2-B3).
    assert.deepEqual(groups[1], ['A2', 'A3']);
  });

  it('seats a nearly full hall in as many groups as it takes, and says when it cannot', () => {
    const h = hall('.x.x.', 'xxxxx', 'x.x.x');
    const groups = split(pick(h, 4));
    assert.equal(groups.length, 4);
    assert.equal(new Set(groups.flat()).size, 4);
    assert.deepEqual(pick(h, 6), { outcome: 'not-enough', available: 5, accessibleAvailable: 0 });
  });

  it('still finds accessible places that only sit in runs too short for a group', () => {
    const h = hall('a#......', 'xxxxxxxx');
    // Only 6 seats sit together; the accessible place A1 is alone beside a blocked seat.
    const p = pick(h, 7, 1);
    assert.equal(p.outcome, 'split');
    assert.ok((p as { seats: SeatId[] }).seats.includes('A1'));
    assert.equal((p as { seats: SeatId[] }).seats.length, 7);
    // Six: the one block of six has no accessible place, so one of its seats gives way to A1.
    assert.deepEqual(split(pick(h, 6, 1)), [['A3', 'A4', 'A5', 'A6', 'A7'], ['A1']]);
  });

  it('is deterministic and never chooses a taken seat, on a random hall', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const picture = Array.from({ length: 6 }, () => Array.from({ length: 12 }, () => (random() < 0.4 ? 'x' : random() < 0.05 ? '#' : '.')).join(''));
      const h = hall(...picture);
      const count = 1 + Math.floor(random() * 10);
      const a = pick(h, count);
      assert.deepEqual(pick(h, count), a);
      if (a.outcome === 'not-enough') continue;
      assert.equal(a.seats.length, count, JSON.stringify({ picture, a }));
      assert.equal(new Set(a.seats).size, count);
      assert.ok(a.seats.every((s) => !h.taken.has(s)), JSON.stringify({ picture, a }));
    }
  });
});
