// Formatting shared by the pages: money in minor units, times, and the words for an order's state.

const moneyFormats = new Map();

/** An amount in minor units (cents) of an ISO 4217 currency, as people read it: "€12.50". */
export function money(minor, currency) {
  let format = moneyFormats.get(currency);
  if (!format) moneyFormats.set(currency, (format = new Intl.NumberFormat(undefined, { style: 'currency', currency })));
  // The currency says how many minor units make one (100 for EUR, 1 for JPY).
  return format.format(minor / 10 ** format.resolvedOptions().maximumFractionDigits);
}

/** What a seat of each kind costs, or "free". */
export const priceText = (minor, currency) => (minor === 0 ? 'free' : money(minor, currency));

/** Milliseconds left as m:ss, never below 0:00. */
export function clock(ms) {
  const left = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
}

const showtimeFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** When a showtime starts (epoch ms or ISO text), e.g. "Wed, Nov 25, 14:00". */
export const when = (time) => showtimeFormat.format(new Date(time));

/** "J9" before "J10": row labels by letter, seat numbers by number. */
export const naturalOrder = (/** @type {string[]} */ ids) => [...ids].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));

/** "Seat D5" or "Seats D5, D9, D10" in natural order ("seats D5, D6" inside a sentence). */
export const seatsText = (seats, { inSentence = false } = {}) =>
  `${seats.length > 1 ? 'Seats' : 'Seat'} ${naturalOrder(seats).join(', ')}`.replace(/^S/, inSentence ? 's' : 'S');

/**
 * A booking's or an order's short reference, read at the door: the first 8 characters of its id
 * after the showtime or the "ord_" ("inception-1.Xy3k9Qa2..." -> "Xy3k9Qa2").
 */
export const reference = (/** @type {string} */ id) => (id.startsWith('ord_') ? id.slice(4) : (id.split('.').pop() ?? id)).slice(0, 8);

/** An order's state in people's words. */
export const ORDER_STATE_WORDS = {
  pending_payment: 'Waiting for payment',
  paid: 'Paid',
  failed: 'Payment failed',
  expired: 'Expired: not paid in time',
  refunded: 'Refunded',
  cancelled: 'Cancelled',
};

const BRANDS = { visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover' };

/** "Visa ending 4242". */
export const cardText = (card) => `${BRANDS[card.brand] ?? 'Card'} ending ${card.last4}`;
