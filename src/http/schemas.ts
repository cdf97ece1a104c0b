import { Type, type TObject, type TProperties } from 'typebox';
import type { Booking, Hold, SeatMap, Showtime } from '../domain/booking.ts';
import { errorSpec, type ErrorCode } from '../domain/errors.ts';
import { layoutSize, SEAT_KINDS } from '../domain/layout.ts';
import { CURRENCY_PATTERN, MAX_PRICE, priceLines, priceOf } from '../domain/orders.ts';

/**
 * TypeBox schemas shared by validation, the OpenAPI document and the route types (the TypeBox
 * type provider derives each handler's request and reply types from them), and the mappers that
 * fit them.
 */

/** A request body of the product API: a field no schema names is refused with a 400 that names it. */
export const Body = <P extends TProperties>(properties: P, options: { description?: string; examples?: unknown[] } = {}): TObject<P> =>
  Type.Object(properties, { ...options, additionalProperties: false });

/**
 * One of some strings, as `{ type: 'string', enum }`: the OpenAPI document shows a plain list, and
 * the response serializer writes a string rather than trying each branch of an anyOf.
 */
export const StringEnum = <const T extends readonly string[]>(values: T, options: { description?: string } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

export const ErrorBody = Type.Object({
  error: Type.String({ description: 'What went wrong, for people.' }),
  code: Type.String({ description: 'Stable error code (docs/errors.md).' }),
  details: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'Ids and numbers involved.' })),
});

/**
 * The error answers of a route, from the codes it can give: one response per status the error
 * registry gives those codes, described by the codes and when they happen.
 */
export function failures(...codes: ErrorCode[]) {
  const byStatus = new Map<number, string[]>();
  for (const code of codes) {
    const spec = errorSpec(code);
    if (!spec) throw new Error(`error code ${code} is not registered`);
    byStatus.set(spec.status, [...(byStatus.get(spec.status) ?? []), `\`${code}\`: ${spec.when}`]);
  }
  return Object.fromEntries([...byStatus].map(([status, lines]) => [status, { ...ErrorBody, description: lines.join('\n\n') }])) as Record<number, typeof ErrorBody>;
}

export const idParam = <N extends string>(name: N, description: string) => Type.Object({ [name]: Type.String({ maxLength: 200, description }) } as { [K in N]: ReturnType<typeof Type.String> });

export const NoContent = Type.Null({ description: 'No content' });
export const bearer = [{ bearer: [] }];

const amount = (description: string) => Type.Integer({ minimum: 0, maximum: MAX_PRICE, description });

/** A price per seat kind, in minor units (cents) of an ISO 4217 currency; all 0 is a free showtime. */
export const PricesSchema = Type.Object(
  {
    currency: Type.String({ pattern: CURRENCY_PATTERN.source, description: 'ISO 4217, e.g. EUR' }),
    standard: amount('minor units (cents) per standard seat'),
    premium: amount('minor units per premium seat'),
    accessible: amount('minor units per accessible seat'),
  },
  { additionalProperties: false, description: 'all 0: a free showtime, confirmed without checkout' },
);

export const PriceLineSchema = Type.Object({ seat: Type.String(), kind: StringEnum(SEAT_KINDS), price: Type.Integer({ description: 'minor units' }) });

export const MovieSchema = Type.Object({ id: Type.String(), title: Type.String(), durationMinutes: Type.Integer() });

export const HoldSchema = Type.Object({
  id: Type.String(),
  showtimeId: Type.String(),
  seats: Type.Array(Type.String()),
  createdAt: Type.Integer({ description: 'epoch ms' }),
  expiresAt: Type.Integer({ description: 'epoch ms, on the hold store clock' }),
  maxExpiresAt: Type.Integer({ description: 'epoch ms: the furthest an extend can move expiresAt (createdAt + MAX_HOLD_LIFE)' }),
  state: StringEnum(['held', 'confirming', 'booked']),
  currency: Type.Optional(Type.String({ description: "the showtime's currency" })),
  total: Type.Optional(Type.Integer({ description: 'minor units: what checking the hold out costs (0: free, confirm directly)' })),
  lines: Type.Optional(Type.Array(PriceLineSchema)),
});

export const BookingSchema = Type.Object({
  id: Type.String({ description: 'the id of the hold it was confirmed from' }),
  showtimeId: Type.String(),
  seats: Type.Array(Type.String()),
  createdAt: Type.Integer({ description: 'epoch ms' }),
});

const SeatKind = StringEnum(SEAT_KINDS);

const LayoutSeat = Type.Object({ id: Type.String(), row: Type.String(), number: Type.Integer(), kind: SeatKind, blocked: Type.Boolean() });

export const LayoutSchema = Type.Object({
  rows: Type.Array(Type.Object({ label: Type.String(), seats: Type.Array(Type.Union([LayoutSeat, Type.Null()])) })),
});

export const ShowtimeSchema = Type.Object({
  id: Type.String(),
  movieId: Type.String(),
  screenId: Type.String(),
  startsAt: Type.String({ format: 'date-time' }),
  rows: Type.Integer(),
  seatsPerRow: Type.Integer(),
  seatCount: Type.Integer(),
  seatsLeft: Type.Optional(
    Type.Union([Type.Integer(), Type.Null()], {
      description: 'product API lists and showtime: seats available now (not held, booked or blocked), at most a second old; null while the hold store is not answering',
    }),
  ),
  prices: PricesSchema,
  layout: Type.Optional(LayoutSchema),
});

export const SeatMapSchema = Type.Object({
  showtimeId: Type.String(),
  version: Type.Integer({ description: 'grows by one with every change; deltas on /ws carry the same numbers' }),
  prices: PricesSchema,
  seats: Type.Array(
    Type.Object({
      id: Type.String(),
      row: Type.String(),
      number: Type.Integer(),
      kind: SeatKind,
      price: Type.Integer({ description: "minor units of the showtime's currency" }),
      status: StringEnum(['available', 'held', 'booked', 'blocked']),
      mine: Type.Optional(Type.Boolean({ description: 'held or booked by the caller' })),
      expiresAt: Type.Optional(Type.Integer({ description: 'epoch ms, for held seats' })),
    }),
  ),
});

/** A hold, with how far it can be extended (BookingService.maxExpiresAt) and what it costs when its showtime is known. */
export function toHoldView(hold: Hold, maxExpiresAt: number, showtime?: Showtime) {
  const view = { id: hold.id, showtimeId: hold.showtimeId, seats: hold.seats, createdAt: hold.createdAt, expiresAt: hold.expiresAt, maxExpiresAt, state: hold.state };
  if (!showtime) return view;
  const { currency, total, lines } = priceLines(showtime, hold.seats);
  return { ...view, currency, total, lines };
}


export function toBookingView(booking: Booking) {
  return { id: booking.id, showtimeId: booking.showtimeId, seats: booking.seats, createdAt: booking.createdAt };
}

export function toShowtimeView(showtime: Showtime, withLayout: boolean, seatsLeft?: number | null) {
  const size = layoutSize(showtime.layout);
  return {
    id: showtime.id,
    movieId: showtime.movieId,
    screenId: showtime.screenId,
    startsAt: new Date(showtime.startsAt).toISOString(),
    rows: size.rows,
    seatsPerRow: size.seatsPerRow,
    seatCount: size.seats,
    ...(seatsLeft !== undefined && { seatsLeft }),
    prices: showtime.prices,
    ...(withLayout && { layout: showtime.layout }),
  };
}

/** A seat map as one caller sees it: whether a seat is theirs, never who else holds it. */
export function toSeatMapView(map: SeatMap, viewer: string | null) {
  return {
    showtimeId: map.showtime.id,
    version: map.version,
    prices: map.showtime.prices,
    seats: map.seats.map((s) => ({
      id: s.id,
      row: s.row,
      number: s.number,
      kind: s.kind,
      price: priceOf(map.showtime.prices, s.kind),
      status: s.status,
      ...(s.owner !== undefined && { mine: viewer !== null && s.owner === viewer }),
      ...(s.expiresAt !== undefined && { expiresAt: s.expiresAt }),
    })),
  };
}
