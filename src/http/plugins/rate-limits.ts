import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { RateLimits } from '../../config.ts';
import { BoxofficeError } from '../../domain/errors.ts';

/** A preHandler that counts one kind of request per caller and per address; throws a 429 with Retry-After. */
export type Limit = (request: FastifyRequest) => Promise<void>;

export interface RouteLimits {
  /** Holds, on /api/v1 and on the FirstClick surface alike: one budget per caller and per address. */
  holds: Limit;
  extends: Limit;
  confirms: Limit;
  /**
   * Per address and per (email, address): never per email alone, or ten requests a minute from
   * anywhere would keep an account's owner from logging in from everywhere. Guesses at one email
   * spread over many addresses are slowed by the account service's per-email throttle, which an
   * address its owner logged in from before is exempt from.
   */
  logins: Limit;
  /** Guest tokens issued, per address only: minting guests does not multiply an address's holds. */
  guests: Limit;
}

declare module 'fastify' {
  interface FastifyInstance {
    limits: RouteLimits;
  }
  interface FastifyRequest {
    /** Whom the limit being checked counts this request against (set just before the check). */
    limitKey: string | null;
  }
}

const WINDOW_MS = 60_000;

const ownerOf = (request: FastifyRequest) => request.caller?.owner;
const emailAtAddressOf = (request: FastifyRequest) => {
  const email = (request.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? JSON.stringify([email.trim().toLowerCase(), request.ip]) : undefined;
};

/**
 * Per-caller and per-address limits, counted by @fastify/rate-limit's store (in memory, or in
 * Redis so every instance counts against the same limits). Route hooks: `preHandler: app.limits.holds`,
 * after the identity hook has set `request.caller`. Addresses in `exempt` (loopback by default) are
 * not limited, so local load tests and the benchmark run free; behind a proxy on the same machine,
 * TRUST_PROXY makes `request.ip` the client's address (or RATE_LIMIT_EXEMPT is set empty).
 */
export const rateLimitsPlugin = fp(
  async (app: FastifyInstance, settings: RateLimits) => {
    const exempt = new Set(settings.exempt);
    app.decorateRequest('limitKey', null);
    const make = (name: string, perUser: number | null, perAddress: number, userOf: (r: FastifyRequest) => string | undefined = ownerOf): Limit => {
      const byUser = perUser === null ? null : app.createRateLimit({ max: perUser, timeWindow: WINDOW_MS, keyGenerator: (r) => `${name}:user:${String(r.limitKey)}` });
      const byIp = app.createRateLimit({ max: perAddress, timeWindow: WINDOW_MS, keyGenerator: (r) => `${name}:ip:${r.ip}` });
      return async (request) => {
        if (exempt.has(request.ip)) return;
        const user = byUser ? userOf(request) : undefined;
        request.limitKey = user ?? null;
        // Both counters at once: on Redis (auto-pipelined) one round trip, not two.
        const checks = await Promise.all(user && byUser ? [byIp(request), byUser(request)] : [byIp(request)]);
        for (const c of checks) {
          if (!c.isAllowed && c.isExceeded) {
            throw new BoxofficeError('RATE_LIMITED', `too many ${name}: at most ${c.max} a minute; retry in ${c.ttlInSeconds} s`, { retryAfterSeconds: c.ttlInSeconds });
          }
        }
      };
    };
    const f = settings.perIpFactor;
    app.decorate('limits', {
      holds: make('holds', settings.holdsPerMinute, settings.holdsPerMinute * f),
      extends: make('extends', settings.extendsPerMinute, settings.extendsPerMinute * f),
      confirms: make('confirms', settings.confirmsPerMinute, settings.confirmsPerMinute * f),
      logins: make('logins', settings.loginsPerMinute, settings.loginsPerMinute * f, emailAtAddressOf),
      guests: make('guests', null, settings.guestsPerMinute),
    } satisfies RouteLimits);
  },
  { name: 'boxoffice-rate-limits', fastify: '5.x', dependencies: ['@fastify/rate-limit', 'boxoffice-identity'] },
);
