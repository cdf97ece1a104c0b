// Orders written with plain SQL, as the order flow would leave them, so tickets and reviews can be
// tested on their own; and accounts for the HTTP tests.
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../src/stores/postgres/db.ts';
import type { OrderState } from '../../src/domain/orders.ts';
import type { TestServer } from '../support/app.ts';

export async function insertOrder(
  db: Queryable,
  o: { showtimeId: string; owner: string; seats: string[]; state?: OrderState },
): Promise<string> {
  const id = `ord_${randomBytes(9).toString('base64url')}`;
  const lines = o.seats.map((seat) => ({ seat, kind: 'standard', price: 900 }));
  await db.query(
    `INSERT INTO orders (id, hold_id, showtime_id, owner, email, state, currency, total, lines, expires_at)
     VALUES ($1, $2, $3, $4, 'buyer@example.com', $5, 'EUR', $6, $7, now() + interval '10 minutes')`,
    [id, `${o.showtimeId}.${randomBytes(6).toString('base64url')}`, o.showtimeId, o.owner, o.state ?? 'paid', 900 * o.seats.length, JSON.stringify(lines)],
  );
  return id;
}

/** A showtime of `movieId` in `screenId` that started `hoursAgo` hours ago (negative: in the future). */
export async function insertShowtime(db: Queryable, id: string, movieId: string, screenId: string, hoursAgo: number): Promise<void> {
  await db.query(`INSERT INTO showtimes (id, movie_id, screen_id, starts_at) VALUES ($1, $2, $3, now() - make_interval(hours => $4::int))`, [id, movieId, screenId, hoursAgo]);
}

/** Registers an account; its access token and owner id (`user:<id>`). */
export async function register(s: TestServer, email: string): Promise<{ token: string; owner: string; userId: string }> {
  const res = await s.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password: 'a good password' } });
  if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`register ${email}: ${res.statusCode} ${res.body}`);
  const token = res.json().accessToken as string;
  const caller = (await s.box.identity.resolve(token))!;
  return { token, owner: caller.owner, userId: caller.userId! };
}

export async function loginAdmin(s: TestServer): Promise<string> {
  const res = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'root@example.com', password: 'admin-password' } });
  return res.json().accessToken as string;
}

export const ADMIN_ENV = { ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'admin-password' };

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });
