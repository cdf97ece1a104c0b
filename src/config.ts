import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { DEFAULT_LIMITS, type BookingLimits } from './booking/booking-service.ts';
import { isPassword, normalEmail } from './domain/accounts.ts';
import { withoutPassword } from './stores/unreachable.ts';

/** Everything the process reads from its environment, typed and checked in one place. */
export interface Config {
  port: number;
  host: string;
  holdStore: 'memory' | 'redis' | 'postgres';
  redisUrl: string | undefined;
  /** The variable redisUrl came from, for messages: REDIS_URL, or REDIS_ADDR (FirstClick's name). */
  redisSetting: 'REDIS_URL' | 'REDIS_ADDR';
  redisKeyPrefix: string;
  databaseUrl: string | undefined;
  databaseSchema: string | undefined;
  dataDir: string;
  demoCatalog: boolean;
  limits: BookingLimits;
  logLevel: string;
  /** Signs guest tokens; every instance of one deployment needs the same one. */
  tokenSecret: string | undefined;
  firstClick: boolean;
  /** Serve the Concurrency Lab (/lab); by default only on the embedded default (no Redis, no PostgreSQL server). */
  labEnabled: boolean;
  /** The first admin: created (or promoted) at start when both are set. */
  admin: { email: string; password: string } | undefined;
  /** Life of an access JWT, in ms. */
  accessTokenTtlMs: number;
  /** Origins allowed by CORS; empty: CORS is off (no CORS headers at all). */
  corsOrigins: string[];
  /** Reverse proxies whose X-Forwarded-For names the client (addresses, CIDRs, or loopback); empty: none. */
  trustProxy: string[];
  /** Mark the refresh cookie Secure (served over HTTPS, e.g. behind a TLS proxy). */
  secureCookies: boolean;
  rateLimits: RateLimits;
  checkout: CheckoutConfig;
}

/** Checkout and the payment queue (issue 11). */
export interface CheckoutConfig {
  /** How long an order waits for a successful payment; its hold is extended to match, within MAX_HOLD_LIFE. */
  paymentWindowMs: number;
  /** A buyer may cancel a paid order until this long before the showtime starts. */
  cancelCutoffMs: number;
  /** amqp://... of RabbitMQ; without it the embedded queue (the outbox table) carries payments. */
  amqpUrl: string | undefined;
  /** Queue names (RabbitMQ) start with this, so deployments and test runs never share a queue. */
  amqpPrefix: string;
  /** Deliveries of a payment message before it is dead-lettered. */
  maxAttempts: number;
  /** The wait before the first retry; doubles with each further one. */
  backoffMs: number;
  /** Payment messages one worker processes at once. */
  prefetch: number;
  /** Run the payment worker inside the server (default); off: run `npm run worker` processes instead. */
  inProcessWorker: boolean;
  /** The simulated gateway's answer time: uniformly between these, in ms. */
  gatewayLatencyMs: [number, number];
}

/** Requests per minute, per user and per address (the address gets `perIpFactor` times more). */
export interface RateLimits {
  /** Holds, on /api/v1 and the FirstClick surface alike. */
  holdsPerMinute: number;
  extendsPerMinute: number;
  confirmsPerMinute: number;
  loginsPerMinute: number;
  /** Guest tokens issued per address (not multiplied by perIpFactor). */
  guestsPerMinute: number;
  perIpFactor: number;
  /** Addresses never limited: loopback by default, so local load tests and the benchmark run free. */
  exempt: string[];
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  holdsPerMinute: 120,
  extendsPerMinute: 30,
  confirmsPerMinute: 60,
  loginsPerMinute: 10,
  guestsPerMinute: 30,
  perIpFactor: 10,
  exempt: ['127.0.0.1', '::1', '::ffff:127.0.0.1'],
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** How long a FirstClick hold lasts (FIRSTCLICK_HOLD_MS of the FirstClick routes; a test keeps them equal). */
export const FIRSTCLICK_HOLD_MS = 20_000;
const REDIS_PROTOCOLS = ['redis:', 'rediss:'];
const POSTGRES_PROTOCOLS = ['postgres:', 'postgresql:'];

export function loadConfig(env: Env = process.env): Config {
  const holdStore = env.HOLD_STORE || 'memory';
  if (holdStore !== 'memory' && holdStore !== 'redis' && holdStore !== 'postgres') {
    throw new ConfigError(`HOLD_STORE must be memory, redis or postgres, not ${JSON.stringify(holdStore)}`);
  }
  const redisSetting = env.REDIS_URL || !env.REDIS_ADDR ? 'REDIS_URL' : 'REDIS_ADDR';
  const redisUrl = env.REDIS_URL || (env.REDIS_ADDR ? `redis://${env.REDIS_ADDR}` : undefined);
  if (holdStore === 'redis' && !redisUrl) throw new ConfigError('HOLD_STORE=redis needs REDIS_URL (or REDIS_ADDR)');
  if (redisUrl) {
    try {
      checkUrl(redisSetting, redisUrl, REDIS_PROTOCOLS);
    } catch (e) {
      if (redisSetting === 'REDIS_URL') throw e;
      throw new ConfigError(`REDIS_ADDR must be host:port with a port from 1 to 65535, not ${JSON.stringify(env.REDIS_ADDR)}`);
    }
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl) checkUrl('DATABASE_URL', databaseUrl, POSTGRES_PROTOCOLS);
  const seconds = (name: string, fallbackMs: number) => integer(env, name, fallbackMs / 1000, 1) * 1000;
  const firstClick = boolean(env, 'FIRSTCLICK_COMPAT', true);
  const limits: BookingLimits = {
    holdTtlMs: seconds('HOLD_TTL', DEFAULT_LIMITS.holdTtlMs),
    maxHoldLifeMs: seconds('MAX_HOLD_LIFE', DEFAULT_LIMITS.maxHoldLifeMs),
    confirmGraceMs: seconds('CONFIRM_GRACE', DEFAULT_LIMITS.confirmGraceMs),
    maxSeatsPerHold: integer(env, 'MAX_SEATS_PER_HOLD', DEFAULT_LIMITS.maxSeatsPerHold, 1, 100),
    maxSeatsPerOwner: integer(env, 'MAX_SEATS_PER_OWNER', DEFAULT_LIMITS.maxSeatsPerOwner, 1, 1000),
  };
  // The booking service refuses a hold longer than MAX_HOLD_LIFE: these would refuse every hold.
  if (limits.holdTtlMs > limits.maxHoldLifeMs) {
    throw new ConfigError(`HOLD_TTL (${limits.holdTtlMs / 1000} s) cannot be longer than MAX_HOLD_LIFE (${limits.maxHoldLifeMs / 1000} s): every hold would be refused`);
  }
  if (firstClick && limits.maxHoldLifeMs < FIRSTCLICK_HOLD_MS) {
    throw new ConfigError(`MAX_HOLD_LIFE (${limits.maxHoldLifeMs / 1000} s) cannot be shorter than a FirstClick hold (${FIRSTCLICK_HOLD_MS / 1000} s) while FIRSTCLICK_COMPAT is on: every FirstClick hold would be refused`);
  }
  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '127.0.0.1',
    holdStore,
    redisUrl,
    redisSetting,
    redisKeyPrefix: env.REDIS_KEY_PREFIX || 'boxoffice:',
    databaseUrl,
    databaseSchema: schemaOf(env.DATABASE_SCHEMA || undefined),
    dataDir: resolve(env.DATA_DIR || 'data'),
    demoCatalog: boolean(env, 'DEMO_CATALOG', databaseUrl === undefined),
    limits,
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    tokenSecret: env.TOKEN_SECRET || undefined,
    firstClick,
    labEnabled: boolean(env, 'LAB_ENABLED', redisUrl === undefined && databaseUrl === undefined),
    admin: adminOf(env),
    accessTokenTtlMs: seconds('ACCESS_TOKEN_TTL', 15 * 60_000),
    corsOrigins: list(env.CORS_ORIGINS),
    trustProxy: proxiesOf(env.TRUST_PROXY),
    secureCookies: boolean(env, 'COOKIE_SECURE', false),
    rateLimits: {
      holdsPerMinute: integer(env, 'RATE_LIMIT_HOLDS', DEFAULT_RATE_LIMITS.holdsPerMinute, 1),
      extendsPerMinute: integer(env, 'RATE_LIMIT_EXTENDS', DEFAULT_RATE_LIMITS.extendsPerMinute, 1),
      confirmsPerMinute: integer(env, 'RATE_LIMIT_CONFIRMS', DEFAULT_RATE_LIMITS.confirmsPerMinute, 1),
      loginsPerMinute: integer(env, 'RATE_LIMIT_LOGINS', DEFAULT_RATE_LIMITS.loginsPerMinute, 1),
      guestsPerMinute: integer(env, 'RATE_LIMIT_GUESTS', DEFAULT_RATE_LIMITS.guestsPerMinute, 1),
      perIpFactor: integer(env, 'RATE_LIMIT_IP_FACTOR', DEFAULT_RATE_LIMITS.perIpFactor, 1),
      exempt: env.RATE_LIMIT_EXEMPT === undefined ? DEFAULT_RATE_LIMITS.exempt : list(env.RATE_LIMIT_EXEMPT),
    },
    checkout: checkoutOf(env, limits),
  };
}

function checkoutOf(env: Env, limits: BookingLimits): CheckoutConfig {
  const amqpUrl = env.AMQP_URL || undefined;
  if (amqpUrl) checkUrl('AMQP_URL', amqpUrl, ['amqp:', 'amqps:']);
  // By default 10 minutes, or MAX_HOLD_LIFE when that is shorter: the order's hold must last as long as its window.
  const paymentWindowMs = integer(env, 'PAYMENT_WINDOW', Math.min(600, Math.floor(limits.maxHoldLifeMs / 1000)), 1) * 1000;
  if (paymentWindowMs > limits.maxHoldLifeMs) {
    throw new ConfigError(`PAYMENT_WINDOW (${paymentWindowMs / 1000} s) cannot be longer than MAX_HOLD_LIFE (${limits.maxHoldLifeMs / 1000} s): an order's hold would end before its payment window`);
  }
  const latency = (env.GATEWAY_LATENCY_MS || '80-400').split('-').map(Number);
  if (latency.length !== 2 || !latency.every((n) => Number.isInteger(n) && n >= 0 && n <= 60_000) || latency[0]! > latency[1]!) {
    throw new ConfigError(`GATEWAY_LATENCY_MS must be min-max in ms (e.g. 80-400), not ${JSON.stringify(env.GATEWAY_LATENCY_MS)}`);
  }
  return {
    paymentWindowMs,
    cancelCutoffMs: integer(env, 'CANCEL_CUTOFF', 2 * 3600, 0) * 1000,
    amqpUrl,
    amqpPrefix: env.AMQP_PREFIX || 'boxoffice.',
    maxAttempts: integer(env, 'PAYMENT_MAX_ATTEMPTS', 6, 1, 50),
    backoffMs: integer(env, 'PAYMENT_BACKOFF_MS', 1000, 1, 3_600_000),
    prefetch: integer(env, 'PAYMENT_PREFETCH', 16, 1, 1000),
    inProcessWorker: boolean(env, 'PAYMENT_WORKER', true),
    gatewayLatencyMs: [latency[0]!, latency[1]!],
  };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** A PostgreSQL name of at most 63 characters once the lab adds `_lab` (src/lab/stores/lab-db.ts). */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,58}$/;

function schemaOf(schema: string | undefined): string | undefined {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new ConfigError(`DATABASE_SCHEMA must be lower-case letters, digits and _ (not starting with a digit, at most 59 characters), not ${JSON.stringify(schema)}`);
  }
  return schema;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(values as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${values.join(', ')}, not ${JSON.stringify(raw)}`);
  return raw as T;
}

/** TRUST_PROXY: addresses, CIDR ranges (`10.0.0.0/8`) or the names loopback, linklocal, uniquelocal. */
function proxiesOf(raw: string | undefined): string[] {
  const proxies = list(raw);
  for (const p of proxies) {
    const [address = '', bits, ...rest] = p.split('/');
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(p);
    const maxBits = isIP(address) === 6 ? 128 : 32;
    const cidrOk = bits === undefined || (/^[0-9]{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (!named && (isIP(address) === 0 || !cidrOk || rest.length > 0)) {
      throw new ConfigError(`TRUST_PROXY must list addresses, CIDR ranges or loopback, linklocal, uniquelocal, not ${JSON.stringify(p)}`);
    }
  }
  return proxies;
}

function adminOf(env: Env): Config['admin'] {
  const email = env.ADMIN_EMAIL || undefined;
  const password = env.ADMIN_PASSWORD || undefined;
  if (!email && !password) return undefined;
  if (!email || !password) throw new ConfigError('ADMIN_EMAIL and ADMIN_PASSWORD go together: set both or neither');
  // The account rules, checked here: refused at start, the admin account failed after the stores opened.
  if (normalEmail(email) === null) throw new ConfigError(`ADMIN_EMAIL must be an email address, not ${JSON.stringify(email)}`);
  if (!isPassword(password)) throw new ConfigError('ADMIN_PASSWORD must have 8 to 200 characters');
  return { email, password };
}

/** A connection URL that parses, with a known protocol and a port from 1 to 65535 when it has one. */
function checkUrl(name: string, raw: string, protocols: string[]): void {
  const shown = JSON.stringify(withoutPassword(raw));
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The URL parser also refuses a port above 65535 or one that is not a number.
    throw new ConfigError(`${name} is not a valid URL (a bad port or host?): ${shown}`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}, not ${shown}`);
  }
  if (url.port === '0') throw new ConfigError(`${name} must have a port from 1 to 65535, not ${shown}`);
}

const list = (raw: string | undefined): string[] => (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);

function integer(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(raw)}`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, not ${JSON.stringify(env[name])}`);
}
