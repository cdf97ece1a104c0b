import { Type } from 'typebox';
import type { Review } from '../domain/orders.ts';
import { MovieSchema } from './schemas.ts';

/** Reviews and ratings as the API shows them. */

export const RatingSchema = Type.Object(
  { average: Type.Union([Type.Number(), Type.Null()]), count: Type.Integer() },
  { description: 'average stars (two decimals) and count of the visible reviews; average null without reviews' },
);

/** A movie of the public catalog, with its rating. */
export const RatedMovieSchema = Type.Object({ ...MovieSchema.properties, rating: RatingSchema });

export const ReviewSchema = Type.Object({
  id: Type.String(),
  movieId: Type.String(),
  stars: Type.Integer({ minimum: 1, maximum: 5 }),
  text: Type.String(),
  createdAt: Type.Integer({ description: 'epoch ms' }),
  updatedAt: Type.Integer({ description: 'epoch ms' }),
  mine: Type.Boolean({ description: "the caller's own review" }),
  hidden: Type.Boolean({ description: 'hidden by an admin: shown to its author only, not counted' }),
});

/** A review as `viewer` (a user id, or null) sees it: never its author's identity. */
export function toReviewView(review: Review, viewer: string | null) {
  return { id: review.id, movieId: review.movieId, stars: review.stars, text: review.text, createdAt: review.createdAt, updatedAt: review.updatedAt, mine: viewer !== null && review.userId === viewer, hidden: review.hidden };
}
