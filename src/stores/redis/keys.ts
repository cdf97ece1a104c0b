/**
 * The one place Redis key names are built. Every key of a showtime starts with the showtime's base
 * `{st:<showtimeId>}:`, whose hash tag puts them all in one Redis Cluster slot, so each script
 * touches a single slot. Scripts receive the base as KEYS[1] and derive the keys below from it with
 * the suffixes of SHOWTIME_KEY (injected into every script by scripts.ts, so the names live here only):
 *
 *   <base>version        STRING  the showtime's version
 *   <base>seats          HASH    seat -> `<state>|<expiresAt>|<holdId>|<owner>` (state h held, c confirming, b booked),
 *                                and the field SEATS_LOADED_FIELD, set by restore
 *   <base>hold:<holdId>  HASH    owner, seats (comma-separated), createdAt, expiresAt, state; a held hold
 *                                outlives its expiry by the tombstone time, so a late confirm hears HOLD_EXPIRED
 *   <base>owner:<owner>  SET     ids of the owner's live holds, for the per-owner seat limit and holdsOf
 *
 * One key is global, outside every showtime slot, so expiries of all showtimes are found without SCAN:
 *
 *   expiring             ZSET    `<showtimeId>\n<holdId>` -> when that hold next needs the sweeper (epoch ms)
 *
 * The ioredis keyPrefix is put in front of every key by the client; it must not contain `{`, or the
 * hash tag would no longer be the first one in the key.
 */
export const SHOWTIME_KEY = {
  version: 'version',
  seats: 'seats',
  hold: 'hold:',
  owner: 'owner:',
} as const;

/**
 * The "loaded" marker is a field inside the seats hash, not a key of its own: Redis can lose one key
 * and keep the others (eviction, a DEL by hand, a partial restore), and a seats hash lost on its own
 * must read as "not loaded", so the service restores the booked seats from PostgreSQL rather than
 * showing them available. The showtime is loaded only while both the marker and the version exist.
 * Never a seat id (those start with a capital letter).
 */
export const SEATS_LOADED_FIELD = '~loaded';

export const EXPIRING_KEY = 'expiring';

/** KEYS[1] of every per-showtime script. Showtime ids never contain `}` (the service validates them). */
export function showtimeBase(showtimeId: string): string {
  return `{st:${showtimeId}}:`;
}

export function holdKey(showtimeId: string, holdId: string): string {
  return `${showtimeBase(showtimeId)}${SHOWTIME_KEY.hold}${holdId}`;
}

/** Every key a showtime can have, for tests that check they share one slot. */
export function showtimeKeys(showtimeId: string, holdId: string, owner: string): string[] {
  const base = showtimeBase(showtimeId);
  return [
    `${base}${SHOWTIME_KEY.version}`,
    `${base}${SHOWTIME_KEY.seats}`,
    holdKey(showtimeId, holdId),
    `${base}${SHOWTIME_KEY.owner}${owner}`,
  ];
}

/** Member of the global `expiring` ZSET. Showtime ids never contain a newline. */
export function expiringMember(showtimeId: string, holdId: string): string {
  return `${showtimeId}\n${holdId}`;
}

export function parseExpiringMember(member: string): { showtimeId: string; holdId: string } | null {
  const cut = member.indexOf('\n');
  return cut < 0 ? null : { showtimeId: member.slice(0, cut), holdId: member.slice(cut + 1) };
}
