/**
 * The one place the lab's Redis key names are built (redis-lab-locks.ts). The lab's client puts
 * `<REDIS_KEY_PREFIX>lab:` in front of every key, so lab keys never meet a real showtime's; the hash
 * tag keeps one lab showtime's locks in one Cluster slot for the multi-seat scripts:
 *
 *   {lab:<showtimeId>}:seat:<seatId>   STRING  the owner; expires by itself (SET NX EX)
 */
export const LAB_KEY_PREFIX = 'lab:';

export function labSeatKey(showtimeId: string, seat: string): string {
  return `{lab:${showtimeId}}:seat:${seat}`;
}
