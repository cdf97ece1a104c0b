import type { BookingService } from '../booking/booking-service.ts';
import type { AdminRepository, AuditEntry } from '../domain/admin.ts';
import type { Movie, Screen, Showtime, ShowtimeInput, Theater } from '../domain/booking.ts';
import type { BookingRepository } from '../domain/booking-repository.ts';
import { BoxofficeError, invalidInput } from '../domain/errors.ts';
import { parseLayout, SEAT_KINDS, type LayoutInput, type SeatId } from '../domain/layout.ts';
import type { Prices } from '../domain/orders.ts';

/** The admin who acts, for the audit log. */
export interface Actor {
  owner: string;
  email: string;
}

export interface Occupancy {
  showtimeId: string;
  movieId: string;
  screenId: string;
  startsAt: number;
  version: number;
  total: number;
  available: number;
  held: number;
  booked: number;
  blocked: number;
  /** Booked seats per seat kind: what a price list multiplies. */
  bookedByKind: Record<string, number>;
}

export interface HoldView {
  holdId: string;
  owner: string;
  seats: SeatId[];
  expiresAt: number | null;
  state: 'held' | 'booked';
}

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * Catalog management and operations for admins. Every change goes through the catalog (whose
 * repository checks overlaps and layout locks in one transaction, and whose cache tells every
 * instance), then lands in the audit log.
 */
export class AdminService {
  constructor(
    private readonly deps: {
      admin: AdminRepository;
      /** The cached catalog: its writes empty the caches of every instance. */
      catalog: BookingRepository;
      service: BookingService;
    },
  ) {}

  listTheaters = () => this.deps.admin.listTheaters();
  listScreens = () => this.deps.admin.listScreens();
  listMovies = () => this.deps.catalog.listMovies();
  listShowtimes = () => this.deps.catalog.listShowtimes();
  audit = (limit: number) => this.deps.admin.listAudit(limit);

  async saveMovie(actor: Actor, movie: Movie): Promise<Movie> {
    checkId(movie.id, 'movie');
    await this.deps.catalog.saveMovie(movie);
    await this.record(actor, 'movie.save', movie.id, { title: movie.title, durationMinutes: movie.durationMinutes });
    return movie;
  }

  async saveTheater(actor: Actor, theater: Theater): Promise<Theater> {
    checkId(theater.id, 'theater');
    await this.deps.catalog.saveTheater(theater);
    await this.record(actor, 'theater.save', theater.id, { name: theater.name });
    return theater;
  }

  /** Validates the layout (parseLayout: rows, labels, duplicates, kinds) before anything is written. */
  async saveScreen(actor: Actor, input: { id: string; theaterId: string; name: string; layout: LayoutInput }): Promise<Screen> {
    checkId(input.id, 'screen');
    const screen: Screen = { id: input.id, theaterId: input.theaterId, name: input.name, layout: parseLayout(input.layout) };
    await this.deps.catalog.saveScreen(screen);
    await this.record(actor, 'screen.save', screen.id, { theaterId: screen.theaterId, name: screen.name, rows: screen.layout.rows.length });
    return screen;
  }

  async saveShowtime(actor: Actor, showtime: ShowtimeInput): Promise<Showtime> {
    checkId(showtime.id, 'showtime');
    if (showtime.prices) checkPrices(showtime.prices);
    await this.deps.catalog.saveShowtime(showtime);
    await this.record(actor, 'showtime.save', showtime.id, { movieId: showtime.movieId, screenId: showtime.screenId, startsAt: new Date(showtime.startsAt).toISOString(), ...(showtime.prices && { prices: showtime.prices }) });
    return (await this.deps.catalog.getShowtime(showtime.id))!;
  }

  async occupancy(showtimeId: string): Promise<Occupancy> {
    const map = await this.deps.service.seatMap(showtimeId);
    const count = { available: 0, held: 0, booked: 0, blocked: 0 };
    const bookedByKind: Record<string, number> = Object.fromEntries(SEAT_KINDS.map((k) => [k, 0]));
    for (const seat of map.seats) {
      count[seat.status]++;
      if (seat.status === 'booked') bookedByKind[seat.kind] = (bookedByKind[seat.kind] ?? 0) + 1;
    }
    const { showtime } = map;
    return { showtimeId, movieId: showtime.movieId, screenId: showtime.screenId, startsAt: showtime.startsAt, version: map.version, total: map.seats.length, ...count, bookedByKind };
  }

  /** Occupancy of the showtimes that have not started yet, soonest first (at most `limit`). */
  async upcoming(limit: number, now = Date.now()): Promise<Occupancy[]> {
    const showtimes = (await this.deps.catalog.listShowtimes()).filter((s) => s.startsAt >= now).slice(0, limit);
    return Promise.all(showtimes.map((s) => this.occupancy(s.id)));
  }

  /** Every hold and booking of a showtime, with its owner (admins only). */
  async holds(showtimeId: string): Promise<HoldView[]> {
    const map = await this.deps.service.seatMap(showtimeId);
    const byHold = new Map<string, HoldView>();
    for (const seat of map.seats) {
      if ((seat.status !== 'held' && seat.status !== 'booked') || !seat.holdId) continue;
      let view = byHold.get(seat.holdId);
      if (!view) {
        view = { holdId: seat.holdId, owner: seat.owner ?? '', seats: [], expiresAt: seat.expiresAt ?? null, state: seat.status };
        byHold.set(seat.holdId, view);
      }
      view.seats.push(seat.id);
    }
    return [...byHold.values()];
  }

  /** Frees a hold whoever owns it; the seats' change goes to every /ws client; the audit log says why. */
  async forceRelease(actor: Actor, holdId: string, reason: string): Promise<AuditEntry> {
    if (typeof reason !== 'string' || reason.trim().length === 0) throw invalidInput('a force-release needs a reason');
    const { hold, seats } = await this.deps.service.forceRelease(holdId);
    return this.deps.admin.appendAudit({
      actor: actorName(actor),
      action: 'hold.force-release',
      target: holdId,
      details: { showtimeId: hold.showtimeId, owner: hold.owner, seats, reason: reason.trim() },
    });
  }

  /** Writes one line of the audit log (also for admin actions of other modules: a payment retried). */
  async record(actor: Actor, action: string, target: string, details: Record<string, unknown>): Promise<void> {
    await this.deps.admin.appendAudit({ actor: actorName(actor), action, target, details });
  }
}

/** How an admin is named in the audit log. */
export const actorName = (a: Actor) => `${a.email} (${a.owner})`;

function checkId(id: string, what: string): void {
  if (typeof id !== 'string' || !ID.test(id)) {
    throw new BoxofficeError('INVALID_INPUT', `a ${what} id is 1 to 64 lowercase letters, digits and dashes, starting with a letter or digit; got ${JSON.stringify(id)}`);
  }
}

/**
 * A showtime is free (every kind 0: holds are confirmed directly) or priced (every kind above 0:
 * bought through checkout). A mix would let a hold of only free seats become an order of 0 that
 * still asks for a card, while its confirm is refused for the showtime's other prices.
 */
function checkPrices(prices: Prices): void {
  const kinds = SEAT_KINDS.filter((k) => prices[k] === 0);
  if (kinds.length > 0 && kinds.length < SEAT_KINDS.length) {
    throw invalidInput(`prices must be all 0 (a free showtime) or all above 0; ${kinds.join(', ')} ${kinds.length === 1 ? 'is' : 'are'} 0`, { field: 'prices' });
  }
}
