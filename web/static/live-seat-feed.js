// The live seat map every page follows: one WebSocket to /ws, a snapshot of a showtime's seats, then
// versioned deltas applied in order (a gap asks for a new snapshot). The socket comes back by itself
// after a drop, with a growing, jittered delay, so the clients of an instance that died do not all
// return in the same second.

/** @typedef {'available' | 'held' | 'booked' | 'blocked'} SeatStatus */
/** @typedef {'hold' | 'extend' | 'release' | 'revoke' | 'confirm' | 'expire' | 'restore' | 'transfer' | 'cancel'} SeatChangeCause */
/** @typedef {{ status: SeatStatus, mine: boolean, expiresAt?: number }} LiveSeat */
/** @typedef {{ seat: string, status: SeatStatus, mine?: boolean, expiresAt?: number }} SeatChangeMessage */
/** @typedef {'connecting' | 'live' | 'reconnecting'} FeedStatus */

/**
 * A WebSocket that reconnects after every close: the first retry after about `minDelayMs`, each next
 * one after twice as long up to `maxDelayMs`, each a random time between half and all of that (the
 * jitter); a connection that stays up for `stableMs` resets the delay.
 *
 * @param {string} path e.g. '/ws'
 * @param {{
 *   onOpen?: (send: (message: object) => void) => void,
 *   onMessage?: (message: any) => void,
 *   onStatus?: (status: FeedStatus) => void,
 *   minDelayMs?: number,
 *   maxDelayMs?: number,
 *   stableMs?: number,
 * }} hooks
 */
export function reconnectingSocket(path, { onOpen, onMessage, onStatus, minDelayMs = 500, maxDelayMs = 15_000, stableMs = 5_000 }) {
  /** @type {WebSocket | null} */
  let ws = null;
  let failures = 0;
  let closed = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let retry;
  let openedAt = 0;

  const send = (/** @type {object} */ message) => {
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  };

  function connect() {
    if (closed) return;
    onStatus?.(failures === 0 ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`);
    ws = socket;
    socket.onopen = () => {
      openedAt = Date.now();
      onStatus?.('live');
      onOpen?.(send);
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      onMessage?.(message);
    };
    socket.onclose = () => {
      if (ws !== socket || closed) return;
      ws = null;
      if (openedAt && Date.now() - openedAt >= stableMs) failures = 0;
      openedAt = 0;
      const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** failures);
      failures++;
      onStatus?.('reconnecting');
      retry = setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
    };
  }
  connect();

  return {
    send,
    get open() {
      return ws?.readyState === WebSocket.OPEN;
    },
    close() {
      closed = true;
      clearTimeout(retry);
      ws?.close();
    },
  };
}

// The server closes a socket that subscribes more than 10 times at once or 2 a second after that
// (1008). A page that changes showtime on every key press would hit it, so subscribes are coalesced:
// at most one every 600 ms, for the showtime shown when it is sent.
const SUBSCRIBE_GAP_MS = 600;

/**
 * Follows one showtime at a time (`show(id)`), keeping its seats in `seats`: the snapshot, then every
 * delta in version order. `token` (the caller's bearer token, when there is one) makes the server mark
 * the caller's own seats `mine`. `followOrders()` also asks for the caller's order changes ('order'
 * messages reach `onMessage`), again after every reconnect; call it again after the token changed.
 *
 * @param {{
 *   token?: () => string | null,
 *   onSnapshot?: (showtime: string) => void,
 *   onDelta?: (showtime: string, changes: SeatChangeMessage[], cause: SeatChangeCause | undefined) => void,
 *   onMessage?: (message: any) => void,
 *   onStatus?: (status: FeedStatus) => void,
 * }} hooks
 */
export function liveSeatFeed({ token = () => null, onSnapshot, onDelta, onMessage, onStatus }) {
  /** @type {string | null} */
  let showtime = null;
  let version = -1;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let subscribeTimer = null;
  let lastSubscribe = -Infinity;
  let followingOrders = false;
  /** @type {Map<string, LiveSeat>} */
  const seats = new Map();

  const socket = reconnectingSocket('/ws', {
    onStatus,
    onOpen(send) {
      version = -1;
      lastSubscribe = -Infinity;
      subscribe();
      const t = token();
      if (followingOrders && t) send({ type: 'follow-orders', token: t });
    },
    onMessage(m) {
      if (m.type === 'snapshot') {
        if (m.showtime !== showtime) return;
        version = m.version;
        seats.clear();
        for (const s of m.seats) seats.set(s.id, { status: s.status, mine: !!s.mine, ...(s.expiresAt !== undefined && { expiresAt: s.expiresAt }) });
        onSnapshot?.(m.showtime);
      } else if (m.type === 'delta') {
        if (m.showtime !== showtime || version < 0) return; // another showtime's, or the snapshot is on its way
        if (m.version !== version + 1) return subscribe(); // a gap: one new snapshot, not one per delta in flight
        version = m.version;
        for (const c of m.changes) seats.set(c.seat, { status: c.status, mine: !!c.mine, ...(c.expiresAt !== undefined && { expiresAt: c.expiresAt }) });
        onDelta?.(m.showtime, m.changes, m.cause);
      } else {
        onMessage?.(m);
      }
    },
  });

  function subscribe() {
    version = -1; // deltas wait for the snapshot of the subscribe below
    if (subscribeTimer !== null) return;
    subscribeTimer = setTimeout(() => {
      subscribeTimer = null;
      if (!socket.open || !showtime) return;
      lastSubscribe = Date.now();
      version = -1;
      const t = token();
      socket.send({ type: 'subscribe', showtime, ...(t && { token: t }) });
    }, Math.max(0, lastSubscribe + SUBSCRIBE_GAP_MS - Date.now()));
  }

  return {
    /** The followed showtime's seats (cleared when another showtime is shown, filled by its snapshot). */
    seats,
    /** Whether `seats` holds a snapshot of the shown showtime (false until it arrives). */
    get ready() {
      return version >= 0;
    },
    get showtime() {
      return showtime;
    },
    /** Follows this showtime instead (null: none). */
    show(/** @type {string | null} */ id) {
      if (id === showtime) return;
      showtime = id;
      seats.clear();
      if (id) subscribe();
      else {
        version = -1;
        socket.send({ type: 'unsubscribe' });
      }
    },
    /** Asks for a fresh snapshot (after the token changed, say). */
    resubscribe: subscribe,
    /** Follows the token's order changes, now and after every reconnect. */
    followOrders() {
      followingOrders = true;
      const t = token();
      if (t) socket.send({ type: 'follow-orders', token: t });
    },
    send: socket.send,
    close: socket.close,
  };
}
