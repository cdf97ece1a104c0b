// Finds the real Redis, PostgreSQL and RabbitMQ a test suite needs. Without them a suite is skipped with the
// reason printed; with REQUIRE_SERVICES=1 (as .ci/run sets) a missing service fails the run instead.
import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const required = process.env.REQUIRE_SERVICES === '1';

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port), hostname.replace(/^\[|\]$/g, ''), () => done(true));
  });
}

/**
 * Resolves to false when the service is up, or to the reason the suite is skipped.
 * Throws when REQUIRE_SERVICES=1 and the service is down.
 */
async function service(name: string, url: string): Promise<false | string> {
  if (await reachable(url)) return false;
  const reason = `${name} is not reachable at ${url}`;
  if (required) throw new Error(`${reason}, and REQUIRE_SERVICES=1 requires it`);
  console.log(`# SKIPPED: ${reason} (set REQUIRE_SERVICES=1 to fail instead)`);
  return `${reason}: suite skipped`;
}

export const redisSkip = () => service('Redis', REDIS_URL);
export const postgresSkip = () => service('PostgreSQL', DATABASE_URL);
export const rabbitSkip = () => service('RabbitMQ', AMQP_URL);

/** A name no other test run uses: for key prefixes and schemas. */
export const runId = (label: string) => `${label}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
