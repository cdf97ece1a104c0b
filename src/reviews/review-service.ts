import { randomBytes } from 'node:crypto';
import { actorName, type Actor } from '../admin/admin-service.ts';
import type { AdminRepository, AuditEntry } from '../domain/admin.ts';
import type { BookingRepository } from '../domain/booking-repository.ts';
import { BoxofficeError, invalidInput } from '../domain/errors.ts';
import type { Rating, Review } from '../domain/orders.ts';
import type { ReviewRepository } from '../domain/review-repository.ts';
import '../checkout/checkout-errors.ts';

export const MAX_REVIEW_TEXT = 2_000;
const NO_RATING: Rating = { average: null, count: 0 };

/**
 * Reviews of movies: a person with an account who had a paid ticket for a showtime of the movie
 * that has started may review it, once (editable); admins hide reviews (audit log). A movie's
 * rating counts its visible reviews only.
 */
export class ReviewService {
  constructor(
    private readonly deps: {
      reviews: ReviewRepository;
      catalog: Pick<BookingRepository, 'getMovie'>;
      audit: Pick<AdminRepository, 'appendAudit'>;
      now?: () => number;
    },
  ) {}

  /** Writes or rewrites the caller's review; `created` says which. */
  async write(caller: { userId?: string | undefined }, movieId: string, input: { stars: unknown; text?: unknown }): Promise<{ review: Review; created: boolean }> {
    const stars = input.stars;
    // The HTTP schema checks these too; the service does not rely on it.
    if (typeof stars !== 'number' || !Number.isInteger(stars) || stars < 1 || stars > 5) throw invalidInput('stars must be a whole number from 1 to 5', { field: 'stars' });
    const text = input.text ?? '';
    if (typeof text !== 'string') throw invalidInput('text must be a string', { field: 'text' });
    if ([...text].length > MAX_REVIEW_TEXT) throw invalidInput(`text must be at most ${MAX_REVIEW_TEXT} characters`, { field: 'text', limit: MAX_REVIEW_TEXT });
    if (text.includes('\0')) throw invalidInput('text has a NUL character in it', { field: 'text' });
    await this.movie(movieId);
    if (!caller.userId) throw new BoxofficeError('REVIEW_NOT_ALLOWED', { movieId });
    const written = await this.deps.reviews.upsertReview({
      id: `rev_${randomBytes(12).toString('base64url')}`,
      movieId,
      userId: caller.userId,
      stars: stars as Review['stars'],
      text: text.trim(),
      now: (this.deps.now ?? Date.now)(),
    });
    if (!written) throw new BoxofficeError('REVIEW_NOT_ALLOWED', { movieId });
    return written;
  }

  /** A movie's visible reviews (newest first), its rating, and the caller's own review (hidden or not). */
  async list(movieId: string, userId: string | null, limit: number): Promise<{ rating: Rating; reviews: Review[]; mine: Review | null }> {
    await this.movie(movieId);
    const [rating, reviews, mine] = await Promise.all([
      this.rating(movieId),
      this.deps.reviews.visibleReviews(movieId, limit),
      userId ? this.deps.reviews.reviewOf(movieId, userId) : null,
    ]);
    return { rating, reviews, mine };
  }

  async rating(movieId: string): Promise<Rating> {
    return (await this.deps.reviews.ratings([movieId])).get(movieId) ?? NO_RATING;
  }

  /** Ratings of every movie with reviews; `ratingOf` reads a movie's from it. */
  ratings(): Promise<Map<string, Rating>> {
    return this.deps.reviews.ratings();
  }

  ratingOf = (ratings: ReadonlyMap<string, Rating>, movieId: string): Rating => ratings.get(movieId) ?? NO_RATING;

  /** Hides a review from the list and the rating; the audit log says who and why. */
  async hide(actor: Actor, reviewId: string, reason: string): Promise<{ review: Review; audit: AuditEntry }> {
    if (typeof reason !== 'string' || reason.trim().length === 0) throw invalidInput('hiding a review needs a reason', { field: 'reason' });
    const review = await this.deps.reviews.hideReview(reviewId);
    if (!review) throw new BoxofficeError('REVIEW_NOT_FOUND', { reviewId });
    const audit = await this.deps.audit.appendAudit({
      actor: actorName(actor),
      action: 'review.hide',
      target: reviewId,
      details: { movieId: review.movieId, userId: review.userId, stars: review.stars, reason: reason.trim() },
    });
    return { review, audit };
  }

  private async movie(movieId: string): Promise<void> {
    if (!(await this.deps.catalog.getMovie(movieId))) throw new BoxofficeError('MOVIE_NOT_FOUND', { movieId });
  }
}
