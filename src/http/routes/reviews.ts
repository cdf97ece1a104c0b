import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AccountService } from '../../accounts/account-service.ts';
import { MAX_REVIEW_TEXT, type ReviewService } from '../../reviews/review-service.ts';
import { callerOf, userOf } from '../plugins/identity.ts';
import { RatingSchema, ReviewSchema, toReviewView } from '../review-schemas.ts';
import { bearer as security, Body, failures, idParam } from '../schemas.ts';
import { AuditSchema } from './admin.ts';

const movieParam = idParam('movieId', 'movie id');

/** Reviews of movies: write or edit one's own, read a movie's, and (admins) hide one. */
export const reviewRoutes: FastifyPluginAsyncTypebox<{ reviews: ReviewService; accounts: AccountService }> = async (app, opts) => {
  const { reviews, accounts } = opts;

  app.put(
    '/movies/:movieId/review',
    {
      config: { auth: 'caller' },
      schema: {
        tags: ['reviews'], security, summary: 'Write or edit my review of a movie',
        description: 'For a person with an account who has a paid order for a showtime of the movie that has started. One review per person and movie: a second PUT edits it (201 when new, 200 when edited).',
        params: movieParam,
        body: Body({
          stars: Type.Integer({ minimum: 1, maximum: 5 }),
          text: Type.Optional(Type.String({ maxLength: MAX_REVIEW_TEXT, description: `up to ${MAX_REVIEW_TEXT} characters; none or "" for stars only` })),
        }),
        response: {
          200: Type.Object({ review: ReviewSchema, rating: RatingSchema }),
          201: Type.Object({ review: ReviewSchema, rating: RatingSchema }),
          ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'REVIEW_NOT_ALLOWED', 'MOVIE_NOT_FOUND'),
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { movieId } = request.params;
      const { review, created } = await reviews.write(caller, movieId, request.body);
      return reply.status(created ? 201 : 200).send({ review: toReviewView(review, caller.userId ?? null), rating: await reviews.rating(movieId) });
    },
  );

  app.get(
    '/movies/:movieId/reviews',
    {
      config: { auth: 'optional' },
      schema: {
        tags: ['reviews'], summary: "A movie's reviews, newest first, and its rating",
        description: 'Hidden reviews are left out (and not counted). With a user\'s token, `mine` is their own review, hidden or not.',
        params: movieParam,
        querystring: Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: 'at most this many reviews, 1 to 200 (50)' })) }),
        response: {
          200: Type.Object({ movieId: Type.String(), rating: RatingSchema, reviews: Type.Array(ReviewSchema), mine: Type.Union([ReviewSchema, Type.Null()]) }),
          ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'MOVIE_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const viewer = request.caller?.userId ?? null;
      const { movieId } = request.params;
      const limit = Math.min(Math.max(Number(request.query.limit ?? 50), 1), 200);
      const { rating, reviews: list, mine } = await reviews.list(movieId, viewer, limit);
      return { movieId, rating, reviews: list.map((r) => toReviewView(r, viewer)), mine: mine && toReviewView(mine, viewer) };
    },
  );

  app.post(
    '/admin/reviews/:id/hide',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['admin'], security, summary: 'Hide a review; the reason goes to the audit log',
        description: 'A hidden review leaves the list and the rating; its author still sees it, and editing it does not show it again.',
        params: idParam('id', 'review id'),
        body: Body({ reason: Type.String({ minLength: 1, maxLength: 500 }) }),
        response: { 200: Type.Object({ review: ReviewSchema, audit: AuditSchema }), ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'FORBIDDEN', 'REVIEW_NOT_FOUND') },
      },
    },
    async (request) => {
      const admin = userOf(request);
      const actor = { owner: admin.owner, email: (await accounts.user(admin.userId)).email };
      const { review, audit } = await reviews.hide(actor, request.params.id, request.body.reason);
      return { review: toReviewView(review, admin.userId), audit };
    },
  );
};
