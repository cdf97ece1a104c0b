import type { Rating, Review } from '../../domain/orders.ts';
import type { ReviewRepository } from '../../domain/review-repository.ts';
import type { Db } from './db.ts';
import { query } from './queries.ts';

interface ReviewRow {
  id: string;
  movie_id: string;
  user_id: string;
  stars: number;
  text: string;
  hidden: boolean;
  created_ms: number;
  updated_ms: number;
}

const COLUMNS = `id, movie_id, user_id, stars, text, hidden_at IS NOT NULL AS hidden,
  (extract(epoch from created_at) * 1000)::bigint AS created_ms, (extract(epoch from updated_at) * 1000)::bigint AS updated_ms`;

const toReview = (r: ReviewRow): Review => ({
  id: r.id,
  movieId: r.movie_id,
  userId: r.user_id,
  stars: r.stars as Review['stars'],
  text: r.text,
  createdAt: r.created_ms,
  updatedAt: r.updated_ms,
  hidden: r.hidden,
});

export class PostgresReviewRepository implements ReviewRepository {
  constructor(private readonly db: Db) {}

  async upsertReview(v: { id: string; movieId: string; userId: string; stars: Review['stars']; text: string; now: number }) {
    const [r] = await this.db.query<ReviewRow & { created: boolean }>(query('upsertReview'), [v.id, v.movieId, v.userId, v.stars, v.text, v.now]);
    return r ? { review: toReview(r), created: r.created } : null;
  }

  async reviewOf(movieId: string, userId: string): Promise<Review | null> {
    const [r] = await this.db.query<ReviewRow>(`SELECT ${COLUMNS} FROM reviews WHERE movie_id = $1 AND user_id = $2`, [movieId, userId]);
    return r ? toReview(r) : null;
  }

  async visibleReviews(movieId: string, limit: number): Promise<Review[]> {
    const rows = await this.db.query<ReviewRow>(
      `SELECT ${COLUMNS} FROM reviews WHERE movie_id = $1 AND hidden_at IS NULL ORDER BY created_at DESC, id LIMIT $2`,
      [movieId, limit],
    );
    return rows.map(toReview);
  }

  async ratings(movieIds?: readonly string[]): Promise<Map<string, Rating>> {
    const rows = await this.db.query<{ movie_id: string; average: number; count: number }>(
      `SELECT movie_id, avg(stars)::float8 AS average, count(*)::int AS count
       FROM reviews WHERE hidden_at IS NULL ${movieIds ? 'AND movie_id = ANY($1::text[])' : ''} GROUP BY movie_id`,
      movieIds ? [movieIds] : [],
    );
    return new Map(rows.map((r) => [r.movie_id, { average: Math.round(r.average * 100) / 100, count: r.count }]));
  }

  async hideReview(id: string): Promise<Review | null> {
    const [r] = await this.db.query<ReviewRow>(`UPDATE reviews SET hidden_at = coalesce(hidden_at, now()) WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
    return r ? toReview(r) : null;
  }
}
