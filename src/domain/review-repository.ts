import type { Rating, Review } from './orders.ts';

/** Reviews of movies (the reviews table): one per person and movie; hidden ones are kept, not counted. */
export interface ReviewRepository {
  /**
   * Writes or rewrites the user's review of the movie, in one statement that also checks the user
   * may review it: a paid order (owner `user:<userId>`) for a showtime of the movie that started
   * before `now`. Null (nothing written) when they may not. A hidden review stays hidden.
   */
  upsertReview(review: { id: string; movieId: string; userId: string; stars: Review['stars']; text: string; now: number }): Promise<{ review: Review; created: boolean } | null>;
  reviewOf(movieId: string, userId: string): Promise<Review | null>;
  /** Visible reviews of a movie, newest first. */
  visibleReviews(movieId: string, limit: number): Promise<Review[]>;
  /** Average stars and count of the visible reviews, per movie (all movies, or those named). */
  ratings(movieIds?: readonly string[]): Promise<Map<string, Rating>>;
  /** Hides a review (once: a second hide keeps the first time). Null when there is no such review. */
  hideReview(id: string): Promise<Review | null>;
}
