import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Caller, Identity } from '../../accounts/identity.ts';
import { BoxofficeError } from '../../domain/errors.ts';

/** Who a route lets in; the identity hook answers 401/403 before the body is even read. */
export type Auth =
  /** A token is not needed, but a bad one is a 401; `request.caller` is set when one was sent. */
  | 'optional'
  /** A guest's or a user's token. */
  | 'caller'
  /** A registered user's access token. */
  | 'user'
  /** An admin's access token (403 for anyone else's). */
  | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: Auth;
  }
  interface FastifyRequest {
    /** Set by the identity hook on routes with `config.auth`; null elsewhere, or without a token on 'optional'. */
    caller: Caller | null;
  }
  interface FastifyInstance {
    identity: Identity;
  }
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new BoxofficeError('UNAUTHORIZED', 'the Authorization header must be `Bearer <token>`');
  return match[1]!;
}

/**
 * Resolves the caller once per request, in onRequest, for the routes that say who they let in
 * (`config: { auth }`), and decorates the request with it; handlers read it with `callerOf`.
 */
export const identityPlugin = fp(
  async (app: FastifyInstance, opts: { identity: Identity }) => {
    const { identity } = opts;
    app.decorate('identity', identity);
    app.decorateRequest('caller', null);
    app.addHook('onRequest', async (request) => {
      const auth = request.routeOptions.config.auth;
      if (!auth) return;
      const token = bearerToken(request);
      const caller = token ? await identity.resolve(token) : null;
      if (token && !caller) throw new BoxofficeError('UNAUTHORIZED', 'the bearer token is not valid (or expired); get a new one from POST /api/v1/guests or log in');
      if (!caller) {
        if (auth === 'optional') return;
        throw new BoxofficeError('UNAUTHORIZED', 'this needs a bearer token; get one from POST /api/v1/guests or log in');
      }
      if (auth === 'user' && !caller.userId) throw new BoxofficeError('UNAUTHORIZED', 'a guest token has no account; log in');
      if (auth === 'admin' && (caller.role !== 'admin' || !caller.userId)) throw new BoxofficeError('FORBIDDEN', 'this needs an admin account');
      request.caller = caller;
    });
  },
  { name: 'boxoffice-identity', fastify: '5.x' },
);

/** The caller of a route whose `config.auth` requires one: the hook has set it or answered 401/403. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Error(`route ${request.routeOptions.url} reads the caller but has no config.auth that requires one`);
  return request.caller;
}

/** The caller of an `auth: 'user'` or `'admin'` route, with the account id. */
export function userOf(request: FastifyRequest): Caller & { userId: string } {
  const caller = callerOf(request);
  if (!caller.userId) throw new Error(`route ${request.routeOptions.url} reads a user but its config.auth lets guests in`);
  return caller as Caller & { userId: string };
}
