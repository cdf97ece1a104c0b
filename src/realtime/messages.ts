import type { SeatChangeEvent } from '../domain/booking.ts';

/** What clients send on /ws. */
export type ClientMessage =
  | { type: 'subscribe'; showtime: string; token?: string }
  | { type: 'unsubscribe' }
  | { type: 'ping' }
  | { type: 'follow-orders'; token: string };

/** A delta as one connection sees it: `mine` instead of anyone's identity, and why it happened. */
export function deltaMessage(event: SeatChangeEvent, viewer: string | null): string {
  return JSON.stringify({
    type: 'delta',
    showtime: event.showtimeId,
    version: event.version,
    cause: event.cause,
    changes: event.changes.map((c) => ({
      seat: c.seat,
      status: c.status,
      ...(c.expiresAt !== undefined && { expiresAt: c.expiresAt }),
      ...(c.owner !== undefined && { mine: viewer !== null && c.owner === viewer }),
    })),
  });
}

/** A socket message as a JSON object, or null when it is not one. */
export function parseJsonObject(raw: string): Record<string, unknown> | null {
  try {
    const message: unknown = JSON.parse(raw);
    return typeof message === 'object' && message !== null && !Array.isArray(message) ? (message as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function parseClientMessage(raw: string): ClientMessage | null {
  const m = parseJsonObject(raw);
  if (!m) return null;
  if (m.type === 'subscribe' && typeof m.showtime === 'string' && (m.token === undefined || typeof m.token === 'string')) {
    return { type: 'subscribe', showtime: m.showtime, ...(typeof m.token === 'string' && { token: m.token }) };
  }
  if (m.type === 'unsubscribe' || m.type === 'ping') return { type: m.type };
  if (m.type === 'follow-orders' && typeof m.token === 'string') return { type: 'follow-orders', token: m.token };
  return null;
}
