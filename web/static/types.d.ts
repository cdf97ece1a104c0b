// Wire types of the API the pages call, as the server names them (src/http/schemas.ts, the admin and
// payment-queue routes, src/lab/lab-service.ts). test/types/web-wire-types.test.ts checks that the
// server's own types still fit these. JSDoc imports them: `/** @typedef {import('./types.d.ts').Hold} Hold */`.

export type SeatKind = 'standard' | 'premium' | 'accessible';

/** A seat of a layout as the server answers it. */
export interface LayoutSeat { id: string; row: string; number: number; kind: SeatKind; blocked: boolean }
export interface Layout { rows: { label: string; seats: (LayoutSeat | null)[] }[] }

/** Minor units per seat kind, in `currency`. */
export interface Prices { currency: string; standard: number; premium: number; accessible: number }

/** GET /api/v1/showtimes/:id */
export interface ShowtimeView { id: string; movieId: string; startsAt: string | number; layout: Layout; prices: Prices; seatCount?: number; seatsLeft?: number | null }

export interface PriceLine { seat: string; kind: SeatKind; price: number }

/** A hold answer (POST /showtimes/:id/holds, GET /holds, extend). */
export interface Hold {
  id: string;
  showtimeId: string;
  seats: string[];
  createdAt: number;
  expiresAt: number;
  /** How far Extend can take `expiresAt` (epoch ms); absent from a server before it. */
  maxExpiresAt?: number;
  state: 'held' | 'confirming' | 'booked';
  currency?: string;
  total?: number;
  lines?: PriceLine[];
}

/** POST /holds/:id/confirm */
export interface Booking { id: string; showtimeId: string; seats: string[]; createdAt: number }

/** The body of a best-available hold. */
export interface BestRequest { count: number; accessible?: number; together?: boolean }

// ---- the admin API and the Concurrency Lab ----
/** A seat of a layout as the admin writes it (PUT /admin/screens/:id): `null` in a row is an aisle gap. */
export interface LayoutSeatInput { number: number; kind?: SeatKind; blocked?: boolean }
export interface LayoutInput { rows: { label: string; seats: (LayoutSeatInput | null)[] }[] }


export interface Movie { id: string; title: string; durationMinutes: number }
export interface Theater { id: string; name: string }
export interface Screen { id: string; theaterId: string; name: string; layout: Layout }

/** A login or a refresh. */
export interface Session { accessToken: string; user: { id: string; email: string; role: 'user' | 'admin' } }

/** GET /admin/occupancy: one showtime's counts. */
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
}

/** GET /admin/showtimes/:id/holds */
export interface AdminHold { holdId: string; owner: string; seats: string[]; expiresAt: number | null; state: 'held' | 'booked' }

/** GET /admin/audit */
export interface AuditEntry { id: number; at: number; actor: string; action: string; target: string; details: object }

/** GET /admin/payments/queue */
export interface QueueDepth { kind: string; waiting: number; inFlight: number; dead: number }

/** GET /admin/payments/dead-letters */
export interface DeadLetter { id: string; kind: string; orderId: string; subjectId: string; attempts: number; diedAt: number; error: string }

// ---- the Concurrency Lab (/lab/api, /lab/ws) ----

export type LabModeName = 'unsafe' | 'memory-lock' | 'redis-lock' | 'for-update' | 'optimistic';

export interface LabModeInfo { name: LabModeName; title: string; safe: boolean; available: boolean; reason?: string; store: string; explanation: string }

/** GET /lab/api */
export interface LabInfo {
  showtimes: readonly { id: string; rows: readonly { label: string; seats: readonly string[] }[] }[];
  modes: LabModeInfo[];
  limits: { maxSeatsPerBuyer: number };
  lastLine: string;
}

/** Where one attempt was, in ms from its start: it reads, waits `delayMs`, writes (the optimistic mode again on a conflict). */
export interface LabPhase { phase: 'read' | 'wait' | 'write'; atMs: number }

export interface AttemptResult {
  buyer: string;
  seats: string[];
  outcome: 'won' | 'refused' | 'error';
  reason?: string;
  bookingId?: string;
  retries?: number;
  ms: number;
}

/** One entry of the lab's event log; an attempt's entry carries its buyer, start and phases. */
export interface LabEvent {
  at: number;
  event: string;
  mode?: string;
  buyer?: string;
  seats?: string[];
  outcome?: string;
  reason?: string;
  ms?: number;
  startedAt?: number;
  phases?: LabPhase[];
  delayMs?: number;
}

export interface LabLock { seat: string; owner: string; ttlMs: number }

/** GET /lab/api/state and the `lab-state` message on /lab/ws. */
export interface LabState {
  showtime: string;
  at: number;
  locks: { memory: LabLock[]; redis: LabLock[] | null };
  seats: { seat: string; status: string; buyer: string | null }[];
  bookings: { rows: { id: number; seat: string; buyer: string; mode: string; bookingId: string }[]; total: number };
  anomalies: { seat: string; bookings: { id: number; buyer: string }[] }[];
  log: LabEvent[];
}

/** POST /lab/api/stress */
export interface StressSummary {
  won: number;
  refused: number;
  errors: number;
  duplicateBookings: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  elapsedMs: number;
}
