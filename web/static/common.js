// What every page shares: element lookup, the message line, JSON requests with the server's errors.
/**
 * The page's element with this id; with `type`, checked to be of that class (so `$('movie',
 * HTMLSelectElement).value` is typed). A missing element is a bug in the page: it throws.
 *
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @param {new (...args: any[]) => T} [type]
 * @returns {T}
 */
export function $(id, type) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is not on the page`);
  if (type && !(node instanceof type)) throw new Error(`#${id} is a ${node.tagName}, not a ${type.name}`);
  return /** @type {T} */ (node);
}

/** Shows a message in the page's #message line (green when ok); an empty text hides it. */
export function say(text, ok = false) {
  const el = $('message');
  el.textContent = text;
  el.classList.toggle('ok', ok);
  el.hidden = !text;
}

/** @typedef {Error & { code?: string, details?: Record<string, unknown>, status?: number }} ApiError */

/** What went wrong, for the page: an Error's message (a request's is the server's), anything else as text. */
export const messageOf = (/** @type {unknown} */ e) => (e instanceof Error ? e.message : String(e));

/**
 * A JSON request. An error answer throws an ApiError with the server's message, `code`, `details`
 * and `status`, so pages show what the server said.
 *
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, token?: string | null }} [options]
 * @returns {Promise<any>}
 */
export async function request(method, path, { body, token } = {}) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    throw Object.assign(new Error(data?.error ?? `request failed (${response.status})`), { code: data?.code, details: data?.details, status: response.status });
  }
  return data;
}

/**
 * An image only its owner may see (a ticket's QR code), fetched with the bearer token, as a data:
 * URL: an <img src> cannot send the token, and the pages' CSP allows data: images.
 */
export async function imageDataUrl(path, token) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw Object.assign(new Error(`the image could not be loaded (${response.status})`), { status: response.status });
  const blob = await response.blob();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/** An element with properties (`class`, `text`, `on*` handlers, other attributes) and children. */
/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>} [props]
 * @param {...any} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== 'string') /** @type {any} */ (node)[key] = value;
    else node.setAttribute(key, value === true ? '' : value);
  }
  node.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}
