import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RateLimits } from '../config.ts';
import { BoxofficeError } from '../domain/errors.ts';

/** Checks one kind of request against a per-user and a per-address limit; throws a 429 with Retry-After. */
export type Limit = (request: FastifyRequest, user?: string) => Promise<void>;

export interface RouteLimits {
  holds: Limit;
  confirms: Limit;
  logins: Limit;
}

const WINDOW_MS = 60_000;

/**
 * Per-user and per-address limits on holds, confirms and logins, counted by @fastify/rate-limit's
 * store (needs the plugin registered on `app`). Addresses in `exempt` (loopback by default) are not
 * limited, so local load tests and the benchmark run free; a deployment behind a proxy on the same
 * machine sets RATE_LIMIT_EXEMPT to an empty list.
 */
export function routeLimits(app: FastifyInstance, settings: RateLimits): RouteLimits {
  const exempt = new Set(settings.exempt);
  const make = (name: string, perMinute: number): Limit => {
    const byUser = app.createRateLimit({ max: perMinute, timeWindow: WINDOW_MS, keyGenerator: (r) => `${name}:user:${String((r as FastifyRequest & { limitKey?: string }).limitKey)}` });
    const byIp = app.createRateLimit({ max: perMinute * settings.perIpFactor, timeWindow: WINDOW_MS, keyGenerator: (r) => `${name}:ip:${r.ip}` });
    return async (request, user) => {
      if (exempt.has(request.ip)) return;
      if (user) (request as FastifyRequest & { limitKey?: string }).limitKey = user;
      // Both counters at once: on Redis (auto-pipelined) one round trip, not two.
      const checks = await Promise.all(user ? [byIp(request), byUser(request)] : [byIp(request)]);
      for (const c of checks) {
        if (!c.isAllowed && c.isExceeded) {
          throw new BoxofficeError('RATE_LIMITED', `too many ${name}: at most ${c.max} a minute; retry in ${c.ttlInSeconds} s`, { retryAfterSeconds: c.ttlInSeconds });
        }
      }
    };
  };
  return {
    holds: make('holds', settings.holdsPerMinute),
    confirms: make('confirms', settings.confirmsPerMinute),
    logins: make('logins', settings.loginsPerMinute),
  };
}
