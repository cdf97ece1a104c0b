import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BoxofficeError, errorSpec, renderMessage, type ErrorCode } from '../domain/errors.ts';
import './http-errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Per-route status overrides, for the FirstClick surface (an expired session is a 404 there). */
    statusOverrides?: Partial<Record<ErrorCode, number>>;
  }
}

/**
 * Fastify's own client errors, each mapped to a registered code (the registry gives the status).
 * An FST_ERR_* 4xx missing here still answers BAD_REQUEST, and is logged so it gets added.
 */
export const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'FST_ERR_CTP_INVALID_JSON_BODY',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'FST_ERR_CTP_INVALID_JSON_BODY',
  FST_ERR_CTP_BODY_TOO_LARGE: 'FST_ERR_CTP_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_BAD_URL: 'BAD_REQUEST',
  FST_ERR_INVALID_URL: 'BAD_REQUEST',
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: 'BAD_REQUEST',
  FST_ERR_ROUTE_MISSING_CONTENT: 'BAD_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'INVALID_INPUT',
  FST_ERR_VALIDATION: 'INVALID_INPUT',
  FST_ERR_NOT_FOUND: 'NOT_FOUND',
};

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A schema validation failure as a 400 that names the field, e.g. `body has an unknown field "pad"`. */
function validationError(error: FastifyError): BoxofficeError {
  // An unknown field first, also when it sits in one branch of an anyOf (a layout seat or a gap).
  const unknown = (error.validation as AjvError[] | undefined)?.find((e) => e.keyword === 'additionalProperties');
  if (unknown && typeof unknown.params.additionalProperty === 'string') {
    const name = unknown.params.additionalProperty;
    const field = unknown.instancePath ? `${unknown.instancePath.slice(1)}/${name}` : name;
    const where = `${error.validationContext ?? 'request'}${unknown.instancePath}`;
    return new BoxofficeError('INVALID_INPUT', `${where} has an unknown field ${JSON.stringify(name)}`, { field });
  }
  return new BoxofficeError('INVALID_INPUT', `invalid request: ${error.message}`);
}

/** Any error as the registered error it answers with; null for one that is ours to fix (a 500). */
function registered(error: FastifyError | BoxofficeError, request: FastifyRequest): BoxofficeError | null {
  if (error instanceof BoxofficeError) return error;
  if (error.validation) return validationError(error);
  const code = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new BoxofficeError(code, { limit: request.routeOptions.bodyLimit });
  if (code === 'UNSUPPORTED_MEDIA_TYPE') return new BoxofficeError(code, { contentType: request.headers['content-type'] ?? '' });
  if (code) return new BoxofficeError(code, error.message);
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    request.log.warn({ err: error }, 'a client error with no registered code answers BAD_REQUEST');
    return new BoxofficeError('BAD_REQUEST', error.message);
  }
  return null;
}

/**
 * The one place an error becomes an HTTP answer: JSON `{ error, code, details? }` on every surface
 * (`error` is the human message a FirstClick client reads, `code` the stable code), with the
 * status the registry gives the code. A 5xx is logged and never carries details.
 */
export function errorHandler(error: FastifyError | BoxofficeError, request: FastifyRequest, reply: FastifyReply): void {
  const known = registered(error, request);
  if (!known || known.status >= 500) {
    // A registered 5xx is an outage its store already logs once (STORE_UNAVAILABLE); anything else is a bug.
    if (known) request.log.debug({ code: known.code }, 'request failed: a store is unavailable');
    else request.log.error({ err: error }, 'request failed');
    const code: ErrorCode = known?.code ?? 'INTERNAL';
    const status = known?.status ?? 500;
    if (status === 503) void reply.header('retry-after', '1');
    void reply.status(status).send({ error: renderMessage(errorSpec(code)?.message ?? 'internal error', {}), code });
    return;
  }
  sendError(reply, known, request.routeOptions.config.statusOverrides?.[known.code]);
}

/** Sends a registered 4xx, with Retry-After when the details say when to come back. */
export function sendError(reply: FastifyReply, error: BoxofficeError, status = error.status): FastifyReply {
  const { details } = error;
  if (typeof details.retryAfterSeconds === 'number') void reply.header('retry-after', String(details.retryAfterSeconds));
  const hasDetails = Object.keys(details).length > 0;
  return reply.status(status).send({ error: error.message, code: error.code, ...(hasDetails && { details }) });
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  void sendError(reply, new BoxofficeError('NOT_FOUND', { method: request.method, path: request.url.split('?')[0] }));
}
