// Wire types of the product API, as the server names them (src/http/schemas.ts). JSDoc imports them:
// `/** @typedef {import('./types.d.ts').Hold} Hold */`.

export type SeatKind = 'standard' | 'premium' | 'accessible';

export interface LayoutSeat { id: string; row: string; number: number; kind: SeatKind; blocked: boolean }
export interface Layout { rows: { label: string; seats: (LayoutSeat | null)[] }[] }

/** Minor units per seat kind, in `currency`. */
export interface Prices { currency: string; standard: number; premium: number; accessible: number }

/** GET /api/v1/showtimes/:id */
export interface ShowtimeView { id: string; movieId: string; startsAt: string | number; layout: Layout; prices: Prices; seatCount?: number; seatsLeft?: number }

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
