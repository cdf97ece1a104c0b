import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BookingError, type ErrorCode } from '../domain/errors.ts';

/** The one place an error becomes an HTTP status. docs/errors.md lists the same table. */
export const STATUS_OF: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  NOT_HOLD_OWNER: 403,
  MOVIE_NOT_FOUND: 404,
  SHOWTIME_NOT_FOUND: 404,
  SEAT_NOT_FOUND: 404,
  HOLD_NOT_FOUND: 404,
  SEAT_UNAVAILABLE: 409,
  HOLD_LIMIT_EXCEEDED: 409,
  HOLD_CONFIRMED: 409,
  HOLD_EXPIRED: 410,
  LAB_MODE_UNAVAILABLE: 409,
  FORBIDDEN: 403,
  INVALID_CREDENTIALS: 401,
  ACCOUNT_LOCKED: 429,
  EMAIL_TAKEN: 409,
  THEATER_NOT_FOUND: 404,
  SCREEN_NOT_FOUND: 404,
  SHOWTIME_OVERLAP: 409,
  LAYOUT_LOCKED: 409,
  STORE_UNAVAILABLE: 503,
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Per-route status overrides, for the FirstClick surface (an expired session is a 404 there). */
    statusOverrides?: Partial<Record<ErrorCode, number>>;
  }
}

/**
 * Errors are JSON `{ error, code, details? }` on every surface: `error` is the human message a
 * FirstClick client reads, `code` the stable code. A 5xx never carries details.
 */
export function errorHandler(error: FastifyError | BookingError, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof BookingError) {
    const status = request.routeOptions.config.statusOverrides?.[error.code] ?? STATUS_OF[error.code];
    const hasDetails = Object.keys(error.details).length > 0;
    if (error.code === 'ACCOUNT_LOCKED' && typeof error.details.retryAfterSeconds === 'number') {
      void reply.header('retry-after', String(error.details.retryAfterSeconds));
    }
    void reply.status(status).send({ error: error.message, code: error.code, ...(hasDetails && { details: error.details }) });
    return;
  }
  if (error.validation) {
    void reply.status(400).send({ error: `invalid request: ${error.message}`, code: 'INVALID_INPUT' });
    return;
  }
  const status = error.statusCode ?? 500;
  const retryAfter = (error as { retryAfter?: unknown }).retryAfter;
  if (status === 429 && typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
  if (status >= 400 && status < 500) {
    // Fastify's own client errors: malformed JSON, body too large, wrong content type ...
    void reply.status(status).send({ error: error.message, code: error.code ?? 'BAD_REQUEST' });
    return;
  }
  request.log.error({ err: error }, 'request failed');
  void reply.status(status >= 500 && status < 600 ? status : 500).send({ error: 'internal error', code: 'INTERNAL' });
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}`, code: 'NOT_FOUND' });
}
