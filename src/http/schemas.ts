import type { Booking, Hold, SeatMap, Showtime } from '../domain/booking.ts';
import { layoutSize } from '../domain/layout.ts';

/** JSON schemas shared by validation and the OpenAPI document, and the mappers that fit them. */

export const errorSchema = {
  type: 'object',
  required: ['error', 'code'],
  properties: {
    error: { type: 'string', description: 'What went wrong, for people.' },
    code: { type: 'string', description: 'Stable error code (docs/errors.md).' },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

export const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, errorSchema]));

export const idParam = (name: string, description: string) =>
  ({ type: 'object', required: [name], properties: { [name]: { type: 'string', maxLength: 200, description } } }) as const;

export const holdSchema = {
  type: 'object',
  required: ['id', 'showtimeId', 'seats', 'createdAt', 'expiresAt', 'state'],
  properties: {
    id: { type: 'string' },
    showtimeId: { type: 'string' },
    seats: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'integer', description: 'epoch ms' },
    expiresAt: { type: 'integer', description: 'epoch ms, on the hold store clock' },
    state: { type: 'string', enum: ['held', 'confirming', 'booked'] },
  },
} as const;

export const bookingSchema = {
  type: 'object',
  required: ['id', 'showtimeId', 'seats', 'createdAt'],
  properties: {
    id: { type: 'string', description: 'the id of the hold it was confirmed from' },
    showtimeId: { type: 'string' },
    seats: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'integer', description: 'epoch ms' },
  },
} as const;

const seatSchema = {
  type: 'object',
  required: ['id', 'number', 'kind', 'blocked'],
  properties: { id: { type: 'string' }, number: { type: 'integer' }, kind: { type: 'string' }, blocked: { type: 'boolean' } },
} as const;

export const showtimeSchema = {
  type: 'object',
  required: ['id', 'movieId', 'screenId', 'startsAt', 'rows', 'seatsPerRow', 'seatCount'],
  properties: {
    id: { type: 'string' },
    movieId: { type: 'string' },
    screenId: { type: 'string' },
    startsAt: { type: 'string', format: 'date-time' },
    rows: { type: 'integer' },
    seatsPerRow: { type: 'integer' },
    seatCount: { type: 'integer' },
    layout: {
      type: 'object',
      properties: {
        rows: {
          type: 'array',
          items: {
            type: 'object',
            properties: { label: { type: 'string' }, seats: { type: 'array', items: { anyOf: [seatSchema, { type: 'null' }] } } },
          },
        },
      },
    },
  },
} as const;

export const seatMapSchema = {
  type: 'object',
  required: ['showtimeId', 'version', 'seats'],
  properties: {
    showtimeId: { type: 'string' },
    version: { type: 'integer', description: 'grows by one with every change; deltas on /ws carry the same numbers' },
    seats: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'row', 'number', 'kind', 'status'],
        properties: {
          id: { type: 'string' },
          row: { type: 'string' },
          number: { type: 'integer' },
          kind: { type: 'string', enum: ['standard', 'accessible', 'premium'] },
          status: { type: 'string', enum: ['available', 'held', 'booked', 'blocked'] },
          mine: { type: 'boolean', description: 'held or booked by the caller' },
          expiresAt: { type: 'integer', description: 'epoch ms, for held seats' },
        },
      },
    },
  },
} as const;

export function toHoldView(hold: Hold) {
  return { id: hold.id, showtimeId: hold.showtimeId, seats: hold.seats, createdAt: hold.createdAt, expiresAt: hold.expiresAt, state: hold.state };
}

export function toBookingView(booking: Booking) {
  return { id: booking.id, showtimeId: booking.showtimeId, seats: booking.seats, createdAt: booking.createdAt };
}

export function toShowtimeView(showtime: Showtime, withLayout: boolean) {
  const size = layoutSize(showtime.layout);
  return {
    id: showtime.id,
    movieId: showtime.movieId,
    screenId: showtime.screenId,
    startsAt: new Date(showtime.startsAt).toISOString(),
    rows: size.rows,
    seatsPerRow: size.seatsPerRow,
    seatCount: size.seats,
    ...(withLayout && { layout: showtime.layout }),
  };
}

/** A seat map as one caller sees it: whether a seat is theirs, never who else holds it. */
export function toSeatMapView(map: SeatMap, viewer: string | null) {
  return {
    showtimeId: map.showtime.id,
    version: map.version,
    seats: map.seats.map((s) => ({
      id: s.id,
      row: s.row,
      number: s.number,
      kind: s.kind,
      status: s.status,
      ...(s.owner !== undefined && { mine: viewer !== null && s.owner === viewer }),
      ...(s.expiresAt !== undefined && { expiresAt: s.expiresAt }),
    })),
  };
}
