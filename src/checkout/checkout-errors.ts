import { defineErrors, type CodesOf } from '../domain/errors.ts';

/** Codes of checkout: orders, payments, refunds, tickets at the door, reviews, the payment queue. */
export const CHECKOUT_ERRORS = defineErrors('checkout', 'Checkout, payments, tickets and reviews', {
  PAYMENT_REQUIRED: {
    status: 402,
    message: 'showtime {showtimeId} is not free: check the hold out (POST /api/v1/holds/{holdId}/checkout) and pay',
    when: 'confirming a hold of a showtime with a price on /api/v1 (the FirstClick surface and free showtimes still confirm directly)',
    details: '`showtimeId`, `holdId`',
  },
  TICKET_INVALID: {
    status: 400,
    message: 'this is not a ticket of this cinema',
    when: 'check-in: a code that is malformed or whose signature does not verify (forged or altered)',
  },
  REVIEW_NOT_ALLOWED: {
    status: 403,
    message: 'only a person who had a paid ticket for a showtime of movie {movieId} that has started can review it',
    when: 'reviewing a movie without a paid (not refunded) ticket for one of its showtimes that has started, or as a guest',
    details: '`movieId`',
  },
  ORDER_NOT_FOUND: { status: 404, message: 'order {orderId} does not exist', when: "an unknown order, or somebody else's (the same answer, so ids cannot be probed)", details: '`orderId`' },
  TICKET_NOT_FOUND: { status: 404, message: 'ticket {ticketId} does not exist', when: 'check-in or QR code of a ticket whose order has no such seat', details: '`ticketId`' },
  REVIEW_NOT_FOUND: { status: 404, message: 'review {reviewId} does not exist', when: 'admin: hiding an unknown review', details: '`reviewId`' },
  DEAD_LETTER_NOT_FOUND: { status: 404, message: 'dead letter {messageId} does not exist', when: 'admin: retrying a payment message that is not (or no longer) dead-lettered', details: '`messageId`' },
  SHOWTIME_FREE: {
    status: 409,
    message: 'showtime {showtimeId} is free: confirm hold {holdId} directly (POST /api/v1/holds/{holdId}/confirm)',
    when: 'checking out a hold of a free showtime (all its prices 0): there is nothing to pay',
    details: '`showtimeId`, `holdId`',
  },
  SHOWTIME_STARTED: {
    status: 409,
    message: 'showtime {showtimeId} has started: its seats are no longer sold',
    when: 'checking out a hold of a showtime that has already started (the buyer would pay for a seat they cannot use)',
    details: '`showtimeId`, `holdId`',
  },
  CHECKOUT_HOLD_EXPIRED: {
    status: 409,
    message: 'hold {holdId} has expired: hold the seats again, then check out',
    when: 'checking out a hold that ran out (a released or swept hold is 404 HOLD_NOT_FOUND)',
    details: '`holdId`',
  },
  ORDER_NOT_PAYABLE: {
    status: 409,
    message: 'order {orderId} is {state}: only an order pending payment can be paid',
    when: 'a payment for an order that is paid, failed, expired, refunded or cancelled, or whose payment window has ended',
    details: '`orderId`, `state`',
  },
  ORDER_NOT_CANCELLABLE: {
    status: 409,
    message: 'order {orderId} is {state} and cannot be cancelled',
    when: 'cancelling an order that is already final (failed, expired, refunded, cancelled)',
    details: '`orderId`, `state`',
  },
  PAYMENT_IN_PROGRESS: {
    status: 409,
    message: 'a payment of order {orderId} is being processed; wait for its outcome',
    when: 'a second payment, or a cancel by the buyer, while an earlier payment attempt of the order is still pending',
    details: '`orderId`, `paymentId`',
  },
  CANCEL_TOO_LATE: {
    status: 409,
    message: 'order {orderId} can no longer be cancelled: cancelling closes {cutoffMinutes} minutes before the showtime starts',
    when: 'a buyer cancelling a paid order after CANCEL_CUTOFF before the showtime (an admin still can)',
    details: '`orderId`, `cutoffMinutes`',
  },
  TICKET_WRONG_SHOWTIME: {
    status: 409,
    message: 'ticket {ticketId} is for showtime {ticketShowtimeId}, not {showtimeId}',
    when: 'check-in at the door of another showtime',
    details: '`ticketId`, `ticketShowtimeId`, `showtimeId`',
  },
  TICKET_CANCELLED: {
    status: 409,
    message: 'ticket {ticketId} was cancelled (order {orderId} is {state})',
    when: 'check-in of a ticket whose order is not paid (refunded, cancelled)',
    details: '`ticketId`, `orderId`, `state`',
  },
  TICKET_USED: {
    status: 409,
    message: 'ticket {ticketId} was already used at {usedAt}',
    when: 'check-in of a ticket that was checked in before',
    details: '`ticketId`, `usedAt` (ISO time)',
  },
});

declare module '../domain/errors.ts' {
  interface ErrorCodes extends CodesOf<typeof CHECKOUT_ERRORS> {}
}
