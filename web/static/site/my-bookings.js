// My bookings: the person's orders (paid ones with their QR tickets) and the free showtimes' bookings,
// each with its state, seats, total and booking reference. It follows the orders live (the checkout
// module's store, fed by the socket's follow-orders and by polling) and reloads the free bookings when
// the view is shown. The view is #orders in the address, so a reload and Back keep it.
import { $, el, say } from '../common.js';
import { cardText, clock, money, ORDER_STATE_WORDS, reference, seatsText, when } from '../format.js';

/** @typedef {import('../types.d.ts').Booking} Booking */

/** Past the order's `cancellableUntil` (the start less CANCEL_CUTOFF), a paid order has no Cancel button. */
const tooLateToCancel = (/** @type {any} */ order, /** @type {any} */ ui) => order.state === 'paid' && (ui?.refusedLate || Date.now() > order.cancellableUntil);

/**
 * @param {{
 *   checkout: any,
 *   api: (method: string, path: string, body?: unknown) => Promise<any>,
 *   movieTitle: (movieId: string) => string,
 *   showtime: (showtimeId: string) => { movieId: string, startsAt: string } | undefined,
 * }} hooks
 */
export function createMyBookings(hooks) {
  const { checkout: c, api, movieTitle } = hooks;
  /** The entry of each order or booking: what the person opened in it, and the key it was drawn for. */
  const rows = new Map();
  /** @type {Booking[]} */
  let bookings = [];

  /** Draws the list: orders and free bookings, newest first; an entry is redrawn only when it changed. */
  function render() {
    const list = $('order-list');
    const orders = [...c.orders.values()];
    // A booking that came from a paid order's hold is that order: shown once, as the order.
    const fromOrders = new Set(orders.map((o) => o.holdId));
    const free = bookings.filter((b) => !fromOrders.has(b.id));
    /** @type {{ id: string, createdAt: number, order?: any, booking?: Booking }[]} */
    const entries = [...orders.map((o) => ({ id: o.id, createdAt: o.createdAt, order: o })), ...free.map((b) => ({ id: b.id, createdAt: b.createdAt, booking: b }))]
      .sort((a, b) => b.createdAt - a.createdAt);
    $('orders-empty').hidden = entries.length > 0;
    const count = orders.filter((o) => o.state === 'pending_payment' || o.state === 'paid').length + free.length;
    $('orders-count').textContent = count ? ` (${count})` : '';
    const keep = new Set(entries.map((e) => e.id));
    for (const node of [...list.children]) if (!keep.has(/** @type {HTMLElement} */ (node).dataset.order ?? '')) node.remove();
    /** @type {Element | null} */
    let before = null;
    for (const entry of entries) {
      let node = list.querySelector(`:scope > [data-order="${CSS.escape(entry.id)}"]`);
      const ui = rows.get(entry.id) ?? { paying: false, confirming: false, refusedLate: false, key: '' };
      rows.set(entry.id, ui);
      let key;
      const order = entry.order;
      if (order) {
        if (order.state !== 'pending_payment' || c.paying(order)) ui.paying = false;
        if (order.state !== 'paid') ui.confirming = false;
        key = `${c.stamp(order)}:${order.payments.length}:${order.refunds.length}:${ui.paying}:${ui.confirming}:${tooLateToCancel(order, ui)}:${titleOf(order)}`;
      } else key = `booking:${titleOf(/** @type {Booking} */ (entry.booking))}`;
      if (!node || ui.key !== key) {
        const fresh = order ? orderEntry(order, ui) : bookingEntry(/** @type {Booking} */ (entry.booking));
        // A payment's or refund's outcome redraws the entry: the focus stays in it, not lost to the page.
        const focused = node?.contains(document.activeElement) ? /** @type {HTMLElement} */ (document.activeElement) : null;
        if (node) node.replaceWith(fresh);
        if (focused) /** @type {HTMLElement} */ (fresh.querySelector(focused.className ? `.${[...focused.classList].map((x) => CSS.escape(x)).join('.')}` : focused.tagName) ?? fresh.querySelector('.order-title'))?.focus();
        node = fresh;
        ui.key = key;
      }
      if (before ? before.nextSibling !== node : list.firstChild !== node) before ? before.after(node) : list.prepend(node);
      before = node;
    }
  }

  /** An entry's title: the movie and when it starts. */
  function titleOf(/** @type {{ showtimeId: string, movieId?: string, startsAt?: number | string }} */ x) {
    const showtime = hooks.showtime(x.showtimeId);
    const movie = x.movieId ?? showtime?.movieId;
    const start = x.startsAt ?? showtime?.startsAt;
    return `${movie ? movieTitle(movie) : x.showtimeId}${start !== undefined ? ` · ${when(start)}` : ''}`;
  }

  /** A free showtime's booking: confirmed straight from its hold, nothing to pay or refund. */
  function bookingEntry(/** @type {Booking} */ booking) {
    return el('li', { class: 'order', 'data-order': booking.id, 'data-state': 'booked' },
      el('div', { class: 'order-head' },
        el('h3', { class: 'order-title', tabindex: '-1', text: titleOf(booking) }),
        el('span', { class: 'badge badge-paid', text: 'Booked' })),
      el('p', { class: 'order-what', text: `${seatsText(booking.seats)} · free` }),
      el('p', { class: 'order-ref' }, 'Booking reference ', el('strong', { class: 'reference', text: reference(booking.id) })),
      el('p', { class: 'order-status', text: 'Show the reference at the door.' }));
  }

  /** One entry of My bookings; `ui` is what the person opened in it (the card form, the cancel question). */
  function orderEntry(/** @type {any} */ order, /** @type {any} */ ui) {
    const last = c.lastPayment(order);
    const seats = order.lines.map((l) => l.seat);
    const refund = order.refunds.at(-1);
    const status = [];
    if (order.state === 'pending_payment') {
      status.push(c.paying(order)
        ? el('span', {}, el('span', { class: 'spinner', 'aria-hidden': 'true' }), `Paying with ${cardText(last.card)}…`)
        : el('span', {}, 'Pay within ', el('span', { class: 'countdown', 'data-ends': String(order.expiresAt), text: clock(order.expiresAt - Date.now()) }), ' or the seats go back on sale.'));
    } else if (order.state === 'paid' && last) status.push(`Paid with ${cardText(last.card)}.`);
    else if (order.state === 'refunded' && refund) status.push(refund.state === 'pending' ? `${money(refund.amount, refund.currency)} is being refunded…` : refund.state === 'succeeded' ? `${money(refund.amount, refund.currency)} refunded to your card.` : 'The refund is delayed; we keep trying.');
    else if (order.state !== 'paid') status.push(c.endedText('ended', order));
    if (order.state === 'pending_payment' && last && !c.paying(order) && !ui.paying) status.push(` Last try: ${cardText(last.card)}, ${last.reason ?? last.state}.`);

    const actions = [];
    if (order.state === 'pending_payment' && !c.paying(order) && !ui.paying) {
      actions.push(el('button', { type: 'button', class: 'pay-order', text: `Pay ${money(order.total, order.currency)}`, onclick: () => { ui.paying = true; render(); focusIn(order.id, 'input[name="number"]'); } }));
      actions.push(el('button', { type: 'button', class: 'cancel-order', text: 'Cancel order', onclick: () => c.cancelPending(order) }));
    }
    if (tooLateToCancel(order, ui)) {
      status.push(el('span', { class: 'too-late', role: ui.refusedLate ? 'alert' : undefined }, ` Cancelling online closed at ${when(order.cancellableUntil)}; the box office can still help.`));
    } else if (order.state === 'paid' && !ui.confirming) {
      status.push(el('span', { class: 'cancellable' }, ` You can cancel for a refund until ${when(order.cancellableUntil)}.`));
      actions.push(el('button', { type: 'button', class: 'cancel-order', text: 'Cancel and refund', onclick: () => { ui.confirming = true; render(); focusIn(order.id, '.confirm-refund'); } }));
    }
    let extra = null;
    if (ui.paying) {
      extra = c.cardForm({
        idPrefix: `order-${order.id}`, order, askEmail: false, total: order.total, currency: order.currency,
        onSubmit: async (form, { card }) => {
          form.querySelector('fieldset').disabled = true;
          try {
            await c.pay(order, card, 'orders');
          } catch (/** @type {any} */ e) {
            if (e.code === 'ORDER_NOT_PAYABLE' || e.code === 'PAYMENT_IN_PROGRESS') return void c.poll(order.id);
            c.refused(form, e);
          }
        },
      });
      extra.append(el('button', { type: 'button', class: 'link-button', text: 'Not now', onclick: () => { ui.paying = false; render(); focusIn(order.id, '.pay-order'); } }));
    } else if (ui.confirming) {
      extra = el('div', { class: 'confirm-box', role: 'group', 'aria-label': 'Cancel this order?' },
        el('p', { text: `Cancel ${seatsText(seats, { inSentence: true })} and refund ${money(order.total, order.currency)} to your card? The seats go back on sale.` }),
        el('button', { type: 'button', class: 'confirm-refund danger', text: `Yes, cancel and refund`, onclick: () => refundOrder(order) }),
        ' ',
        el('button', { type: 'button', text: 'Keep my tickets', onclick: () => { ui.confirming = false; render(); focusIn(order.id, '.cancel-order'); } }));
    }
    return el('li', { class: 'order', 'data-order': order.id, 'data-state': order.state },
      el('div', { class: 'order-head' },
        el('h3', { class: 'order-title', tabindex: '-1' }, titleOf(order)),
        el('span', { class: `badge badge-${order.state}`, text: ORDER_STATE_WORDS[order.state] })),
      el('p', { class: 'order-what', text: `${seatsText(seats)} · ${money(order.total, order.currency)}` }),
      el('p', { class: 'order-ref' }, 'Booking reference ', el('strong', { class: 'reference', text: reference(order.id) })),
      el('p', { class: 'order-status' }, ...status),
      order.state === 'paid' ? el('details', { class: 'order-tickets' }, el('summary', { text: `Tickets (${order.tickets.length})` }), c.ticketsList(order)) : null,
      actions.length ? el('p', { class: 'order-actions' }, ...actions.flatMap((a) => [a, ' '])) : null,
      extra);
  }

  /** Moves the focus to this element of an entry. */
  const focusIn = (/** @type {string} */ id, /** @type {string} */ selector) => /** @type {HTMLElement | null | undefined} */ (entryOf(id)?.querySelector(selector))?.focus();
  const entryOf = (/** @type {string} */ id) => document.querySelector(`#order-list > [data-order="${CSS.escape(id)}"]`);

  async function refundOrder(/** @type {any} */ order) {
    try {
      const after = await api('POST', `/api/v1/orders/${encodeURIComponent(order.id)}/cancel`);
      c.changed(after);
      say(`Order cancelled: ${seatsText(order.lines.map((l) => l.seat), { inSentence: true })} went back on sale and ${money(order.total, order.currency)} is on its way back to your card.`, true);
    } catch (/** @type {any} */ e) {
      // Too late: said inside the order itself (and its button goes), not at the top of the page.
      const ui = rows.get(order.id);
      if (e.code === 'CANCEL_TOO_LATE') {
        if (ui) ui.refusedLate = true;
      } else say(e.message);
      if (ui) ui.confirming = false;
      render();
    }
    focusIn(order.id, '.order-title');
  }


  return {
    render,
    /** Reloads the free bookings (the orders come through the checkout module). */
    async load() {
      ({ bookings } = await api('GET', '/api/v1/bookings'));
      render();
    },
  };
}
