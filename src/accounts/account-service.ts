import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { ownerOfUser, type AccountRepository, type Role, type User } from '../domain/accounts.ts';
import { BoxofficeError, invalidInput } from '../domain/errors.ts';
import { dummyHash, hashPassword, verifyPassword } from './passwords.ts';

export interface AccountSettings {
  /** Life of an access JWT. */
  accessTtlMs: number;
  /** Life of a refresh token (the httpOnly cookie). */
  refreshTtlMs: number;
  /** Failed logins in a row before the account is locked. */
  maxLoginFailures: number;
  lockMs: number;
}

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = {
  accessTtlMs: 15 * 60_000,
  refreshTtlMs: 14 * 24 * 3600_000,
  maxLoginFailures: 5,
  lockMs: 15 * 60_000,
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

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{1,63}$/;
const ISSUER = 'boxoffice';
const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

/**
 * Register, log in, refresh, log out. Access tokens are short-lived HS256 JWTs (jose) carrying the
 * role; refresh tokens are random, stored hashed, and used once (each refresh rotates them).
 */
export class AccountService {
  private readonly key: Uint8Array;
  readonly settings: AccountSettings;

  constructor(
    private readonly repo: AccountRepository,
    /** The signing key (derived from the deployment's secret). */
    key: Uint8Array,
    settings: Partial<AccountSettings> = {},
  ) {
    this.key = key;
    this.settings = { ...DEFAULT_ACCOUNT_SETTINGS, ...settings };
  }

  async register(input: { email: unknown; password: unknown }, role: Role = 'user'): Promise<Session> {
    const email = checkEmail(input.email);
    const password = checkPassword(input.password);
    const user = await this.repo.createUser({ id: randomUUID(), email, passwordHash: await hashPassword(password), role });
    return this.openSession(user);
  }

  async login(input: { email: unknown; password: unknown }): Promise<Session> {
    const email = typeof input.email === 'string' ? input.email.trim().toLowerCase() : '';
    const password = typeof input.password === 'string' ? input.password : '';
    const found = email ? await this.repo.findByEmail(email) : null;
    if (!found) {
      await verifyPassword(password, await dummyHash());
      throw new BoxofficeError('INVALID_CREDENTIALS', 'wrong email or password');
    }
    const now = Date.now();
    if (found.lockedUntil !== null && found.lockedUntil > now) {
      const retryAfterSeconds = Math.ceil((found.lockedUntil - now) / 1000);
      throw new BoxofficeError('ACCOUNT_LOCKED', `too many failed logins; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
    if (!(await verifyPassword(password, found.passwordHash))) {
      await this.repo.recordLoginFailure(found.id, this.settings.maxLoginFailures, this.settings.lockMs);
      throw new BoxofficeError('INVALID_CREDENTIALS', 'wrong email or password');
    }
    await this.repo.recordLoginSuccess(found.id);
    const { passwordHash: _hash, lockedUntil: _locked, ...user } = found;
    return this.openSession(user);
  }

  /** Trades a refresh token for a new session (the old refresh token stops working). */
  async refresh(refreshToken: string | undefined): Promise<Session> {
    const userId = refreshToken ? await this.repo.takeSession(sha256(refreshToken)) : null;
    const user = userId ? await this.repo.getUser(userId) : null;
    if (!user) throw new BoxofficeError('UNAUTHORIZED', 'the refresh token is not valid; log in again');
    return this.openSession(user);
  }

  async logout(refreshToken: string | undefined): Promise<void> {
    if (refreshToken) await this.repo.deleteSession(sha256(refreshToken));
  }

  async user(userId: string): Promise<User> {
    const user = await this.repo.getUser(userId);
    if (!user) throw new BoxofficeError('UNAUTHORIZED', 'this account no longer exists');
    return user;
  }

  /** The principal of a valid access token, or null. */
  async verifyAccessToken(token: string): Promise<Principal | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] });
      const role = payload.role;
      if (typeof payload.sub !== 'string' || (role !== 'user' && role !== 'admin') || payload.typ !== 'access') return null;
      return { userId: payload.sub, owner: ownerOfUser(payload.sub), role };
    } catch {
      return null;
    }
  }

  /** The first admin comes from configuration (ADMIN_EMAIL + ADMIN_PASSWORD): created, or promoted. */
  async ensureAdmin(email: string, password: string): Promise<'created' | 'promoted' | 'unchanged'> {
    const existing = await this.repo.findByEmail(checkEmail(email));
    if (!existing) {
      await this.register({ email, password }, 'admin');
      return 'created';
    }
    if (existing.role === 'admin') return 'unchanged';
    await this.repo.setRole(existing.id, 'admin');
    return 'promoted';
  }

  private async openSession(user: User): Promise<Session> {
    const now = Date.now();
    const accessExpiresAt = now + this.settings.accessTtlMs;
    const accessToken = await new SignJWT({ role: user.role, typ: 'access' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer(ISSUER)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(accessExpiresAt / 1000))
      .sign(this.key);
    const refreshToken = randomBytes(32).toString('base64url');
    const refreshExpiresAt = now + this.settings.refreshTtlMs;
    await this.repo.createSession(sha256(refreshToken), user.id, refreshExpiresAt);
    return { user, accessToken, accessExpiresAt, refreshToken, refreshExpiresAt };
  }
}

function checkEmail(value: unknown): string {
  const email = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!EMAIL.test(email)) throw invalidInput('email must be an email address');
  return email;
}

function checkPassword(value: unknown): string {
  if (typeof value !== 'string' || value.length < 8 || value.length > 200) throw invalidInput('a password has 8 to 200 characters');
  return value;
}
