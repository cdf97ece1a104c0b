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

/** Users, their password hashes, refresh sessions and login failures. Always PostgreSQL. */
export interface AccountRepository {
  /** Fails with EMAIL_TAKEN when the email is registered already. */
  createUser(user: { id: string; email: string; passwordHash: string; role: Role }): Promise<User>;
  findByEmail(email: string): Promise<(User & { passwordHash: string; lockedUntil: number | null }) | null>;
  getUser(id: string): Promise<User | null>;
  setRole(id: string, role: Role): Promise<void>;
  setPasswordHash(id: string, passwordHash: string): Promise<void>;
  /** One statement: counts a failure and, at `maxFailures`, locks the account until now + lockMs. */
  recordLoginFailure(id: string, maxFailures: number, lockMs: number): Promise<void>;
  recordLoginSuccess(id: string): Promise<void>;
  createSession(tokenHash: string, userId: string, expiresAt: number): Promise<void>;
  /** Deletes the session and returns its user when it was alive (a refresh token is used once). */
  takeSession(tokenHash: string): Promise<string | null>;
  deleteSession(tokenHash: string): Promise<void>;
}
