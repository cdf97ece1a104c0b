import type { SeatChangeEvent } from '../domain/booking.ts';

/** What clients send on /ws. */
export type ClientMessage =
  | { type: 'subscribe'; showtime: string; token?: string }
  | { type: 'unsubscribe' }
  | { type: 'ping' };

/** A delta as one connection sees it: `mine` instead of anyone's identity. */
export function deltaMessage(event: SeatChangeEvent, viewer: string | null): string {
  return JSON.stringify({
    type: 'delta',
    showtime: event.showtimeId,
    version: event.version,
    changes: event.changes.map((c) => ({
      seat: c.seat,
      status: c.status,
      ...(c.expiresAt !== undefined && { expiresAt: c.expiresAt }),
      ...(c.owner !== undefined && { mine: viewer !== null && c.owner === viewer }),
    })),
  });
}

export function parseClientMessage(raw: string): ClientMessage | null {
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof message !== 'object' || message === null) return null;
  const m = message as Record<string, unknown>;
  if (m.type === 'subscribe' && typeof m.showtime === 'string' && (m.token === undefined || typeof m.token === 'string')) {
    return { type: 'subscribe', showtime: m.showtime, ...(typeof m.token === 'string' && { token: m.token }) };
  }
  if (m.type === 'unsubscribe' || m.type === 'ping') return { type: m.type };
  return null;
}
