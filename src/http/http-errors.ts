import { defineErrors, type CodesOf } from '../domain/errors.ts';

/**
 * Codes only the HTTP layer reports: routing, rate limits, readiness, Fastify's own client errors
 * (error-handler.ts maps each FST_ERR_* code to one of these or to INVALID_INPUT) and the 500.
 */
export const HTTP_ERRORS = defineErrors('http', 'HTTP, limits and operations', {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    message: 'the body is not valid JSON',
    when: 'the body is not JSON (or is empty) while Content-Type says application/json',
  },
  BAD_REQUEST: {
    status: 400,
    message: 'the request is malformed',
    when: 'an HTTP-level mistake Fastify refuses before any route runs: a malformed URL, a body whose size does not match Content-Length, a body missing where a Content-Type promised one',
  },
  NOT_FOUND: { status: 404, message: 'no route {method} {path}', when: 'no such route', details: '`method`, `path`' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, message: 'the body is larger than {limit} bytes', when: 'a body over 16 KiB', details: '`limit`' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'this route does not take a {contentType} body',
    when: 'a body in a Content-Type other than JSON',
    details: '`contentType`',
  },
  RATE_LIMITED: {
    status: 429,
    message: 'too many requests; retry in {retryAfterSeconds} s',
    when: 'too many holds, extends, confirms, logins or guest tokens from one caller or address (the FirstClick surface counts against the same limits), or too many Concurrency Lab requests; `Retry-After` says when to try again',
    details: '`retryAfterSeconds`',
  },
  INTERNAL: { status: 500, message: 'internal error', when: 'a bug or an outage; logged on the server, no details to the client' },
  NOT_READY: { status: 503, message: 'a store does not answer', when: '`/readyz`: a store does not answer' },
});

declare module '../domain/errors.ts' {
  interface ErrorCodes extends CodesOf<typeof HTTP_ERRORS> {}
}
