// What every page shares: element lookup, the message line, JSON requests with the server's errors.
export const $ = (id) => document.getElementById(id);

/** Shows a message in the page's #message line (green when ok); an empty text hides it. */
export function say(text, ok = false) {
  const el = $('message');
  el.textContent = text;
  el.classList.toggle('ok', ok);
  el.hidden = !text;
}

/**
 * A JSON request. An error answer throws an Error with the server's message, `code`, `details`
 * and `status`, so pages show what the server said.
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
