import type { Hold, TakenSeat } from '../../domain/booking.ts';
import { StoreCode, storeError } from '../../domain/errors.ts';
import type { HoldStore } from '../../domain/hold-store.ts';
import type { SeatId } from '../../domain/layout.ts';
import type { Db, Queryable } from './db.ts';

/*
 * Holds as rows with an expiry (tables in migrations/0002_holds.sql), semantics mirroring
 * MemoryHoldStore. Each state change is one transaction, and each transaction takes its locks in one
 * global order, so no two of them can wait for each other in a cycle (G3: no deadlock):
 *
 *   1. the hold row it acts on (extend, release, confirm steps; restore's booking rows by id;
 *      expireDue's due rows with SKIP LOCKED, which never waits);
 *   2. seat rows, by (showtime_id, seat_id), with SELECT ... FOR UPDATE ... ORDER BY seat_id;
 *   3. the owner's advisory lock (hold and extend), so the per-owner limit is counted atomically;
 *   4. the showtime row, last, by the UPDATE that bumps its version just before COMMIT.
 *
 * (restore first inserts a showtime row when it is new; nobody else can wait for that row's lock
 * while holding another, since until it commits the showtime reads as not loaded.)
 * Statement counts below include BEGIN and COMMIT; a failing check ends with ROLLBACK instead.
 *
 * hold() reads the rows of the holds that occupy its seats without locking them: whoever changes
 * whether a hold occupies its seats (extend, confirm, release, expire) holds those seats' locks, so
 * the seat locks alone serialise a new hold with them. Each check runs in a statement that starts
 * after the locks are held (READ COMMITTED gives every statement a fresh snapshot) and reads the
 * database's clock there, so ownership and expiry are decided under the locks, on one clock (G4).
 */

/** The database's clock in epoch ms: the one clock of every hold, whichever app instance asks. */
const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';
/** How long an expired hold is remembered, so a late confirm hears HOLD_EXPIRED rather than HOLD_NOT_FOUND. */
const EXPIRED_MEMORY_MS = 60 * 60 * 1000;
/** A stalled confirm is reported again after this long if nobody resolved it. */
const STALLED_RETRY_MS = 1000;

const HOLD_COLUMNS = 'id, showtime_id, owner, seats, created_at_ms, expires_at_ms, state';
/** HOLD_COLUMNS qualified by a table alias, where an UPDATE ... FROM or a join makes names ambiguous. */
const holdColumns = (alias: string) => HOLD_COLUMNS.split(', ').map((c) => `${alias}.${c}`).join(', ');
/** A hold that occupies its seats at `now` (a 'held' hold past its expiry no longer does). */
const occupies = (h: string, now: string) =>
  `(${h}.state IN ('confirming', 'booked') OR (${h}.state = 'held' AND ${h}.expires_at_ms > ${now}))`;

interface HoldRow {
  id: string;
  showtime_id: string;
  owner: string;
  seats: SeatId[];
  created_at_ms: number;
  expires_at_ms: number;
  state: Hold['state'] | 'expired';
}

type Located = { loaded: boolean } & (HoldRow | { [K in keyof HoldRow]: null });

/**
 * Locks one hold row, then its seats in seat order (the seat locks are what a rival hold() waits
 * on), and says whether the showtime is loaded. The seats' CTE reads the hold's seats from the
 * locked row, so the hold row is always locked first. The row comes back as locked (latest version).
 */
const LOCK_HOLD = `
  WITH h AS MATERIALIZED (
    SELECT ${HOLD_COLUMNS} FROM hold_holds WHERE id = $2 AND showtime_id = $1 FOR UPDATE
  ), seat_locks AS MATERIALIZED (
    SELECT seat_id FROM hold_seats
    WHERE showtime_id = $1 AND seat_id = ANY ((SELECT seats FROM h)::text[])
    ORDER BY seat_id FOR UPDATE
  )
  SELECT EXISTS (SELECT 1 FROM hold_showtimes WHERE showtime_id = $1) AS loaded,
         (SELECT count(*) FROM seat_locks) AS seats_locked, h.*
  FROM (VALUES (1)) AS one LEFT JOIN h ON true`;

/**
 * A seat must be lockable before anyone has held it, so hold() first creates the missing rows (in
 * seat order, and only for a loaded showtime). Creating them in their own statement, rather than
 * pre-creating every seat of a layout, keeps the store ignorant of layouts; a racing creator of the
 * same row waits for the first one's commit and then does nothing, so the later SELECT ... FOR
 * UPDATE always finds every row.
 */
const CREATE_SEATS = `
  INSERT INTO hold_seats (showtime_id, seat_id)
  SELECT $1, seat FROM unnest($2::text[]) AS seat
  WHERE EXISTS (SELECT 1 FROM hold_showtimes WHERE showtime_id = $1)
  ORDER BY seat
  ON CONFLICT DO NOTHING`;

/**
 * hold()'s first look, without a lock: seats another hold has now. Failing on it is sound (the seats
 * were taken when this ran, a moment inside the request), and it spares the losers of a rush the
 * queue on the seat rows' locks; a request that finds its seats free still decides under the locks.
 */
const TAKEN_NOW = `
  WITH clock AS MATERIALIZED (SELECT ${NOW_MS} AS now)
  SELECT s.seat_id FROM hold_seats s JOIN hold_holds h ON h.id = s.hold_id, clock
  WHERE s.showtime_id = $1 AND s.seat_id = ANY ($2::text[]) AND ${occupies('h', 'clock.now')}
  ORDER BY s.seat_id`;

/**
 * Locks the seats in seat order, then (once all are held: the count forces it) the owner's lock,
 * and says how many seat rows it locked.
 */
const LOCK_SEATS_AND_OWNER = `
  SELECT locked.n AS locked, pg_advisory_xact_lock(hashtext($1), hashtext($3)) FROM (
    SELECT count(*)::int AS n FROM (
      SELECT 1 FROM hold_seats WHERE showtime_id = $1 AND seat_id = ANY ($2::text[]) ORDER BY seat_id FOR UPDATE
    ) AS seat_locks
  ) AS locked`;

/** transferHolds' first step: locks the owner's live holds of the showtime, in id order. */
const LOCK_OWNER_HOLDS = `
  WITH h AS MATERIALIZED (
    SELECT id FROM hold_holds
    WHERE showtime_id = $1 AND owner = $2 AND state = 'held' AND expires_at_ms > ${NOW_MS}
    ORDER BY id FOR UPDATE
  )
  SELECT EXISTS (SELECT 1 FROM hold_showtimes WHERE showtime_id = $1) AS loaded, h.id
  FROM (VALUES (1)) AS one LEFT JOIN h ON true`;

/**
 * transferHolds' check and write, under the locks: the locked holds still alive are given to $3
 * when $3's live seats plus theirs stay within $4; one row with within_limit false otherwise.
 */
const MOVE_HOLDS = `
  WITH clock AS MATERIALIZED (SELECT ${NOW_MS} AS now),
  moving AS MATERIALIZED (
    SELECT h.id, cardinality(h.seats) AS n FROM hold_holds h, clock
    WHERE h.id = ANY ($2::text[]) AND h.state = 'held' AND h.expires_at_ms > clock.now
  ),
  verdict AS MATERIALIZED (
    SELECT (SELECT coalesce(sum(cardinality(h.seats)), 0) FROM hold_holds h, clock
            WHERE h.showtime_id = $1 AND h.owner = $3 AND ${occupies('h', 'clock.now')} AND h.state <> 'booked')
           + (SELECT coalesce(sum(n), 0) FROM moving) <= $4 AS within_limit
  ),
  moved AS (
    UPDATE hold_holds h SET owner = $3 FROM verdict
    WHERE verdict.within_limit AND h.id IN (SELECT id FROM moving)
    RETURNING ${holdColumns('h')}
  ),
  bump AS (
    UPDATE hold_showtimes SET version = version + 1
    WHERE showtime_id = $1 AND EXISTS (SELECT 1 FROM moved) RETURNING version
  )
  SELECT verdict.within_limit, (SELECT version FROM bump) AS version, moved.*
  FROM verdict LEFT JOIN moved ON true`;

/** The check and the write of hold(), under the locks: writes only when every check passes. */
const TAKE_SEATS = `
  WITH clock AS MATERIALIZED (SELECT ${NOW_MS} AS now),
  taken AS MATERIALIZED (
    SELECT s.seat_id FROM hold_seats s JOIN hold_holds h ON h.id = s.hold_id, clock
    WHERE s.showtime_id = $1 AND s.seat_id = ANY ($2::text[]) AND ${occupies('h', 'clock.now')}
  ),
  verdict AS MATERIALIZED (
    SELECT EXISTS (SELECT 1 FROM hold_showtimes WHERE showtime_id = $1) AS loaded,
           ARRAY(SELECT seat_id FROM taken ORDER BY seat_id) AS taken,
           (SELECT coalesce(sum(cardinality(h.seats)), 0) FROM hold_holds h, clock
            WHERE h.showtime_id = $1 AND h.owner = $3 AND h.state IN ('held', 'confirming')
              AND ${occupies('h', 'clock.now')}) + cardinality($2::text[]) <= $6 AS within_limit
  ),
  ins AS (
    INSERT INTO hold_holds (id, showtime_id, owner, seats, created_at_ms, expires_at_ms, state)
    SELECT $4, $1, $3, $2::text[], clock.now, clock.now + $5, 'held' FROM verdict, clock
    WHERE verdict.loaded AND cardinality(verdict.taken) = 0 AND verdict.within_limit
    RETURNING ${HOLD_COLUMNS}
  ),
  took AS (
    UPDATE hold_seats SET hold_id = $4
    WHERE showtime_id = $1 AND seat_id = ANY ($2::text[]) AND EXISTS (SELECT 1 FROM ins)
  ),
  bump AS (
    UPDATE hold_showtimes SET version = version + 1
    WHERE showtime_id = $1 AND EXISTS (SELECT 1 FROM ins) RETURNING version
  )
  SELECT verdict.loaded, verdict.taken, (SELECT version FROM bump) AS version, ins.*
  FROM verdict LEFT JOIN ins ON true`;

/**
 * extend's write. The owner's lock comes before the clock is read (clock depends on it), so a
 * concurrent hold() of the same owner counts this hold either before or after the extension.
 */
const EXTEND = `
  WITH owner_lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(hashtext($1), hashtext($5)) AS locked),
  clock AS MATERIALIZED (SELECT ${NOW_MS} AS now FROM owner_lock),
  upd AS (
    UPDATE hold_holds h
    SET expires_at_ms = greatest(h.expires_at_ms, least(clock.now + $3, h.created_at_ms + $4))
    FROM clock WHERE h.id = $2 AND h.state = 'held' AND h.expires_at_ms > clock.now
    RETURNING ${holdColumns('h')}
  ),
  bump AS (
    UPDATE hold_showtimes SET version = version + 1
    WHERE showtime_id = $1 AND EXISTS (SELECT 1 FROM upd) RETURNING version
  )
  SELECT (SELECT version FROM bump) AS version, upd.* FROM (VALUES (1)) AS one LEFT JOIN upd ON true`;

const BEGIN_CONFIRM = `
  WITH clock AS MATERIALIZED (SELECT ${NOW_MS} AS now)
  UPDATE hold_holds h SET state = 'confirming', expires_at_ms = clock.now + $2
  FROM clock WHERE h.id = $1 AND h.state = 'held' AND h.expires_at_ms > clock.now
  RETURNING ${holdColumns('h')}`;

/** Frees only the seats that still point to the hold (an expired hold may have lost some already). */
const FREE = `
  WITH freed AS (
    UPDATE hold_seats SET hold_id = NULL
    WHERE showtime_id = $1 AND seat_id = ANY ($3::text[]) AND hold_id = $2 RETURNING seat_id
  ),
  gone AS (DELETE FROM hold_holds WHERE id = $2),
  bump AS (UPDATE hold_showtimes SET version = version + 1 WHERE showtime_id = $1 RETURNING version)
  SELECT (SELECT version FROM bump) AS version, ARRAY(SELECT seat_id FROM freed ORDER BY seat_id) AS seats`;

/** The booking is durable: it wins over anything the store believes about these seats. */
const COMPLETE = `
  WITH booked AS (UPDATE hold_holds SET state = 'booked' WHERE id = $2),
  seats AS (UPDATE hold_seats SET hold_id = $2 WHERE showtime_id = $1 AND seat_id = ANY ($3::text[])),
  bump AS (UPDATE hold_showtimes SET version = version + 1 WHERE showtime_id = $1 RETURNING version)
  SELECT version FROM bump`;

const SEAT_STATES = `
  WITH clock AS MATERIALIZED (SELECT ${NOW_MS} AS now)
  SELECT st.version, t.seat_id, t.hold_id, t.owner, t.state, t.expires_at_ms
  FROM hold_showtimes st
  LEFT JOIN LATERAL (
    SELECT s.seat_id, h.id AS hold_id, h.owner, h.state, h.expires_at_ms
    FROM hold_seats s JOIN hold_holds h ON h.id = s.hold_id, clock
    WHERE s.showtime_id = st.showtime_id AND ${occupies('h', 'clock.now')}
  ) AS t ON true
  WHERE st.showtime_id = $1
  ORDER BY t.seat_id`;

const GET_HOLD = `
  SELECT EXISTS (SELECT 1 FROM hold_showtimes WHERE showtime_id = $1) AS loaded, h.*
  FROM (VALUES (1)) AS one
  LEFT JOIN hold_holds h ON h.id = $2 AND h.showtime_id = $1 AND h.state <> 'expired'`;

const HOLDS_OF = `
  WITH clock AS MATERIALIZED (SELECT ${NOW_MS} AS now)
  SELECT EXISTS (SELECT 1 FROM hold_showtimes WHERE showtime_id = $1) AS loaded, h.*
  FROM (VALUES (1)) AS one
  LEFT JOIN LATERAL (
    SELECT ${holdColumns('x')} FROM hold_holds x, clock
    WHERE x.showtime_id = $1 AND x.owner = $2 AND x.state IN ('held', 'confirming') AND ${occupies('x', 'clock.now')}
  ) AS h ON true
  ORDER BY h.created_at_ms, h.id`;

/** Makes the showtime known; a new one's version starts at the clock so versions only grow. */
const LOAD_SHOWTIME = `
  INSERT INTO hold_showtimes (showtime_id, version) VALUES ($1, ${NOW_MS}) ON CONFLICT DO NOTHING`;

/**
 * restore's bookings become booked holds, locked in id order; one that is already booked is locked
 * but left alone (ON CONFLICT ... WHERE), so only the changed ones come back.
 */
const UPSERT_BOOKINGS = `
  INSERT INTO hold_holds (id, showtime_id, owner, seats, created_at_ms, expires_at_ms, state)
  SELECT b.id, $1, b.owner, b.seats, ${NOW_MS}, 0, 'booked'
  FROM jsonb_to_recordset($2::text::jsonb) AS b (id text, owner text, seats text[])
  ORDER BY b.id
  ON CONFLICT (id) DO UPDATE
  SET showtime_id = EXCLUDED.showtime_id, owner = EXCLUDED.owner, seats = EXCLUDED.seats,
      created_at_ms = EXCLUDED.created_at_ms, expires_at_ms = 0, state = 'booked'
  WHERE hold_holds.state <> 'booked'
  RETURNING id, seats`;

const LOCK_SEATS = `
  SELECT count(*) FROM (
    SELECT 1 FROM hold_seats WHERE showtime_id = $1 AND seat_id = ANY ($2::text[]) ORDER BY seat_id FOR UPDATE
  ) AS seat_locks`;

const POINT_SEATS = `
  WITH pointed AS (
    UPDATE hold_seats s SET hold_id = p.hold_id
    FROM unnest($2::text[], $3::text[]) AS p (seat_id, hold_id)
    WHERE s.showtime_id = $1 AND s.seat_id = p.seat_id
  ),
  bump AS (UPDATE hold_showtimes SET version = version + 1 WHERE showtime_id = $1 RETURNING version)
  SELECT version FROM bump`;

const VERSION = 'SELECT version FROM hold_showtimes WHERE showtime_id = $1';

/**
 * The sweeper's claim: due holds in expiry order, skipping rows another instance (or an extend or
 * confirm) has locked, so each expiry is claimed by exactly one sweeper. Old tombstones go too.
 */
const CLAIM_DUE = `
  WITH clock AS MATERIALIZED (SELECT ${NOW_MS} AS now),
  forgotten AS (
    DELETE FROM hold_holds WHERE id IN (
      SELECT x.id FROM hold_holds x, clock
      WHERE x.state = 'expired' AND x.expires_at_ms <= clock.now - ${EXPIRED_MEMORY_MS}
      ORDER BY x.expires_at_ms LIMIT $1 FOR UPDATE OF x SKIP LOCKED
    )
  )
  SELECT h.id, h.showtime_id, h.seats, h.state, clock.now
  FROM hold_holds h, clock
  WHERE h.state IN ('held', 'confirming') AND h.expires_at_ms <= clock.now
  ORDER BY h.expires_at_ms, h.id LIMIT $1
  FOR UPDATE OF h SKIP LOCKED`;

/** The expired holds' seats in (showtime, seat) order, then their showtimes in id order. */
const LOCK_EXPIRING = `
  WITH seat_locks AS MATERIALIZED (
    SELECT 1 FROM hold_seats
    WHERE (showtime_id, seat_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
    ORDER BY showtime_id, seat_id FOR UPDATE
  )
  SELECT count(*) FROM (
    SELECT 1 FROM hold_showtimes
    WHERE showtime_id = ANY ($3::text[]) AND (SELECT count(*) FROM seat_locks) >= 0
    ORDER BY showtime_id FOR NO KEY UPDATE
  ) AS showtime_locks`;

/**
 * Expired holds become tombstones and free the seats still theirs; each expiry is its own change,
 * so a showtime with n expiries moves n versions, handed out in expiry order. Stalled confirms are
 * pushed STALLED_RETRY_MS later so they are reported again only if still unresolved.
 */
const EXPIRE = `
  WITH gone AS (
    UPDATE hold_holds SET state = 'expired' WHERE id = ANY ($1::text[])
    RETURNING id, showtime_id, seats, expires_at_ms
  ),
  freed AS (
    UPDATE hold_seats s SET hold_id = NULL FROM gone g
    WHERE s.showtime_id = g.showtime_id AND s.seat_id = ANY (g.seats) AND s.hold_id = g.id
    RETURNING g.id, s.seat_id
  ),
  ranked AS MATERIALIZED (
    SELECT id, showtime_id, expires_at_ms,
           row_number() OVER (PARTITION BY showtime_id ORDER BY expires_at_ms, id) AS k,
           count(*) OVER (PARTITION BY showtime_id) AS n
    FROM gone
  ),
  bump AS (
    UPDATE hold_showtimes st SET version = st.version + r.n
    FROM (SELECT DISTINCT showtime_id, n FROM ranked) AS r
    WHERE st.showtime_id = r.showtime_id RETURNING st.showtime_id, st.version
  ),
  stalled AS (UPDATE hold_holds SET expires_at_ms = $3::bigint + ${STALLED_RETRY_MS} WHERE id = ANY ($2::text[]))
  SELECT r.id, r.showtime_id, b.version - r.n + r.k AS version,
         ARRAY(SELECT f.seat_id FROM freed f WHERE f.id = r.id ORDER BY f.seat_id) AS seats
  FROM ranked r JOIN bump b USING (showtime_id)
  ORDER BY r.expires_at_ms, r.id`;

/** The database connection belongs to the composition root, which closes it. */
export class PostgresHoldStore implements HoldStore {
  readonly kind = 'postgres';

  constructor(private readonly db: Db) {}

  // 1 statement when a seat is already taken (TAKEN_NOW); otherwise 6: TAKEN_NOW, then BEGIN,
  // CREATE_SEATS, LOCK_SEATS_AND_OWNER, TAKE_SEATS, COMMIT.
  async hold(req: Parameters<HoldStore['hold']>[0]) {
    const { showtimeId, holdId, owner, seats } = req;
    const takenNow = await this.db.query<{ seat_id: SeatId }>(TAKEN_NOW, [showtimeId, seats]);
    if (takenNow.length > 0) throw storeError(StoreCode.SEAT_UNAVAILABLE, { showtimeId, seats: takenNow.map((t) => t.seat_id) });
    return this.db.transaction(async (tx) => {
      await tx.query(CREATE_SEATS, [showtimeId, seats]);
      const [lock] = await tx.query<{ locked: number }>(LOCK_SEATS_AND_OWNER, [showtimeId, seats, owner]);
      // Every check below is only sound under a lock on every seat. A seat row can be missing when
      // CREATE_SEATS ran before the showtime was loaded (a restore committed in between): then
      // this attempt locked too little and must start again, as for a showtime not loaded.
      if (lock!.locked !== seats.length) throw storeError(StoreCode.NOT_LOADED, { showtimeId });
      const [r] = await tx.query<{ loaded: boolean; taken: SeatId[]; version: number | null } & Partial<HoldRow>>(TAKE_SEATS, [
        showtimeId,
        seats,
        owner,
        holdId,
        req.ttlMs,
        req.maxSeatsPerOwner,
      ]);
      if (!r?.loaded) throw storeError(StoreCode.NOT_LOADED, { showtimeId });
      if (r.taken.length > 0) throw storeError(StoreCode.SEAT_UNAVAILABLE, { showtimeId, seats: r.taken });
      if (r.version === null || !r.id) throw storeError(StoreCode.HOLD_LIMIT_EXCEEDED, { showtimeId, limit: req.maxSeatsPerOwner });
      return { hold: toHold(r as HoldRow), version: r.version };
    });
  }

  // 4 statements: BEGIN, LOCK_HOLD, EXTEND, COMMIT (3 when a check fails before the clock matters).
  async extend(req: Parameters<HoldStore['extend']>[0]) {
    return this.db.transaction(async (tx) => {
      const held = ownedHold(await locate(tx, req), req);
      if (held.state !== 'held') throw storeError(StoreCode.HOLD_CONFIRMED, req);
      const [r] = await tx.query<{ version: number | null } & Partial<HoldRow>>(EXTEND, [
        req.showtimeId,
        req.holdId,
        req.ttlMs,
        req.maxLifeMs,
        req.owner,
      ]);
      // Not updated although owned and 'held' under the lock: its time ran out on the database's clock.
      if (r?.version == null || !r.id) throw storeError(StoreCode.HOLD_EXPIRED, req);
      return { hold: toHold(r as HoldRow), version: r.version };
    });
  }

  // 4 statements: BEGIN, LOCK_HOLD, FREE, COMMIT (3 when there is nothing to free).
  async release(req: Parameters<HoldStore['release']>[0]) {
    return this.db.transaction(async (tx) => {
      const found = await locate(tx, req);
      if (found.id === null || found.state === 'expired') {
        if (found.id !== null && found.owner !== req.owner) throw storeError(StoreCode.NOT_HOLD_OWNER, req);
        return null;
      }
      if (found.owner !== req.owner) throw storeError(StoreCode.NOT_HOLD_OWNER, req);
      if (found.state !== 'held') throw storeError(StoreCode.HOLD_CONFIRMED, req);
      return free(tx, found);
    });
  }

  // 4 statements: BEGIN, LOCK_HOLD, BEGIN_CONFIRM, COMMIT (3 for a retried confirm).
  async beginConfirm(req: Parameters<HoldStore['beginConfirm']>[0]) {
    return this.db.transaction(async (tx) => {
      const held = ownedHold(await locate(tx, req), req);
      if (held.state !== 'held') return toHold(held);
      // The expiry is checked by this UPDATE, on the database's clock, under the hold's seat locks.
      const [r] = await tx.query<HoldRow>(BEGIN_CONFIRM, [req.holdId, req.graceMs]);
      if (!r) throw storeError(StoreCode.HOLD_EXPIRED, req);
      return toHold(r);
    });
  }

  // 4 statements: BEGIN, LOCK_HOLD, COMPLETE, COMMIT.
  async completeConfirm(req: Parameters<HoldStore['completeConfirm']>[0]) {
    return this.db.transaction(async (tx) => {
      const found = await locate(tx, req);
      if (found.id === null || found.state !== 'confirming') return null;
      const [r] = await tx.query<{ version: number }>(COMPLETE, [req.showtimeId, found.id, found.seats]);
      return { seats: [...found.seats], version: r!.version };
    });
  }

  // 4 statements: BEGIN, LOCK_HOLD, FREE, COMMIT.
  async abortConfirm(req: Parameters<HoldStore['abortConfirm']>[0]) {
    return this.db.transaction(async (tx) => {
      const found = await locate(tx, req);
      if (found.id === null || found.state !== 'confirming') return null;
      return free(tx, found);
    });
  }

  // 4 statements: BEGIN, LOCK_HOLD, FREE, COMMIT (3 when the hold is not booked).
  async releaseBooking(req: Parameters<HoldStore['releaseBooking']>[0]) {
    return this.db.transaction(async (tx) => {
      const found = await locate(tx, { showtimeId: req.showtimeId, holdId: req.bookingId });
      if (found.id === null || found.state !== 'booked') return null;
      return free(tx, found);
    });
  }

  // 1 statement: the version and the seats come from one snapshot.
  async seatStates(showtimeId: string) {
    const rows = await this.db.query<{
      version: number;
      seat_id: SeatId | null;
      hold_id: string;
      owner: string;
      state: HoldRow['state'];
      expires_at_ms: number;
    }>(SEAT_STATES, [showtimeId]);
    if (rows.length === 0) throw storeError(StoreCode.NOT_LOADED, { showtimeId });
    const seats: TakenSeat[] = [];
    for (const r of rows) {
      if (r.seat_id === null) continue; // the LEFT JOIN's row of a showtime with no taken seat
      const booked = r.state === 'booked';
      seats.push({ seat: r.seat_id, status: booked ? 'booked' : 'held', holdId: r.hold_id, owner: r.owner, expiresAt: booked ? null : r.expires_at_ms });
    }
    return { version: rows[0]!.version, seats };
  }

  // 1 statement.
  async getHold(showtimeId: string, holdId: string) {
    const [r] = await this.db.query<Located>(GET_HOLD, [showtimeId, holdId]);
    if (!r?.loaded) throw storeError(StoreCode.NOT_LOADED, { showtimeId });
    return r.id === null ? null : toHold(r);
  }

  // 5 statements (BEGIN, LOCK_OWNER_HOLDS, the owner's lock, MOVE_HOLDS, COMMIT). Lock order: the
  // hold rows (by id), then toOwner's advisory lock, then the showtime row: the order of the header.
  async transferHolds(req: Parameters<HoldStore['transferHolds']>[0]) {
    if (req.fromOwner === req.toOwner) return null;
    return this.db.transaction(async (tx) => {
      const locked = await tx.query<{ loaded: boolean; id: string | null }>(LOCK_OWNER_HOLDS, [req.showtimeId, req.fromOwner]);
      if (!locked[0]?.loaded) throw storeError(StoreCode.NOT_LOADED, { showtimeId: req.showtimeId });
      const ids = locked.flatMap((r) => (r.id === null ? [] : [r.id]));
      if (ids.length === 0) return null;
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [req.showtimeId, req.toOwner]);
      const rows = await tx.query<HoldRow & { within_limit: boolean; version: number | null }>(MOVE_HOLDS, [req.showtimeId, ids, req.toOwner, req.maxSeatsPerOwner]);
      if (rows.length > 0 && rows[0]!.within_limit === false) {
        throw storeError(StoreCode.HOLD_LIMIT_EXCEEDED, { showtimeId: req.showtimeId, limit: req.maxSeatsPerOwner });
      }
      const moved = rows.filter((r) => r.id !== null);
      if (moved.length === 0) return null;
      return { holds: moved.map(toHold), version: moved[0]!.version! };
    });
  }

  // 1 statement.
  async holdsOf(showtimeId: string, owner: string) {
    const rows = await this.db.query<Located>(HOLDS_OF, [showtimeId, owner]);
    if (!rows[0]?.loaded) throw storeError(StoreCode.NOT_LOADED, { showtimeId });
    return rows.flatMap((r) => (r.id === null ? [] : [toHold(r)]));
  }

  // 5 statements when nothing changes (BEGIN, LOAD_SHOWTIME, UPSERT_BOOKINGS, VERSION, COMMIT),
  // 7 when bookings are new (CREATE_SEATS, LOCK_SEATS and POINT_SEATS instead of VERSION).
  async restore(showtimeId: string, bookings: Parameters<HoldStore['restore']>[1]) {
    return this.db.transaction(async (tx) => {
      await tx.query(LOAD_SHOWTIME, [showtimeId]);
      const changed = await tx.query<{ id: string; seats: SeatId[] }>(UPSERT_BOOKINGS, [
        showtimeId,
        JSON.stringify(bookings.map((b) => ({ id: b.bookingId, owner: b.owner, seats: b.seats }))),
      ]);
      if (changed.length === 0) {
        const [r] = await tx.query<{ version: number }>(VERSION, [showtimeId]);
        return { seats: [], version: r!.version };
      }
      // In booking order, as the caller gave them (the upsert returns them in any order).
      const seatOwner = new Map<SeatId, string>();
      const order = new Map(bookings.map((b, i) => [b.bookingId, i]));
      changed.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
      for (const c of changed) for (const seat of c.seats) seatOwner.set(seat, c.id);
      const seats = [...seatOwner.keys()];
      await tx.query(CREATE_SEATS, [showtimeId, seats]);
      await tx.query(LOCK_SEATS, [showtimeId, seats]);
      const [r] = await tx.query<{ version: number }>(POINT_SEATS, [showtimeId, seats, [...seatOwner.values()]]);
      return { seats: changed.flatMap((c) => c.seats), version: r!.version };
    });
  }

  // 3 statements when nothing is due (BEGIN, CLAIM_DUE, COMMIT); 5 otherwise (LOCK_EXPIRING and
  // EXPIRE; LOCK_EXPIRING is skipped when only stalled confirms are due).
  async expireDue(limit: number) {
    return this.db.transaction(async (tx) => {
      const due = await tx.query<{ id: string; showtime_id: string; seats: SeatId[]; state: HoldRow['state']; now: number }>(CLAIM_DUE, [limit]);
      if (due.length === 0) return { expired: [], stalled: [] };
      const expiring = due.filter((d) => d.state === 'held');
      const stalled = due.filter((d) => d.state === 'confirming');
      if (expiring.length > 0) {
        const pairs = expiring.flatMap((d) => d.seats.map((seat) => [d.showtime_id, seat] as const));
        await tx.query(LOCK_EXPIRING, [pairs.map((p) => p[0]), pairs.map((p) => p[1]), [...new Set(expiring.map((d) => d.showtime_id))]]);
      }
      const expired = await tx.query<{ id: string; showtime_id: string; version: number; seats: SeatId[] }>(EXPIRE, [
        expiring.map((d) => d.id),
        stalled.map((d) => d.id),
        due[0]!.now,
      ]);
      return {
        expired: expired.map((e) => ({ showtimeId: e.showtime_id, holdId: e.id, seats: e.seats, version: e.version })),
        stalled: stalled.map((s) => ({ showtimeId: s.showtime_id, holdId: s.id })),
      };
    });
  }

  async ping() {
    await this.db.query('SELECT 1');
  }

  async close() {}
}

/** LOCK_HOLD: the hold row locked with its seats, or nulls; throws NOT_LOADED for an unknown showtime. */
async function locate(tx: Queryable, req: { showtimeId: string; holdId: string }): Promise<Located> {
  const [r] = await tx.query<Located & { seats_locked: number }>(LOCK_HOLD, [req.showtimeId, req.holdId]);
  if (!r?.loaded) throw storeError(StoreCode.NOT_LOADED, { showtimeId: req.showtimeId });
  return r;
}

/** The hold if `owner` owns it; a tombstone answers HOLD_EXPIRED to its owner, as memory does. */
function ownedHold(found: Located, req: { showtimeId: string; holdId: string; owner: string }): HoldRow & { state: Hold['state'] } {
  if (found.id === null) throw storeError(StoreCode.HOLD_NOT_FOUND, req);
  if (found.owner !== req.owner) throw storeError(StoreCode.NOT_HOLD_OWNER, req);
  if (found.state === 'expired') throw storeError(StoreCode.HOLD_EXPIRED, req);
  return found as HoldRow & { state: Hold['state'] };
}

async function free(tx: Queryable, hold: HoldRow): Promise<{ seats: SeatId[]; version: number }> {
  const [r] = await tx.query<{ version: number; seats: SeatId[] }>(FREE, [hold.showtime_id, hold.id, hold.seats]);
  return { seats: r!.seats, version: r!.version };
}

function toHold(r: HoldRow): Hold {
  if (r.state === 'expired') throw new Error(`hold ${r.id} is a tombstone, not a hold`);
  return {
    id: r.id,
    showtimeId: r.showtime_id,
    owner: r.owner,
    seats: [...r.seats],
    createdAt: r.created_at_ms,
    expiresAt: r.expires_at_ms,
    state: r.state,
  };
}
