/** Registered people. Their owner id in the hold store is `user:<id>`, a namespace guests and FirstClick cannot reach. */
export type Role = 'user' | 'admin';
export const ROLES: readonly Role[] = ['user', 'admin'];

export interface User {
  id: string;
  email: string;
  role: Role;
  createdAt: number;
}

export const ownerOfUser = (userId: string) => `user:${userId}`;

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{1,63}$/;
/** An email as accounts store it (trimmed, lower case), or null when it is not an email address. */
export function normalEmail(value: unknown): string | null {
  const email = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return EMAIL.test(email) ? email : null;
}
/** A password has 8 to 200 characters. */
export const isPassword = (value: unknown): value is string => typeof value === 'string' && value.length >= 8 && value.length <= 200;

/** How one throttle key lets attempts through: `free` at once, then a delay from baseMs doubling to maxMs. */
export interface ThrottleRule {
  free: number;
  baseMs: number;
  maxMs: number;
}

/** Users, their password hashes, login throttles and sessions. Always PostgreSQL. */
export interface AccountRepository {
  /** Fails with EMAIL_TAKEN when the email is registered already. */
  createUser(user: { id: string; email: string; passwordHash: string; role: Role }): Promise<User>;
  findByEmail(email: string): Promise<(User & { passwordHash: string }) | null>;
  getUser(id: string): Promise<User | null>;
  setRole(id: string, role: Role): Promise<void>;
  setPasswordHash(id: string, passwordHash: string): Promise<void>;
  /**
   * One statement: counts an attempt on `key` before the password is checked and says whether it
   * may be checked now; parallel attempts are each counted (takeLoginAttempt.sql).
   */
  takeLoginAttempt(key: string, rule: ThrottleRule): Promise<{ taken: true; trusted: boolean } | { taken: false; retryMs: number }>;
  /** Both keys start over; the pair key becomes trusted. */
  loginSucceeded(pairKey: string, emailKey: string): Promise<void>;
  /** A new session (one login) with its first refresh token. */
  createSession(sessionId: string, userId: string, tokenHash: string, expiresAt: number): Promise<void>;
  /** Spends a refresh token of a live session for its successor: the session and user, or null. */
  rotateRefreshToken(tokenHash: string, nextHash: string, expiresAt: number): Promise<{ sessionId: string; userId: string } | null>;
  /** Revokes the session of a refresh token that was spent already (reuse): its id, or null. */
  revokeReusedRefreshToken(tokenHash: string): Promise<string | null>;
  /** Revokes the session a refresh token belongs to (logout): its id, or null. */
  revokeSessionOf(tokenHash: string): Promise<string | null>;
  /** True when the session exists, is the user's and is not revoked. */
  sessionAlive(sessionId: string, userId: string): Promise<boolean>;
  /** Deletes throttle rows and refresh tokens nobody needs any more. */
  prune(): Promise<void>;
}
