import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { WebSocket } from 'ws';
import { startBoxoffice, type Boxoffice, type BoxofficeTuning } from '../../src/boxoffice.ts';
import { loadConfig } from '../../src/config.ts';
import { buildApp, type AppOptions } from '../../src/http/app.ts';
import type { GuestTokens } from '../../src/accounts/guest-tokens.ts';
import { seedPglite } from './pglite.ts';
import { DATABASE_URL, REDIS_URL, runId } from './services.ts';

export const SECRET = Buffer.from('test secret, never used outside tests');
/**
 * The embedded databases' folders in DATA_DIR, each started from the run's empty cluster: the
 * bookings' (src/stores/index.ts) always, the lab's (src/lab/stores/lab-db.ts, opened on first use)
 * when the test asks for the lab.
 */
const pgliteFolders = (env: Record<string, string>, options: TestServerOptions) =>
  options.lab !== undefined || env.LAB_ENABLED === 'true' ? ['db', 'lab-db'] : ['db'];

export interface TestServer {
  app: FastifyInstance;
  box: Boxoffice;
  tokens: GuestTokens;
  /** http://127.0.0.1:<port> once listen() ran. */
  url: string;
  listen(): Promise<string>;
  close(): Promise<void>;
}

export type TestServerOptions = Pick<AppOptions, 'rateLimits' | 'corsOrigins' | 'trustProxy'> &
  NonNullable<BoxofficeTuning['hub']> & { lab?: BoxofficeTuning['lab']; accounts?: BoxofficeTuning['accounts'] };

/** The real app over real stores. Without env overrides: the embedded default in a temp folder. */
export async function startTestServer(env: Record<string, string> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'boxoffice-http-'));
  if (!env.DATABASE_URL) for (const folder of pgliteFolders(env, options)) await seedPglite(join(dataDir, folder));
  const { rateLimits, corsOrigins, trustProxy, lab, accounts, ...hub } = options;
  const appOptions = { ...(rateLimits && { rateLimits }), ...(corsOrigins && { corsOrigins }), ...(trustProxy && { trustProxy }) };
  // The hub (built by the composition root) verifies the tokens the tests sign with SECRET.
  const box = await startBoxoffice(loadConfig({ DATA_DIR: dataDir, DEMO_CATALOG: 'true', TOKEN_SECRET: SECRET.toString(), ...env }), undefined, { hub, ...(lab && { lab }), ...(accounts && { accounts }) });
  const tokens = box.identity.guests;
  const app = await buildApp(box, { firstClick: true, ...appOptions });
  const server: TestServer = {
    app,
    box,
    tokens,
    url: '',
    async listen() {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      if (typeof address !== 'object' || !address) throw new Error('no address');
      server.url = `http://127.0.0.1:${address.port}`;
      return server.url;
    },
    async close() {
      await app.close();
      await box.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/**
 * Two instances sharing a real Redis (hold store, pub/sub, rate limits) and a real PostgreSQL, on a
 * key prefix and a schema of their own; close() stops both and drops the schema.
 */
export async function startTwoInstances(label: string, env: Record<string, string> = {}, appOptions: TestServerOptions = {}) {
  const id = runId(label);
  const shared = { HOLD_STORE: 'redis', REDIS_URL, REDIS_KEY_PREFIX: `${id}:`, DATABASE_URL, DATABASE_SCHEMA: id, DEMO_CATALOG: 'true', ...env };
  const a = await startTestServer(shared, appOptions);
  const b = await startTestServer(shared, appOptions);
  return {
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${id} CASCADE`);
      await client.end();
    },
  };
}

/** A WebSocket client that collects messages and can wait for one that matches. */
export async function wsClient(url: string) {
  const socket = new WebSocket(url);
  const messages: Record<string, unknown>[] = [];
  const waiters: { match: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  socket.on('message', (raw) => {
    const m = JSON.parse(raw.toString()) as Record<string, unknown>;
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.match(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    messages,
    send: (m: unknown) => socket.send(JSON.stringify(m)),
    /** Resolves with the first message (already received or coming) that matches. */
    next(match: (m: Record<string, unknown>) => boolean, timeoutMs = 3_000): Promise<Record<string, unknown>> {
      const seen = messages.find(match);
      if (seen) {
        messages.splice(messages.indexOf(seen), 1);
        return Promise.resolve(seen);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(messages.slice(-5))}`)), timeoutMs);
        waiters.push({
          match,
          resolve: (m) => {
            clearTimeout(timer);
            messages.splice(messages.indexOf(m), 1);
            resolve(m);
          },
        });
      });
    },
    close: () => socket.terminate(),
  };
}
