import type { AccountRepository, Role, ThrottleRule, User } from '../../domain/accounts.ts';
import { BoxofficeError } from '../../domain/errors.ts';
import { isUniqueViolation, type Db } from './db.ts';
import { query } from './queries.ts';

interface UserRow {
  id: string;
  email: string;
  role: Role;
  created_at_ms: number;
}

const USER_COLUMNS = 'id, email, role, (extract(epoch from created_at) * 1000)::bigint AS created_at_ms';
const toUser = (r: UserRow): User => ({ id: r.id, email: r.email, role: r.role, createdAt: r.created_at_ms });

export class PostgresAccountRepository implements AccountRepository {
  constructor(private readonly db: Db) {}

  async createUser(u: { id: string; email: string; passwordHash: string; role: Role }): Promise<User> {
    try {
      const [r] = await this.db.query<UserRow>(
        `INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, $3, $4) RETURNING ${USER_COLUMNS}`,
        [u.id, u.email, u.passwordHash, u.role],
      );
      return toUser(r!);
    } catch (e) {
      if (isUniqueViolation(e)) throw new BoxofficeError('EMAIL_TAKEN', `${u.email} is registered already`);
      throw e;
    }
  }

  async findByEmail(email: string) {
    const [r] = await this.db.query<UserRow & { password_hash: string }>(`SELECT ${USER_COLUMNS}, password_hash FROM users WHERE email = $1`, [email]);
    return r ? { ...toUser(r), passwordHash: r.password_hash } : null;
  }

  async getUser(id: string): Promise<User | null> {
    const [r] = await this.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    return r ? toUser(r) : null;
  }

  async setRole(id: string, role: Role): Promise<void> {
    await this.db.query('UPDATE users SET role = $2 WHERE id = $1', [id, role]);
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, passwordHash]);
  }

  async takeLoginAttempt(key: string, rule: ThrottleRule) {
    const [r] = await this.db.query<{ taken: boolean; trusted: boolean; retry_ms: number }>(query('takeLoginAttempt'), [key, rule.free, rule.baseMs, rule.maxMs]);
    return r!.taken ? { taken: true as const, trusted: r!.trusted } : { taken: false as const, retryMs: Number(r!.retry_ms) };
  }

  async loginSucceeded(pairKey: string, emailKey: string): Promise<void> {
    await this.db.query(query('loginSucceeded'), [pairKey, emailKey]);
  }

  async createSession(sessionId: string, userId: string, tokenHash: string, expiresAt: number): Promise<void> {
    await this.db.query(
      `WITH session AS (INSERT INTO sessions (id, user_id) VALUES ($1, $2) RETURNING id)
       INSERT INTO refresh_tokens (token_hash, session_id, expires_at) SELECT $3, id, to_timestamp($4::float8 / 1000.0) FROM session`,
      [sessionId, userId, tokenHash, expiresAt],
    );
  }

  async rotateRefreshToken(tokenHash: string, nextHash: string, expiresAt: number) {
    const [r] = await this.db.query<{ session_id: string; user_id: string }>(query('rotateRefreshToken'), [tokenHash, nextHash, expiresAt]);
    return r ? { sessionId: r.session_id, userId: r.user_id } : null;
  }

  async revokeReusedRefreshToken(tokenHash: string): Promise<string | null> {
    const [r] = await this.db.query<{ session_id: string }>(query('revokeReusedRefreshToken'), [tokenHash]);
    return r?.session_id ?? null;
  }

  async revokeSessionOf(tokenHash: string): Promise<string | null> {
    const [r] = await this.db.query<{ id: string }>(
      'UPDATE sessions SET revoked_at = now() WHERE id = (SELECT session_id FROM refresh_tokens WHERE token_hash = $1) AND revoked_at IS NULL RETURNING id',
      [tokenHash],
    );
    return r?.id ?? null;
  }

  async sessionAlive(sessionId: string, userId: string): Promise<boolean> {
    const [r] = await this.db.query('SELECT 1 FROM sessions WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL', [sessionId, userId]);
    return r !== undefined;
  }

  async prune(): Promise<void> {
    // Throttle rows whose delay ran out a day ago (trusted pairs after 90 days); tokens past expiry.
    await this.db.query(
      `DELETE FROM login_throttles WHERE next_at < now() - interval '1 day'
         AND (NOT trusted OR updated_at < now() - interval '90 days')`,
    );
    await this.db.query('DELETE FROM refresh_tokens WHERE expires_at < now()');
    // A session with no refresh token left ended at least a refresh life ago: its access tokens are long expired.
    await this.db.query('DELETE FROM sessions s WHERE NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.session_id = s.id)');
  }
}
