// Checkout on the booking page (the list of orders is site/my-bookings.js's): a priced hold becomes an
// order, paid by card through the payment queue; the outcome arrives on /ws (follow-orders) or, as a fallback, by polling the order.
// What the page shows is derived from the order's state and its last payment, so a reload, a second
// tab or a lost message all end up showing the same thing.
import { $, el, imageDataUrl, say } from './common.js';
import { cardText, clock, money, ORDER_STATE_WORDS, reference, seatsText, when } from './format.js';

const EMAIL_KEY = 'boxoffice.email';

/** Focuses the first element under `root` that matches (nothing when there is none). */
const focusIn = (/** @type {ParentNode | null | undefined} */ root, /** @type {string} */ selector) => /** @type {HTMLElement | null | undefined} */ (root?.querySelector(selector))?.focus();

/** Polling while a payment or refund is on its way: often without the socket, now and then with it. */
const POLL_MS = { alone: 1_000, withSocket: 4_000 };

const TEST_CARDS = [
  ['4242 4242 4242 4242', 'pays'],
  ['4000 0000 0000 0002', 'is declined'],
  ['4000 0000 0000 9995', 'has insufficient funds'],
];

/**
 * hooks: api(method, path, body), token(), movieTitle(movieId), holdExtended(holdId, expiresAt),
 * ordersChanged() (My bookings redraws its list: site/my-bookings.js).
 */
export function createCheckout(hooks) {
  const orders = new Map(); // id -> order view
  const lastPoll = new Map(); // id -> epoch ms
  const qrCache = new Map(); // qr path -> Promise<data: URL>
  /** Orders whose payment this page started, and where its outcome is shown: 'panel' | 'orders'. */
  const awaiting = new Map();
  let following = false;
  /** The checkout panel: { hold, showtime, orderId, key } or null. */
  let active = null;

  const lastPayment = (order) => order?.payments.at(-1) ?? null;
  const paying = (order) => order?.state === 'pending_payment' && lastPayment(order)?.state === 'pending';
  const refunding = (order) => order?.state === 'refunded' && order.refunds.some((r) => r.state === 'pending');
  /** When an order view was taken: a payment's or refund's outcome changes them, not the order's updatedAt. */
  const stamp = (order) => Math.max(order.updatedAt, ...order.payments.map((p) => p.updatedAt), ...order.refunds.map((r) => r.updatedAt));
  const orderOfHold = (holdId) => [...orders.values()].find((o) => o.holdId === holdId) ?? null;

  // ---- orders: load, follow, poll ----

  async function load() {
    const { orders: list } = await hooks.api('GET', '/api/v1/orders');
    orders.clear(); // after a sign in or out, the orders are another person's
    for (const order of list) orders.set(order.id, order);
    hooks.ordersChanged?.();
  }

  /** Every fresher view of an order, from an answer, the socket or a poll, goes through here. */
  function changed(order) {
    const known = orders.get(order.id);
    if (known && stamp(known) > stamp(order)) return; // a late answer to an earlier poll
    orders.set(order.id, order);
    if (order.state === 'pending_payment') hooks.holdExtended(order.holdId, order.expiresAt);
    if (active?.orderId === order.id) renderPanel();
    hooks.ordersChanged?.();
    settle(order);
  }

  /** A payment this page started has its outcome: say so, and move the focus to it. */
  function settle(order) {
    const where = awaiting.get(order.id);
    if (!where || paying(order)) return;
    awaiting.delete(order.id);
    const target = where === 'panel' ? $('checkout') : document.querySelector(`[data-order="${CSS.escape(order.id)}"]`);
    if (!target) return;
    focusIn(target, order.state === 'pending_payment' ? 'input[name="number"]' : '.result-title, .order-title');
  }

  async function poll(id) {
    lastPoll.set(id, Date.now());
    try {
      changed(await hooks.api('GET', `/api/v1/orders/${encodeURIComponent(id)}`));
    } catch {
      // The next tick tries again; the socket may bring it first.
    }
  }

  setInterval(() => {
    const now = Date.now();
    for (const order of orders.values()) {
      const live = paying(order) || refunding(order) || (order.state === 'pending_payment' && order.expiresAt <= now);
      if (live && now - (lastPoll.get(order.id) ?? 0) >= (following ? POLL_MS.withSocket : POLL_MS.alone)) void poll(order.id);
    }
    tick(now);
  }, 1_000);

  /** The countdowns of the panel and of My bookings. */
  function tick(now) {
    // My bookings' countdowns (the hold panel and the hold bar tick their own).
    for (const node of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('#order-list .countdown[data-ends]'))) node.textContent = clock(Number(node.dataset.ends) - now);
    const left = $('checkout').querySelector('.window .countdown');
    if (active && left) left.textContent = clock((orders.get(active.orderId)?.expiresAt ?? active.hold.expiresAt) - now);
    if (active && !active.orderId && active.hold.expiresAt <= now && active.key?.startsWith('form')) renderPanel();
  }

  // ---- the card form, in the panel and in My bookings ----

  function field(name, label, attrs) {
    const id = `${attrs.idPrefix}-${name}`;
    delete attrs.idPrefix;
    return el('div', { class: `field field-${name}` },
      el('label', { for: id, text: label }),
      el('input', { id, name, 'aria-describedby': `${id}-error`, ...attrs }),
      el('span', { class: 'field-error', id: `${id}-error` }));
  }

  /**
   * The form that pays `order` (or, without one, checks `hold` out first). Declined shows why.
   * onSubmit(form, values) does the requests.
   */
  function cardForm({ idPrefix, order, askEmail, total, currency, onSubmit }) {
    const last = lastPayment(order);
    const declined = last && (last.state === 'declined' || last.state === 'failed') ? last : null;
    const form = el('form', { class: 'card-form', novalidate: true },
      el('fieldset', {},
        el('legend', { class: 'visually-hidden', text: 'Payment' }),
        el('p', { class: 'form-error', role: 'alert', tabindex: '-1', text: declined ? `${cardText(declined.card)} did not go through: ${declined.reason ?? 'the payment failed'}. Try another card.` : '' }),
        askEmail && field('email', 'Email for the tickets', { idPrefix, type: 'email', autocomplete: 'email', inputmode: 'email', required: true, value: localStorage.getItem(EMAIL_KEY) ?? '' }),
        field('number', 'Card number', { idPrefix, autocomplete: 'cc-number', inputmode: 'numeric', required: true, maxlength: '23' }),
        el('div', { class: 'field-row' },
          field('expiry', 'Expiry (MM/YY)', { idPrefix, autocomplete: 'cc-exp', inputmode: 'numeric', required: true, placeholder: 'MM/YY', maxlength: '7' }),
          field('cvc', 'CVC', { idPrefix, autocomplete: 'cc-csc', inputmode: 'numeric', required: true, placeholder: '123', maxlength: '4' })),
        field('name', 'Name on the card (optional)', { idPrefix, autocomplete: 'cc-name' }),
        el('button', { type: 'submit', class: 'pay', text: `Pay ${money(total, currency)}` })),
      el('p', { class: 'hint' }, 'A demo: no money moves. Test cards (any future expiry, any CVC): ',
        TEST_CARDS.map(([number, what], i) => [el('span', { class: 'nowrap', text: `${number} ${what}` }), i < TEST_CARDS.length - 1 ? '; ' : '.'])));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const values = readCard(form, askEmail);
      if (values) void onSubmit(form, values);
    });
    return form;
  }

  function fieldError(form, name, text) {
    const input = form.elements.namedItem(name);
    if (!input) return false;
    input.setAttribute('aria-invalid', text ? 'true' : 'false');
    input.closest('.field').querySelector('.field-error').textContent = text;
    return true;
  }

  /** The form's values, or null after saying what is wrong next to each field (focus on the first). */
  function readCard(form, askEmail) {
    const value = (name) => form.elements.namedItem(name)?.value.trim() ?? '';
    const errors = {};
    const email = value('email');
    if (askEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors.email = email ? 'This does not look like an email address.' : 'Enter the email the tickets go to.';
    const number = value('number').replace(/[\s-]/g, '');
    if (!/^\d{12,19}$/.test(number)) errors.number = number ? 'A card number has 12 to 19 digits.' : 'Enter the card number.';
    const expiry = /^(\d{1,2})\s*\/\s*(\d{2}|\d{4})$/.exec(value('expiry'));
    const expMonth = Number(expiry?.[1]);
    const expYear = expiry ? Number(expiry[2].length === 2 ? `20${expiry[2]}` : expiry[2]) : 0;
    const now = new Date();
    if (!expiry || expMonth < 1 || expMonth > 12) errors.expiry = 'Enter the expiry as MM/YY, e.g. 12/29.';
    else if (expYear < now.getFullYear() || (expYear === now.getFullYear() && expMonth < now.getMonth() + 1)) errors.expiry = 'This card has expired.';
    const cvc = value('cvc');
    if (!/^\d{3,4}$/.test(cvc)) errors.cvc = 'The CVC is the 3 or 4 digits on the back of the card.';
    for (const name of ['email', 'number', 'expiry', 'cvc']) fieldError(form, name, errors[name] ?? '');
    const first = Object.keys(errors)[0];
    if (first) {
      formError(form, 'Please correct the marked fields.');
      form.elements.namedItem(first).focus();
      return null;
    }
    const name = value('name');
    return { email, card: { number, expMonth, expYear, cvc, ...(name && { name }) } };
  }

  function formError(form, text) {
    form.querySelector('.form-error').textContent = text;
  }

  /** What the server refused, said next to the field it names, or above the button. */
  function refused(form, e) {
    form.querySelector('fieldset').disabled = false;
    const field = e.details?.field;
    const name = typeof field === 'string' ? { 'card.number': 'number', 'card.expMonth': 'expiry', 'card.expYear': 'expiry', 'card.cvc': 'cvc', 'card.name': 'name', email: 'email' }[field] : undefined;
    if (name && fieldError(form, name, e.message.replace(/^[\w.]+ /, 'This '))) {
      formError(form, 'Please correct the marked field.');
      form.elements.namedItem(name).focus();
      return;
    }
    formError(form, e.message);
    form.querySelector('.form-error').focus();
  }

  /** Pays an order with the card; the outcome comes back through changed(). */
  async function pay(order, card, where) {
    const { order: after } = await hooks.api('POST', `/api/v1/orders/${encodeURIComponent(order.id)}/payments`, { card });
    awaiting.set(order.id, where);
    changed(after);
  }

  // ---- the checkout panel, under the seat map ----

  /** Opens the panel for a hold of a priced showtime (its order, when it has one already). */
  function open(hold, showtime, { takeFocus = true } = {}) {
    if (active?.hold.id === hold.id && active.key?.startsWith('form')) return void firstToFill($('checkout'))?.focus();
    active = { hold, showtime, orderId: orderOfHold(hold.id)?.id ?? null, key: null };
    renderPanel(takeFocus);
  }

  function close() {
    const holdId = active?.hold.id;
    active = null;
    hooks.panelClosed(holdId);
    $('checkout').hidden = true;
    $('checkout').replaceChildren();
  }

  function phaseOf(order, now) {
    if (!order) return active.hold.expiresAt <= now ? 'timeout' : 'form';
    if (order.state === 'pending_payment') {
      if (paying(order)) return 'processing';
      return order.expiresAt <= now ? 'timeout' : 'form';
    }
    return order.state === 'paid' ? 'tickets' : 'ended';
  }

  /** Draws the panel's step when it changed; the focus follows when asked or when it was in the panel. */
  function renderPanel(takeFocus = false) {
    const panel = $('checkout');
    const focusHere = takeFocus || panel.contains(document.activeElement) || document.activeElement === document.body;
    const order = active.orderId ? orders.get(active.orderId) : null;
    const phase = phaseOf(order, Date.now());
    const last = lastPayment(order);
    const key = `${phase}:${last?.id ?? ''}:${last?.state ?? ''}:${phase === 'form' ? '' : order?.state ?? ''}`;
    if (key === active.key) return; // the same step: keep what the person typed, and the focus
    active.key = key;
    const { hold, showtime } = active;
    const seats = order ? order.lines.map((l) => l.seat) : hold.seats;
    const total = order?.total ?? hold.total;
    const currency = order?.currency ?? hold.currency;
    const lines = order?.lines ?? hold.lines;
    const head = [
      el('h2', { id: 'checkout-title', class: 'result-title', tabindex: '-1', text: titleOf(phase, order) }),
      el('p', { class: 'what' }, el('strong', { text: hooks.movieTitle(showtime.movieId) }), ` · ${when(showtime.startsAt)}`),
      el('table', { class: 'lines' },
        el('caption', { class: 'visually-hidden', text: 'Your seats and their prices' }),
        el('tbody', {}, lines.map((l) => el('tr', {}, el('th', { scope: 'row', text: l.seat }), el('td', { text: l.kind }), el('td', { class: 'amount', text: money(l.price, currency) })))),
        el('tfoot', {}, el('tr', {}, el('th', { scope: 'row', colspan: '2', text: 'Total' }), el('td', { class: 'amount total', text: money(total, currency) })))),
    ];
    let body;
    if (phase === 'form') {
      const ends = order?.expiresAt ?? hold.expiresAt;
      body = [
        el('p', { class: 'window' }, `${seatsText(seats)} ${seats.length > 1 ? 'are' : 'is'} held for you for `, el('span', { class: 'countdown', role: 'timer', text: clock(ends - Date.now()) }), ' more.'),
        cardForm({ idPrefix: 'checkout', order, askEmail: !order, total, currency, onSubmit: (form, values) => checkoutAndPay(form, values) }),
        el('button', { type: 'button', class: 'link-button', text: order ? 'Cancel this order' : 'Release the seats', onclick: () => (order ? cancelPending(order) : hooks.release(hold)) }),
      ];
    } else if (phase === 'processing') {
      body = [el('p', { class: 'processing', role: 'status' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), `Paying ${money(total, currency)} with ${cardText(last.card)}… This takes a moment; you can stay on this page.`)];
    } else if (phase === 'tickets') {
      body = [
        el('p', { role: 'status', class: 'paid' }, `Paid ${money(order.total, order.currency)} with ${cardText(last.card)}. Show these at the door; they are also under My bookings.`),
        el('p', { class: 'reference' }, 'Booking reference ', el('strong', { class: 'ref', text: reference(order.id) }), ` · ${seatsText(order.lines.map((l) => l.seat))}`),
        ticketsList(order),
        el('p', { class: 'panel-actions' }, el('button', { type: 'button', text: 'Book more seats', onclick: () => { close(); focusIn($('grid'), '.seat.available'); } }), ' ', el('a', { href: '#orders', text: 'My bookings' })),
      ];
    } else {
      body = [
        el('p', { role: 'alert', class: 'ended' }, endedText(phase, order)),
        el('p', { class: 'panel-actions' }, el('button', { type: 'button', text: 'Pick seats again', onclick: () => { close(); focusIn($('grid'), '.seat.available'); } })),
      ];
    }
    panel.hidden = false;
    panel.replaceChildren(...head, ...body);
    if (!focusHere) return; // the person is elsewhere on the page: the panel's alerts speak for it
    const focus = phase === 'form' ? firstToFill(panel) : panel.querySelector('.result-title');
    focus?.focus();
  }

  const firstToFill = (root) => [...root.querySelectorAll('input')].find((i) => i.name !== 'name' && !i.value) ?? root.querySelector('input[name="number"]');

  function titleOf(phase, order) {
    if (phase === 'form') return order?.payments.length ? 'Try another card' : 'Check out';
    if (phase === 'processing') return 'Processing your payment';
    if (phase === 'tickets') return 'Your tickets';
    if (phase === 'timeout') return 'Time ran out';
    return ORDER_STATE_WORDS[order.state];
  }

  function endedText(phase, order) {
    if (phase === 'timeout' || order.state === 'expired') return 'The time to pay ran out and the seats went back on sale. Nothing was charged.';
    if (order.state === 'failed') return `The payment could not book the seats${order.reason ? `: ${order.reason}` : ''}. Any charge is refunded to your card.`;
    if (order.state === 'cancelled') return 'You cancelled this order; the seats went back on sale. Nothing was charged.';
    return `This order was refunded${order.reason ? ` (${order.reason})` : ''}.`;
  }

  async function checkoutAndPay(form, { email, card }) {
    const fieldset = form.querySelector('fieldset');
    fieldset.disabled = true;
    formError(form, '');
    try {
      let order = active.orderId ? orders.get(active.orderId) : null;
      if (!order) {
        order = await hooks.api('POST', `/api/v1/holds/${encodeURIComponent(active.hold.id)}/checkout`, { email });
        localStorage.setItem(EMAIL_KEY, email);
        active.orderId = order.id;
        orders.set(order.id, order);
        hooks.holdExtended(order.holdId, order.expiresAt);
        hooks.ordersChanged?.();
      }
      await pay(order, card, 'panel');
    } catch (/** @type {any} */ e) {
      if (e.code === 'CHECKOUT_HOLD_EXPIRED' || e.code === 'HOLD_NOT_FOUND') {
        active.hold.expiresAt = 0;
        return renderPanel();
      }
      if (e.code === 'ORDER_NOT_PAYABLE' || e.code === 'PAYMENT_IN_PROGRESS') return void poll(active.orderId);
      refused(form, e);
    }
  }

  // ---- tickets ----

  function ticketsList(order) {
    return el('ul', { class: 'tickets' },
      order.tickets.map((t) => {
        const img = el('img', { class: 'qr', alt: `QR code of the ticket for seat ${t.seat}`, width: '150', height: '150', 'data-ticket': t.id });
        qr(t.qr).then((url) => { img.src = url; }, () => { img.alt = `The QR code of seat ${t.seat} could not be loaded; its code is below.`; });
        return el('li', { class: 'ticket' },
          img,
          el('div', {},
            el('p', { class: 'ticket-seat' }, el('strong', { text: `Seat ${t.seat}` }), ` · ${t.kind}`),
            t.checkedInAt ? el('p', { class: 'checked-in', text: `Used at the door at ${when(t.checkedInAt)}` }) : null,
            el('p', { class: 'ticket-code' }, 'Code ', el('code', { text: t.code }))));
      }));
  }

  function qr(path) {
    let url = qrCache.get(path);
    if (!url) {
      url = imageDataUrl(path, hooks.token());
      url.catch(() => qrCache.delete(path));
      qrCache.set(path, url);
    }
    return url;
  }

  // ---- what My bookings (site/my-bookings.js) uses ----

  async function cancelPending(order) {
    try {
      changed(await hooks.api('POST', `/api/v1/orders/${encodeURIComponent(order.id)}/cancel`));
    } catch (/** @type {any} */ e) {
      say(e.message);
    }
  }

  return {
    load,
    /** Whether the panel shows this hold's checkout. */
    isOpen: (holdId) => active?.hold.id === holdId,
    changed,
    open,
    /** Closes the panel when it shows this hold, not yet checked out; says whether it did. */
    closeFor(holdId) {
      if (active?.hold.id !== holdId || active.orderId) return false;
      close();
      return true;
    },
    orderOfHold,
    /** The newest order still waiting for (or processing) its payment, to take up again after a reload. */
    resumable: () => [...orders.values()].filter((o) => o.state === 'pending_payment' && o.expiresAt > Date.now()).sort((a, b) => b.createdAt - a.createdAt)[0] ?? null,
    /** Whether the socket follows this page's orders (polling slows down while it does). */
    set following(on) {
      following = on;
    },
    // My bookings (site/my-bookings.js) draws the list of orders from these.
    /** The person's orders, by id. */
    orders,
    cardForm,
    ticketsList,
    pay,
    refused,
    poll,
    cancelPending,
    paying,
    lastPayment,
    stamp,
    endedText,
  };
}
