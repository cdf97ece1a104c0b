import type { AccountRepository, Role, User } from '../../domain/accounts.ts';
import { BoxofficeError } from '../../domain/errors.ts';
import { isUniqueViolation, type Db } from './db.ts';

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
    const [r] = await this.db.query<UserRow & { password_hash: string; locked_until_ms: number | null }>(
      `SELECT ${USER_COLUMNS}, password_hash, (extract(epoch from locked_until) * 1000)::bigint AS locked_until_ms FROM users WHERE email = $1`,
      [email],
    );
    return r ? { ...toUser(r), passwordHash: r.password_hash, lockedUntil: r.locked_until_ms } : null;
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

  async recordLoginFailure(id: string, maxFailures: number, lockMs: number): Promise<void> {
    // One statement, so parallel failures all count.
    await this.db.query(
      `UPDATE users SET failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
              locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(secs => $3::double precision / 1000) ELSE locked_until END
       WHERE id = $1`,
      [id, maxFailures, lockMs],
    );
  }

  async recordLoginSuccess(id: string): Promise<void> {
    await this.db.query('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)', [id]);
  }

  async createSession(tokenHash: string, userId: string, expiresAt: number): Promise<void> {
    await this.db.query('INSERT INTO user_sessions (token_hash, user_id, expires_at) VALUES ($1, $2, to_timestamp($3 / 1000.0))', [tokenHash, userId, expiresAt]);
  }

  async takeSession(tokenHash: string): Promise<string | null> {
    const [r] = await this.db.query<{ user_id: string; alive: boolean }>(
      'DELETE FROM user_sessions WHERE token_hash = $1 RETURNING user_id, expires_at > now() AS alive',
      [tokenHash],
    );
    return r?.alive ? r.user_id : null;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.query('DELETE FROM user_sessions WHERE token_hash = $1', [tokenHash]);
  }
}
