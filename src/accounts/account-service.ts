import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import { isPassword, normalEmail, ownerOfUser, type AccountRepository, type Role, type ThrottleRule, type User } from '../domain/accounts.ts';
import { BoxofficeError, invalidInput } from '../domain/errors.ts';
import { dummyHash, hashPassword, verifyPassword } from './passwords.ts';

export interface AccountSettings {
  /** Life of an access JWT. */
  accessTtlMs: number;
  /** Life of a refresh token (the httpOnly cookie). */
  refreshTtlMs: number;
  /** Login attempts per (email, address): a few at once, then a delay that doubles. */
  pairThrottle: ThrottleRule;
  /**
   * Login attempts per email from addresses that never logged into it: looser, and a steady rate
   * rather than a lock, so guesses spread over many addresses are slowed without locking anyone
   * out of an address they used before.
   */
  emailThrottle: ThrottleRule;
  /** How long an instance trusts that a session it checked is not revoked. */
  sessionCheckTtlMs: number;
}

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = {
  accessTtlMs: 15 * 60_000,
  refreshTtlMs: 14 * 24 * 3600_000,
  pairThrottle: { free: 5, baseMs: 1_000, maxMs: 15 * 60_000 },
  emailThrottle: { free: 50, baseMs: 1_000, maxMs: 30_000 },
  sessionCheckTtlMs: 5_000,
};

/** What an access token says about its bearer. */
export interface Principal {
  userId: string;
  owner: string;
  role: Role;
}

export interface Session {
  user: User;
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
}

const ISSUER = 'boxoffice';
const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
/** Login attempts between two prunes of the throttle and token tables (per instance). */
const PRUNE_EVERY = 1_000;

/**
 * Register, log in, refresh, log out. Access tokens are short-lived HS256 JWTs (jose) carrying the
 * role and their session's id; refresh tokens are random, stored hashed, and used once (each
 * refresh rotates them within the session). Logging out, or reusing a spent refresh token,
 * revokes the session: its refresh tokens and its access tokens stop working.
 */
export class AccountService {
  private readonly key: Uint8Array;
  readonly settings: AccountSettings;
  /** Session id -> user id of sessions read as not revoked, each for sessionCheckTtlMs. */
  private readonly alive: LRUCache<string, string>;
  private attempts = 0;

  constructor(
    private readonly repo: AccountRepository,
    /** The signing key (derived from the deployment's secret). */
    key: Uint8Array,
    settings: Partial<AccountSettings> = {},
  ) {
    this.key = key;
    this.settings = { ...DEFAULT_ACCOUNT_SETTINGS, ...settings };
    this.alive = new LRUCache({ max: 50_000, ttl: Math.max(1, this.settings.sessionCheckTtlMs) });
  }

  async register(input: { email: unknown; password: unknown }, role: Role = 'user'): Promise<Session> {
    const email = checkEmail(input.email);
    const password = checkPassword(input.password);
    const user = await this.repo.createUser({ id: randomUUID(), email, passwordHash: await hashPassword(password), role });
    return this.openSession(user);
  }

  /**
   * Every attempt is counted before the password is checked, per (email, address) and, from an
   * address that never logged into the email, per email (one atomic statement each): past the free
   * attempts, 429 LOGIN_THROTTLED with Retry-After, the password unchecked. An unknown email takes
   * the same path, the same throttles and the same scrypt cost (a dummy hash): the answers are the
   * same whether or not the email has an account.
   */
  async login(input: { email: unknown; password: unknown }, from: { address: string }): Promise<Session> {
    const email = typeof input.email === 'string' ? input.email.trim().toLowerCase() : '';
    const password = typeof input.password === 'string' ? input.password : '';
    const pairKey = sha256(JSON.stringify(['pair', email, from.address]));
    const emailKey = sha256(JSON.stringify(['email', email]));
    this.maybePrune();
    const pair = await this.repo.takeLoginAttempt(pairKey, this.settings.pairThrottle);
    if (!pair.taken) throw throttled(pair.retryMs);
    if (!pair.trusted) {
      const any = await this.repo.takeLoginAttempt(emailKey, this.settings.emailThrottle);
      if (!any.taken) throw throttled(any.retryMs);
    }
    const found = email ? await this.repo.findByEmail(email) : null;
    const matches = await verifyPassword(password, found?.passwordHash ?? (await dummyHash()));
    if (!found || !matches) throw new BoxofficeError('INVALID_CREDENTIALS', 'wrong email or password');
    await this.repo.loginSucceeded(pairKey, emailKey);
    const { passwordHash: _hash, ...user } = found;
    return this.openSession(user);
  }

  /**
   * Trades a refresh token for a new pair in the same session (the old refresh token stops
   * working). A token presented again after it was spent revokes its whole session: whoever has the
   * successor, the holder or a thief, is logged out, and so is every access token of the session.
   */
  async refresh(refreshToken: string | undefined): Promise<Session> {
    const refused = () => new BoxofficeError('UNAUTHORIZED', 'the refresh token is not valid; log in again');
    if (!refreshToken) throw refused();
    const next = randomBytes(32).toString('base64url');
    const refreshExpiresAt = Date.now() + this.settings.refreshTtlMs;
    const spent = await this.repo.rotateRefreshToken(sha256(refreshToken), sha256(next), refreshExpiresAt);
    if (!spent) {
      const revoked = await this.repo.revokeReusedRefreshToken(sha256(refreshToken));
      if (revoked) this.alive.delete(revoked);
      throw refused();
    }
    const user = await this.repo.getUser(spent.userId);
    if (!user) throw refused();
    return { user, ...(await this.accessToken(user, spent.sessionId)), refreshToken: next, refreshExpiresAt };
  }

  /** Ends the session of the refresh token, and with it every access token the session issued. */
  async logout(refreshToken: string | undefined): Promise<void> {
    if (!refreshToken) return;
    const revoked = await this.repo.revokeSessionOf(sha256(refreshToken));
    if (revoked) this.alive.delete(revoked);
  }

  async user(userId: string): Promise<User> {
    const user = await this.repo.getUser(userId);
    if (!user) throw new BoxofficeError('UNAUTHORIZED', 'this account no longer exists');
    return user;
  }

  /**
   * The principal of a valid access token of a live session, or null. Whether the session is
   * revoked is read from the database, then trusted for sessionCheckTtlMs: the instance that
   * revokes a session forgets it at once; every other instance refuses its tokens within that time.
   */
  async verifyAccessToken(token: string): Promise<Principal | null> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] }));
    } catch {
      return null;
    }
    const { role, sid } = payload;
    if (typeof payload.sub !== 'string' || (role !== 'user' && role !== 'admin') || payload.typ !== 'access' || typeof sid !== 'string') return null;
    const userId = payload.sub;
    if (this.alive.get(sid) !== userId) {
      if (!(await this.repo.sessionAlive(sid, userId))) return null;
      if (this.settings.sessionCheckTtlMs > 0) this.alive.set(sid, userId);
    }
    return { userId, owner: ownerOfUser(userId), role };
  }

  /**
   * The first admin comes from configuration (ADMIN_EMAIL + ADMIN_PASSWORD): created, or an existing
   * account promoted, but only when its password is ADMIN_PASSWORD. Anybody may register any email
   * before an operator picks it as ADMIN_EMAIL; promoting that account would hand admin to whoever
   * registered it, with their password. Such an account is left as it is ('refused').
   */
  async ensureAdmin(email: string, password: string): Promise<'created' | 'promoted' | 'unchanged' | 'refused'> {
    const existing = await this.repo.findByEmail(checkEmail(email));
    if (!existing) {
      await this.register({ email, password }, 'admin');
      return 'created';
    }
    if (existing.role === 'admin') return 'unchanged';
    if (!(await verifyPassword(password, existing.passwordHash))) return 'refused';
    await this.repo.setRole(existing.id, 'admin');
    return 'promoted';
  }

  private async openSession(user: User): Promise<Session> {
    const sessionId = randomUUID();
    const refreshToken = randomBytes(32).toString('base64url');
    const refreshExpiresAt = Date.now() + this.settings.refreshTtlMs;
    await this.repo.createSession(sessionId, user.id, sha256(refreshToken), refreshExpiresAt);
    return { user, ...(await this.accessToken(user, sessionId)), refreshToken, refreshExpiresAt };
  }

  private async accessToken(user: User, sessionId: string): Promise<{ accessToken: string; accessExpiresAt: number }> {
    const now = Date.now();
    const accessExpiresAt = now + this.settings.accessTtlMs;
    const accessToken = await new SignJWT({ role: user.role, typ: 'access', sid: sessionId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer(ISSUER)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(accessExpiresAt / 1000))
      .sign(this.key);
    return { accessToken, accessExpiresAt };
  }

  /** Throttle rows and spent tokens are pruned now and then, off the request's path. */
  private maybePrune(): void {
    if (++this.attempts % PRUNE_EVERY !== 0) return;
    this.repo.prune().catch(() => {});
  }
}

const throttled = (retryMs: number) => {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryMs / 1000));
  return new BoxofficeError('LOGIN_THROTTLED', `too many login attempts; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
};

function checkEmail(value: unknown): string {
  const email = normalEmail(value);
  if (email === null) throw invalidInput('email must be an email address');
  return email;
}

function checkPassword(value: unknown): string {
  if (!isPassword(value)) throw invalidInput('a password has 8 to 200 characters');
  return value;
}
