import { parseJsonObject } from '../realtime/messages.ts';

/**
 * The lab's socket protocol on /lab/ws (lab-feed.ts), apart from the seat map's /ws:
 *
 *   client -> {"type":"lab-subscribe","showtime":"lab-1"}   watch a lab showtime's panels
 *   client -> {"type":"lab-unsubscribe"} | {"type":"ping"}
 *   server -> {"type":"lab-state", ...LabState}             at once, then after changes (throttled)
 *   server -> {"type":"pong"} | {"type":"error","code","error"}
 */
export type LabClientMessage = { type: 'lab-subscribe'; showtime: string } | { type: 'lab-unsubscribe' } | { type: 'ping' };

export const LAB_USAGE = 'messages are {"type":"lab-subscribe","showtime":"lab-1"}, {"type":"lab-unsubscribe"} or {"type":"ping"}';

export function parseLabMessage(raw: string): LabClientMessage | null {
  const m = parseJsonObject(raw);
  if (!m) return null;
  if (m.type === 'lab-subscribe' && typeof m.showtime === 'string') return { type: 'lab-subscribe', showtime: m.showtime };
  if (m.type === 'lab-unsubscribe' || m.type === 'ping') return { type: m.type };
  return null;
}
