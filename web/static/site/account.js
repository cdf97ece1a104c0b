// Who the person is on the site: a guest (a server-issued guest token, kept in localStorage so a
// reload keeps the holds) or a signed-in user (a short-lived access token, renewed from the httpOnly
// refresh cookie before it runs out and after a reload). Every request of the site takes its bearer
// token from here; `onChange` tells the page when the identity changed (sign in, register, sign out),
// so it re-subscribes its live feed with the new token and reloads what is the person's.
import { request } from '../common.js';

/** @typedef {{ id: string, email: string, role: 'user' | 'admin', createdAt: number }} User */
/** @typedef {{ user: User, accessToken: string, expiresAt: number, transferredHolds?: string[] }} SessionAnswer */
/** @typedef {'start' | 'signin' | 'register' | 'signout' | 'expired' | 'other-tab'} ChangeReason */

const GUEST_KEY = 'boxoffice.guestToken';
/**
 * The signed-in user's access token and when it runs out, shared by the tabs of this browser: the
 * refresh cookie is rotated on every use and a reused one ends the session, so only one tab renews
 * (under a Web Lock) and the others read the new token from here. It lives 15 minutes, the same
 * exposure as the guest token kept beside it.
 */
const USER_KEY = 'boxoffice.session';
/** Renew this long before the access token runs out. */
const RENEW_EARLY_MS = 60_000;

/** @returns {{ user: User, accessToken: string, expiresAt: number } | null} */
function storedUser() {
  try {
    const value = JSON.parse(localStorage.getItem(USER_KEY) ?? 'null');
    return value && typeof value.accessToken === 'string' && value.user ? value : null;
  } catch {
    return null;
  }
}

/** Runs `fn` as the only tab doing so (Web Locks where the browser has them). */
function exclusive(name, fn) {
  return navigator.locks ? navigator.locks.request(name, fn) : fn();
}

function createSession() {
  /** @type {string | null} */
  let token = null;
  /** @type {User | null} */
  let user = null;
  let expiresAt = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let renewTimer;
  /** @type {Set<(reason: ChangeReason) => void>} */
  const listeners = new Set();
  /** @type {Promise<void> | null} */
  let starting = null;

  function notify(/** @type {ChangeReason} */ reason) {
    for (const fn of listeners) {
      try {
        fn(reason);
      } catch (/** @type {any} */ e) {
        console.error(e);
      }
    }
  }

  function becomeUser(/** @type {{ user: User, accessToken: string, expiresAt: number }} */ answer) {
    user = answer.user;
    token = answer.accessToken;
    expiresAt = answer.expiresAt;
    localStorage.setItem(USER_KEY, JSON.stringify({ user, accessToken: token, expiresAt }));
    scheduleRenew();
  }

  function scheduleRenew() {
    clearTimeout(renewTimer);
    if (!user) return;
    renewTimer = setTimeout(() => void renew().catch(() => {}), Math.max(0, expiresAt - RENEW_EARLY_MS - Date.now()));
  }

  /**
   * A fresh access token from the refresh cookie, unless another tab renewed it meanwhile. A refused
   * cookie (ended elsewhere, expired) makes the person a guest again.
   */
  function renew() {
    return exclusive('boxoffice.refresh', async () => {
      const shared = storedUser();
      if (shared && shared.expiresAt - RENEW_EARLY_MS > Date.now()) {
        const changed = shared.user.id !== user?.id;
        becomeUser(shared);
        if (changed) notify('other-tab');
        return;
      }
      try {
        becomeUser(await request('POST', '/api/v1/auth/refresh'));
      } catch (/** @type {any} */ e) {
        if (e.status !== 401) throw e; // the network: try again at the next request
        await toGuest();
        notify('expired');
      }
    });
  }

  /** A guest again: the kept guest token when it is still good, else a new one. */
  async function toGuest() {
    clearTimeout(renewTimer);
    localStorage.removeItem(USER_KEY);
    user = null;
    expiresAt = 0;
    token = localStorage.getItem(GUEST_KEY);
    if (token) {
      try {
        await request('GET', '/api/v1/bookings', { token });
        return;
      } catch {
        token = null; // signed by another server (or its secret changed): get a new one
      }
    }
    token = (await request('POST', '/api/v1/guests')).token;
    localStorage.setItem(GUEST_KEY, /** @type {string} */ (token));
  }

  async function start() {
    const kept = storedUser();
    if (kept) {
      user = kept.user;
      token = kept.accessToken;
      expiresAt = kept.expiresAt;
      // A token about to run out is renewed now; a refused cookie makes the person a guest in renew().
      if (expiresAt - RENEW_EARLY_MS <= Date.now()) await renew();
      else scheduleRenew();
      return;
    }
    await toGuest();
  }

  /** Signs in or registers, handing the guest's live holds over to the account. */
  async function enter(/** @type {'login' | 'register'} */ how, /** @type {string} */ email, /** @type {string} */ password) {
    const guestToken = user ? undefined : (token ?? undefined);
    /** @type {SessionAnswer} */
    const answer = await request('POST', `/api/v1/auth/${how}`, { body: { email, password, ...(guestToken && { guestToken }) } });
    becomeUser(answer);
    notify(how === 'login' ? 'signin' : 'register');
    return { user: answer.user, transferredHolds: answer.transferredHolds ?? [] };
  }

  // Another tab signed in or out: follow it.
  addEventListener('storage', (e) => {
    if (e.key !== USER_KEY) return;
    const shared = storedUser();
    if (shared && shared.user.id !== user?.id) {
      becomeUser(shared);
      notify('other-tab');
    } else if (shared) {
      token = shared.accessToken;
      expiresAt = shared.expiresAt;
      scheduleRenew();
    } else if (!shared && user) {
      void toGuest().then(() => notify('other-tab'));
    }
  });
  // Timers sleep in a background tab: coming back, renew at once when the token is (nearly) out.
  addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && user && expiresAt - RENEW_EARLY_MS <= Date.now()) void renew().catch(() => {});
  });

  const session = {
    /** Resolves once there is a token (a kept session renewed, or a guest's). Call it once, at start-up. */
    start() {
      starting ??= start().then(() => notify('start'));
      return starting;
    },
    /** The bearer token for the next request (the user's access token, or the guest's token). */
    token: () => token,
    /** The signed-in user, or null for a guest. */
    user: () => user,
    /** Calls `fn(reason)` after the identity changed (not after a silent renewal); returns an unsubscribe. */
    onChange(/** @type {(reason: ChangeReason) => void} */ fn) {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
    /**
     * A JSON request with the session's token. A user's token refused as expired (a laptop that
     * slept past the renewal) is renewed once and the request sent again.
     *
     * @param {string} method
     * @param {string} path
     * @param {unknown} [body]
     */
    async api(method, path, body) {
      try {
        return await request(method, path, { body, token });
      } catch (/** @type {any} */ e) {
        if (e.status !== 401 || !user) throw e;
        await renew();
        return request(method, path, { body, token });
      }
    },
    signIn: (/** @type {string} */ email, /** @type {string} */ password) => enter('login', email, password),
    register: (/** @type {string} */ email, /** @type {string} */ password) => enter('register', email, password),
    /** Ends the session (its refresh cookie too) and goes on as a new guest. */
    async signOut() {
      try {
        await request('POST', '/api/v1/auth/logout');
      } finally {
        // A shared computer keeps nothing of the account, nor of the guest this person was before.
        localStorage.removeItem(GUEST_KEY);
        await toGuest();
        notify('signout');
      }
    },
  };
  return session;
}

/** The one session of the page. */
export const session = createSession();
