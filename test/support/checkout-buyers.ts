// Buyers over real HTTP (fetch against a listening test server), each with a guest token of its own,
// and the shared-services setup of the checkout fault tests (a PostgreSQL schema, a fresh prefix).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestServer } from './app.ts';
import { DATABASE_URL, REDIS_URL, runId } from './services.ts';

export const card = (number: string, cvc = '123') => ({ number, expMonth: 12, expYear: new Date().getFullYear() + 2, cvc });
export const CARDS = { good: '4242424242424242', declined: '4000000000000002', flaky: '4000000000000119', loseAnswer: '4000000000000259' };

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export interface OrderView {
  id: string;
  holdId: string;
  state: string;
  bookingId: string | null;
  reason: string | null;
  expiresAt: number;
  payments: { id: string; state: string; reason: string | null }[];
  refunds: { id: string; state: string }[];
}

/** One person buying: a guest token of their own, every call a real HTTP request. */
export class Buyer {
  constructor(
    private readonly url: string,
    readonly token: string,
  ) {}

  static of(s: TestServer): Buyer {
    return new Buyer(s.url, s.tokens.issue().token);
  }

  async call<T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer<T>> {
    const res = await fetch(`${this.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  /** Hold, checkout: the order, or null when a seat was not available or the hold expired before the checkout (a loaded machine). */
  async order(showtimeId: string, seats: string[]): Promise<OrderView | null> {
    const hold = await this.call('POST', `/showtimes/${showtimeId}/holds`, { seats });
    if (hold.status === 409) return null;
    if (hold.status !== 201) throw new Error(`hold ${seats.join(',')}: ${hold.status} ${JSON.stringify(hold.body)}`);
    const checkout = await this.call<OrderView>('POST', `/holds/${hold.body.id as string}/checkout`, { email: 'buyer@example.com' });
    if (checkout.status === 409 && (checkout.body as unknown as { code: string }).code === 'CHECKOUT_HOLD_EXPIRED') return null;
    if (checkout.status !== 201) throw new Error(`checkout: ${checkout.status} ${JSON.stringify(checkout.body)}`);
    return checkout.body;
  }

  /** Pays; the 202's payment id. */
  async pay(orderId: string, number: string, cvc = '123'): Promise<string> {
    const r = await this.call<{ payment: { id: string } }>('POST', `/orders/${orderId}/payments`, { card: card(number, cvc) });
    if (r.status !== 202) throw new Error(`pay ${orderId}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.payment.id;
  }

  async get(orderId: string): Promise<OrderView> {
    return (await this.call<OrderView>('GET', `/orders/${orderId}`)).body;
  }
}

/**
 * Shared services for one test run: its own PostgreSQL schema, Redis key prefix and AMQP prefix, and
 * the env a server and a worker process both get. drop() removes the schema.
 */
export function sharedServices(label: string, extra: Record<string, string> = {}) {
  const id = runId(label);
  const env: Record<string, string> = {
    DATABASE_URL,
    DATABASE_SCHEMA: id,
    REDIS_URL,
    REDIS_KEY_PREFIX: `${id}:`,
    AMQP_PREFIX: `${id}.`,
    DEMO_CATALOG: 'true',
    ...extra,
  };
  return {
    id,
    env,
    async drop() {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${id} CASCADE`);
      await client.end();
    },
  };
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `npm run worker` as it runs in production: src/worker.ts in a process of its own (its own pid, killable with SIGKILL). */
export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  running(): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env, DEMO_CATALOG: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    output: () => output,
    async running() {
      // src/worker.ts logs this once its consumer is on the queue.
      // Generous: under tsx a cold start compiles the whole app, slow on a loaded 2-core machine.
      const deadline = Date.now() + 60_000;
      while (!/payment worker (running|started)/.test(output)) {
        if (done) throw new Error(`the worker exited at start-up:\n${output}`);
        if (Date.now() > deadline) throw new Error(`the worker did not start within 60 s:\n${output}`);
        await sleep(50);
      }
    },
    async kill(signal) {
      if (!done) child.kill(signal);
      return exited;
    },
  };
}
