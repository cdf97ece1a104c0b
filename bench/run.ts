// npm run bench: starts Boxoffice itself (embedded default, and on Redis / PostgreSQL when they are
// up), drives it from this separate process over 127.0.0.1, and reports every figure beside a
// baseline measured in the same run. Writes bench/results/latest.{json,md}. Bounded: ~5 minutes,
// of which the checkout part (Redis + PostgreSQL + RabbitMQ) is about 90 s.
// BENCH_ONLY=checkout runs the checkout part alone and writes bench/results/checkout.{json,md}.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import pg from 'pg';
import { WebSocket } from 'ws';
import { drive, HttpClient, percentile } from '../src/cli/http-client.ts';
import { gridLayout } from '../src/domain/layout.ts';
import { GuestTokens } from '../src/accounts/guest-tokens.ts';
import { PostgresBookingRepository } from '../src/stores/postgres/booking-repository.ts';
import { openDb } from '../src/stores/postgres/db.ts';
import { MemoryHoldStore } from '../src/stores/memory/memory-hold-store.ts';
import { openRedisHoldStore } from '../src/stores/redis/redis-hold-store.ts';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECRET = 'bench secret';
const CONCURRENCY = 64;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const SHOWTIMES = 100; // x 500 seats: room for every hold of the holds/s run
const HOT_REQUESTS = 10_000;
const FANOUT_CLIENTS = Number(process.env.BENCH_FANOUT ?? 5_000);
const KEYSPACE_SEATS = Number(process.env.BENCH_KEYSPACE_SEATS ?? 1_000_000);
const AMQP_URL = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const ONLY = process.env.BENCH_ONLY ?? '';
if (!['', 'checkout', 'stores'].includes(ONLY)) throw new Error(`BENCH_ONLY must be checkout or stores, not ${JSON.stringify(ONLY)}`);
/** Checkouts run for this long per queue; the backlog the worker drains is this many charges. */
const CHECKOUT_SECONDS = Number(process.env.BENCH_CHECKOUT_SECONDS ?? 8);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 300);
/** Buyers checking out at once: each is a lane that holds, checks out, pays and waits for its booking. */
const BUYERS = Number(process.env.BENCH_BUYERS ?? 32);
/** Small, so the figure is Boxoffice's and not the simulated bank's (the default is 80-400 ms). */
const GATEWAY_LATENCY_MS = '5-20';
/** BENCH_PROFILE=<dir>: the checkout server and worker processes write a V8 CPU profile there (node --cpu-prof). */
const PROFILE_DIR = process.env.BENCH_PROFILE ?? '';

interface Row {
  scenario: string;
  store: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
  /** value / baseline.value */
  ratio?: number;
  p50?: number;
  p99?: number;
  max?: number;
  note?: string;
  /** CPU time (user + system, from /proc/<pid>/stat) per completed unit, and the load generator's share of one core. */
  cpu?: { serverMs?: number; workerMs?: number; postgresMs?: number; loadGeneratorCore: number };
}
const rows: Row[] = [];
const log = (s: string) => process.stderr.write(`${s}\n`);
const tokens = new GuestTokens(Buffer.from(SECRET));

function record(row: Row): void {
  if (row.baseline) row.ratio = row.value / row.baseline.value;
  rows.push(row);
  log(`  ${row.scenario} [${row.store}]: ${fmt(row.value)} ${row.unit}${row.ratio !== undefined ? ` (${(row.ratio * 100).toFixed(1)}% of ${row.baseline!.name})` : ''}${row.p50 !== undefined ? `, p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99!.toFixed(2)} ms` : ''}${row.cpu ? `; ${cpuText(row.cpu)}` : ''}`);
}

function cpuText(cpu: NonNullable<Row['cpu']>): string {
  const parts = [];
  if (cpu.serverMs !== undefined) parts.push(`server CPU ${cpu.serverMs.toFixed(2)} ms`);
  if (cpu.workerMs !== undefined) parts.push(`worker CPU ${cpu.workerMs.toFixed(2)} ms`);
  if (cpu.postgresMs !== undefined) parts.push(`PostgreSQL CPU ${cpu.postgresMs.toFixed(2)} ms`);
  return `${parts.join(' + ')} each; load generator ${(cpu.loadGeneratorCore * 100).toFixed(0)}% of a core`;
}

const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en') : x.toFixed(2));

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port), hostname, () => done(true));
  });
}

/** A child process that prints `readyText` when it listens. Killed on stop or when the bench dies. */
async function startChild(args: string[], env: Record<string, string>, readyText: RegExp, nodeFlags: string[] = []): Promise<{ child: ChildProcess; match: RegExpMatchArray; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  let output = '';
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 60 s: ${output}`)), 60_000);
    const onData = (d: Buffer) => {
      output += d;
      const m = output.match(readyText);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
  return {
    child,
    match,
    async stop() {
      process.off('exit', kill);
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** Requests per second of one request shape at CONCURRENCY for SECONDS. */
async function rate(client: HttpClient, send: (i: number) => Promise<{ status: number; ms: number }>, expect: number) {
  const latencies: number[] = [];
  let bad = 0;
  const { ran, elapsedMs } = await drive({ concurrency: CONCURRENCY, durationMs: SECONDS * 1000 }, async (i) => {
    const r = await send(i);
    latencies.push(r.ms);
    if (r.status !== expect) bad++;
  });
  if (bad > 0) throw new Error(`${bad} of ${ran} requests did not answer ${expect}`);
  return { perSecond: ran / (elapsedMs / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99), count: ran };
}

async function httpCeiling(): Promise<number> {
  log('baseline: bare Fastify route');
  const bare = await startChild(['bench/bare-server.ts'], { PORT: '0' }, /listening (\d+)/);
  const client = new HttpClient(`http://127.0.0.1:${bare.match[1]}`, CONCURRENCY);
  try {
    const body = { seats: ['A1'] };
    const r = await rate(client, () => client.request('POST', '/hold', { body, token: tokens.issue().token }), 201);
    record({ scenario: 'HTTP ceiling: bare Fastify route, hold-sized JSON', store: '-', value: r.perSecond, unit: 'req/s', p50: r.p50, p99: r.p99 });
    return r.perSecond;
  } finally {
    client.close();
    await bare.stop();
  }
}

async function seed(env: Record<string, string>): Promise<void> {
  const db = await openDb(env.DATABASE_URL ? { url: env.DATABASE_URL, schema: env.DATABASE_SCHEMA! } : { dataDir: join(env.DATA_DIR!, 'db') });
  const repo = new PostgresBookingRepository(db);
  await repo.saveTheater({ id: 'bench', name: 'Bench' });
  await repo.saveScreen({ id: 'bench-hall', theaterId: 'bench', name: 'Bench hall', layout: gridLayout({ rows: 20, seatsPerRow: 25 }) });
  await repo.saveScreen({ id: 'bench-small', theaterId: 'bench', name: 'Bench small', layout: gridLayout({ rows: 4, seatsPerRow: 6 }) });
  await repo.saveMovie({ id: 'bench', title: 'Bench', durationMinutes: 100 });
  // A day apart: showtimes of one screen must not overlap.
  const day = (n: number) => Date.now() + n * 86_400_000;
  for (let i = 0; i < SHOWTIMES; i++) await repo.saveShowtime({ id: `bench-${i}`, movieId: 'bench', screenId: 'bench-hall', startsAt: day(i + 1) });
  await repo.saveShowtime({ id: 'bench-read', movieId: 'bench', screenId: 'bench-hall', startsAt: day(SHOWTIMES + 1) });
  await repo.saveShowtime({ id: 'bench-hot', movieId: 'bench', screenId: 'bench-hall', startsAt: day(SHOWTIMES + 2) });
  await repo.saveShowtime({ id: 'bench-fanout', movieId: 'bench', screenId: 'bench-small', startsAt: day(1) });
  await db.close();
}

const seatName = (i: number) => `${String.fromCharCode(65 + Math.floor((i % 500) / 25))}${(i % 25) + 1}`;

/**
 * A bench server's settings: a run id (its Redis key prefix, PostgreSQL schema), a new data folder,
 * no demo catalog, quiet logs, no lab; `settings` adds the store's and names what depends on the id.
 */
async function serverEnv(settings: (id: string) => Record<string, string>): Promise<{ id: string; dataDir: string; env: Record<string, string> }> {
  const id = `bench_${randomUUID().slice(0, 8)}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'boxoffice-bench-'));
  const env = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    TOKEN_SECRET: SECRET,
    DEMO_CATALOG: 'false',
    MAX_SEATS_PER_OWNER: '1000',
    LOG_LEVEL: 'warn',
    LAB_ENABLED: 'false',
    REDIS_KEY_PREFIX: `${id}:`,
    ...settings(id),
  };
  return { id, dataDir, env };
}

async function benchStore(store: 'memory' | 'redis' | 'postgres', ceiling: number): Promise<void> {
  log(`store: ${store}`);
  const { id, dataDir, env } = await serverEnv((id) => ({
    HOLD_STORE: store,
    REDIS_URL: store === 'redis' ? REDIS_URL : '',
    DATABASE_URL: store === 'memory' ? '' : DATABASE_URL,
    DATABASE_SCHEMA: store === 'memory' ? '' : id,
  }));
  await seed(env);
  // PORT=0: the server logs the port it got.
  const server = await startChild(['src/server.ts'], { ...env, LOG_LEVEL: 'info' }, /Boxoffice is serving http:\/\/127\.0\.0\.1:(\d+)/);
  const base = `http://127.0.0.1:${server.match[1]}`;
  const client = new HttpClient(base, CONCURRENCY);
  const pid = server.child.pid!;
  try {
    // Holds of distinct seats: showtime after showtime, one seat per request, a new buyer each time.
    const held: { id: string; token: string }[] = [];
    const holds = await rate(
      client,
      async (i) => {
        const token = tokens.issue().token;
        const r = await client.request('POST', `/api/v1/showtimes/bench-${Math.floor(i / 500)}/holds`, { token, body: { seats: [seatName(i)] } });
        if (r.status === 201) held.push({ id: (r.body as { id: string }).id, token });
        return r;
      },
      201,
    );
    record({ scenario: 'holds of distinct seats over HTTP', store, value: holds.perSecond, unit: 'holds/s', baseline: { name: 'HTTP ceiling', value: ceiling, unit: 'req/s' }, p50: holds.p50, p99: holds.p99 });
    if (store === 'memory') await memoryStoreHeap();
    if (store === 'postgres') {
      const c = new pg.Client({ connectionString: DATABASE_URL });
      await c.connect();
      const { bytes } = (await c.query(`SELECT pg_total_relation_size('${id}.hold_seats') + pg_total_relation_size('${id}.hold_holds') AS bytes`)).rows[0] as { bytes: string };
      await c.end();
      record({ scenario: 'memory per held seat (hold tables on disk / seats held)', store, value: Number(bytes) / held.length, unit: 'bytes', note: `${held.length} seats, indexes included` });
    }

    // Confirms of those holds.
    const confirms = await rate(client, (i) => {
      const h = held[i % held.length]!;
      return client.request('POST', `/api/v1/holds/${encodeURIComponent(h.id)}/confirm`, { token: h.token });
    }, 200);
    record({ scenario: 'confirms over HTTP', store, value: confirms.perSecond, unit: 'confirms/s', baseline: { name: 'HTTP ceiling', value: ceiling, unit: 'req/s' }, p50: confirms.p50, p99: confirms.p99, note: confirms.count > held.length ? 'later rounds are idempotent repeats' : undefined });

    // The hot seat: 10,000 requests at once for one seat.
    const hot = new HttpClient(base, 1_000);
    const hotTokens = Array.from({ length: HOT_REQUESTS }, () => tokens.issue().token);
    const started = performance.now();
    const statuses = await Promise.all(hotTokens.map((token) => hot.request('POST', '/api/v1/showtimes/bench-hot/holds', { token, body: { seats: ['J13'] } }).then((r) => r.status)));
    const hotMs = performance.now() - started;
    hot.close();
    const winners = statuses.filter((s) => s === 201).length;
    const others = statuses.filter((s) => s !== 201 && s !== 409).length;
    if (winners !== 1 || others !== 0) throw new Error(`hot seat: ${winners} winners, ${others} unexpected answers`);
    record({ scenario: `hot seat: ${HOT_REQUESTS.toLocaleString('en')} concurrent holds of one seat, all answered`, store, value: hotMs, unit: 'ms', note: 'exactly one 201, the rest 409' });

    // Seat map reads of a 500-seat showtime, half of it held.
    const owner = tokens.issue().token;
    for (let i = 0; i < 25; i++) {
      const seats = Array.from({ length: 10 }, (_, j) => seatName(i * 20 + j));
      await client.request('POST', '/api/v1/showtimes/bench-read/holds', { token: owner, body: { seats } });
    }
    const read = () => rate(client, () => client.request('GET', '/api/v1/showtimes/bench-read/seats'), 200);
    const reads = await read();
    record({ scenario: 'seat map reads, 500-seat showtime', store, value: reads.perSecond, unit: 'reads/s', baseline: { name: 'HTTP ceiling', value: ceiling, unit: 'req/s' }, p50: reads.p50, p99: reads.p99 });

    if (store === 'redis') await keyspace(id, reads.perSecond, read);
    if (store === 'memory') await fanout(base, pid);
  } finally {
    client.close();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
    if (store !== 'memory') {
      const c = new pg.Client({ connectionString: DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${id} CASCADE`);
      await c.end();
    }
    if (store === 'redis') await dropRedisPrefix(id);
  }
}

/** The memory store's heap per held seat, measured in this process between two full collections. */
async function memoryStoreHeap(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const store = new MemoryHoldStore();
  const showtimes = 100;
  for (let s = 0; s < showtimes; s++) await store.restore(`m-${s}`, []);
  gc();
  const before = process.memoryUsage().heapUsed;
  const seats = showtimes * 500;
  for (let i = 0; i < seats / 10; i++) {
    const s = Math.floor((i * 10) / 500);
    const held = Array.from({ length: 10 }, (_, j) => seatName(((i * 10) % 500) + j)).sort();
    await store.hold({ holdId: `m-${s}.h${i}`, showtimeId: `m-${s}`, owner: `guest:o${i}`, seats: held, ttlMs: 600_000, maxSeatsPerOwner: 10 });
  }
  gc();
  const perSeat = (process.memoryUsage().heapUsed - before) / seats;
  record({ scenario: 'memory per held seat (memory store heap after GC / seats held)', store: 'memory', value: perSeat, unit: 'bytes', note: `${seats.toLocaleString('en')} seats in holds of 10` });
  await store.close();
}

/** Redis: the raw SET NX ceiling against the hold script, then seat-map reads with 1,000,000 seats held elsewhere. */
async function keyspace(prefix: string, readsBefore: number, read: () => Promise<{ perSecond: number; p50: number; p99: number }>): Promise<void> {
  const redis = new Redis(REDIS_URL, { enableAutoPipelining: true });
  const store = await openRedisHoldStore({ url: REDIS_URL, keyPrefix: `${prefix}:` });
  try {
    const setNx = await drive({ concurrency: CONCURRENCY, durationMs: 3_000 }, async (i) => {
      await redis.set(`${prefix}:raw:${i}`, '1', 'PX', 600_000, 'NX');
    });
    const setNxRate = setNx.ran / (setNx.elapsedMs / 1000);
    record({ scenario: 'Redis ceiling: SET NX PX through ioredis', store: 'redis', value: setNxRate, unit: 'ops/s' });
    await store.restore('bench-direct', []);
    const direct = await drive({ concurrency: CONCURRENCY, durationMs: 3_000 }, async (i) => {
      await store.hold({ holdId: `bench-direct.h${i}`, showtimeId: 'bench-direct', owner: `o${i}`, seats: [`S${i}`], ttlMs: 600_000, maxSeatsPerOwner: 10 });
    });
    record({ scenario: 'hold script, in-process (no HTTP)', store: 'redis', value: direct.ran / (direct.elapsedMs / 1000), unit: 'holds/s', baseline: { name: 'SET NX ceiling', value: setNxRate, unit: 'ops/s' } });

    log(`  filling Redis with ${KEYSPACE_SEATS.toLocaleString('en')} held seats across other showtimes`);
    const memBefore = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
    const perShowtime = 500;
    const showtimes = Math.ceil(KEYSPACE_SEATS / perShowtime);
    for (let s = 0; s < showtimes; s++) await store.restore(`fill-${s}`, []);
    const fillStarted = performance.now();
    await drive({ concurrency: 256, total: KEYSPACE_SEATS / 10 }, async (i) => {
      const s = Math.floor((i * 10) / perShowtime);
      const seats = Array.from({ length: 10 }, (_, j) => seatName(((i * 10) % perShowtime) + j)).sort();
      await store.hold({ holdId: `fill-${s}.h${i}`, showtimeId: `fill-${s}`, owner: `o${i}`, seats, ttlMs: 3_600_000, maxSeatsPerOwner: 10 });
    });
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    const memAfter = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
    record({ scenario: 'memory per held seat (Redis used_memory growth / seats held)', store: 'redis', value: (memAfter - memBefore) / KEYSPACE_SEATS, unit: 'bytes', note: `${KEYSPACE_SEATS.toLocaleString('en')} seats in holds of 10, filled in ${fillSeconds.toFixed(1)} s` });
    const after = await read();
    record({ scenario: `seat map reads with ${KEYSPACE_SEATS.toLocaleString('en')} seats held in other showtimes`, store: 'redis', value: after.perSecond, unit: 'reads/s', baseline: { name: 'same reads on an empty keyspace', value: readsBefore, unit: 'reads/s' }, p50: after.p50, p99: after.p99 });
  } finally {
    await store.close();
    redis.disconnect();
  }
}

/** 5,000 WebSocket clients on one showtime, one seat change: when does the last one have it? */
async function fanout(base: string, pid: number): Promise<void> {
  const url = `${base.replace('http', 'ws')}/ws`;
  const rssBefore = await rssOf(pid);
  const clients: WebSocket[] = [];
  const received: number[] = [];
  let sentAt = 0;
  let subscribed = 0;
  const all = new Promise<void>((resolve) => {
    for (let i = 0; i < FANOUT_CLIENTS; i++) {
      const ws = new WebSocket(url);
      clients.push(ws);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', showtime: 'bench-fanout' })));
      ws.on('message', (raw) => {
        const m = JSON.parse(raw.toString()) as { type: string };
        if (m.type === 'snapshot' && ++subscribed === FANOUT_CLIENTS) resolve();
        if (m.type === 'delta') received.push(performance.now() - sentAt);
      });
      ws.on('error', () => {});
    }
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`only ${subscribed} of ${FANOUT_CLIENTS} clients subscribed in 60 s`)), 60_000));
  await Promise.race([all, timeout]);
  const perConnection = ((await rssOf(pid)) - rssBefore) / FANOUT_CLIENTS;
  const client = new HttpClient(base, 1);
  sentAt = performance.now();
  const r = await client.request('POST', '/api/v1/showtimes/bench-fanout/holds', { token: tokens.issue().token, body: { seats: ['B2'] } });
  client.close();
  if (r.status !== 201) throw new Error(`fan-out hold answered ${r.status}`);
  const deadline = Date.now() + 30_000;
  while (received.length < FANOUT_CLIENTS && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
  for (const ws of clients) ws.terminate();
  if (received.length < FANOUT_CLIENTS) throw new Error(`only ${received.length} of ${FANOUT_CLIENTS} clients got the change`);
  record({
    scenario: `WebSocket fan-out: ${FANOUT_CLIENTS.toLocaleString('en')} subscribers, one seat change, until the last has it`,
    store: 'memory',
    value: percentile(received, 100),
    unit: 'ms',
    p50: percentile(received, 50),
    p99: percentile(received, 99),
    max: percentile(received, 100),
    note: 'from sending the hold request',
  });
  record({ scenario: 'server memory per connected WebSocket client (RSS growth / clients)', store: 'memory', value: perConnection, unit: 'bytes' });
}

// ---------------------------------------------------------------------------------------------
// Checkout (issue 11): checkouts paid end to end per second, and the payment worker's messages per
// second, on the embedded queue (payment_outbox is the queue) and on RabbitMQ. One deployment per
// queue, as it runs in production: the server (Redis holds, PostgreSQL server, PAYMENT_WORKER=false)
// and `npm run worker` in a process of its own, both started here; the load comes from this process.

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU time (user + system) a process has used so far, in ms: /proc/<pid>/stat fields 14 and 15. */
async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** CPU used so far by the PostgreSQL backends serving one application_name, by backend pid. */
async function postgresCpuOf(db: pg.Client, applicationName: string): Promise<Map<number, number>> {
  const { rows } = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
  const cpu = new Map<number, number>();
  for (const { pid } of rows) await cpuMsOf(pid).then((ms) => cpu.set(pid, ms), () => {}); // gone meanwhile
  return cpu;
}

/**
 * CPU of the processes of a measurement, from now until the returned function is called: per unit,
 * and this process's share of a core. PostgreSQL: the backends of the server's and the worker's
 * pools (their application_name); a backend that exits in between takes its share with it.
 */
function cpuMeter(pids: { server: number; worker?: number }, postgres?: { db: pg.Client; applicationName: string }) {
  const read = async () => ({
    server: await cpuMsOf(pids.server),
    worker: pids.worker ? await cpuMsOf(pids.worker) : 0,
    postgres: postgres ? await postgresCpuOf(postgres.db, postgres.applicationName) : new Map<number, number>(),
    self: process.cpuUsage(),
    at: performance.now(),
  });
  const before = read();
  return async (units: number): Promise<NonNullable<Row['cpu']>> => {
    const [a, b] = [await before, await read()];
    const selfMs = (b.self.user + b.self.system - a.self.user - a.self.system) / 1000;
    let postgresMs = 0;
    for (const [pid, ms] of b.postgres) postgresMs += ms - (a.postgres.get(pid) ?? 0);
    return {
      serverMs: (b.server - a.server) / units,
      ...(pids.worker && { workerMs: (b.worker - a.worker) / units }),
      ...(postgres && { postgresMs: postgresMs / units }),
      loadGeneratorCore: selfMs / (b.at - a.at),
    };
  };
}

const CHECKOUT_HOLD_SHOWTIMES = 40; // x 500 seats for the holds/s run
const CHECKOUT_PAY_SHOWTIMES = 30; // x 500 seats for the backlog and the checkouts
const PRICES = { currency: 'EUR', standard: 900, premium: 1200, accessible: 700 };
const card = { number: '4242424242424242', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' };

async function seedCheckout(env: Record<string, string>): Promise<void> {
  const db = await openDb({ url: env.DATABASE_URL!, schema: env.DATABASE_SCHEMA! });
  const repo = new PostgresBookingRepository(db);
  await repo.saveTheater({ id: 'bench', name: 'Bench' });
  await repo.saveScreen({ id: 'bench-hall', theaterId: 'bench', name: 'Bench hall', layout: gridLayout({ rows: 20, seatsPerRow: 25 }) });
  await repo.saveMovie({ id: 'bench', title: 'Bench', durationMinutes: 100 });
  const day = (n: number) => Date.now() + n * 86_400_000;
  for (let i = 0; i < CHECKOUT_HOLD_SHOWTIMES; i++) await repo.saveShowtime({ id: `hold-${i}`, movieId: 'bench', screenId: 'bench-hall', startsAt: day(i + 1) });
  for (let i = 0; i < CHECKOUT_PAY_SHOWTIMES; i++) {
    await repo.saveShowtime({ id: `pay-${i}`, movieId: 'bench', screenId: 'bench-hall', startsAt: day(CHECKOUT_HOLD_SHOWTIMES + i + 1), prices: PRICES });
  }
  await db.close();
}

/** Milliseconds of each step of the checkouts, to say where a checkout's time goes. */
interface Steps {
  hold: number[];
  checkout: number[];
  pay: number[];
  /** From the payment's 202 to the order's `paid` on /ws: the queue and the worker. */
  worker: number[];
}

/** One buyer's way to a paid order up to the payment: hold one seat, check out, pay (202). The order id. */
async function holdCheckoutPay(client: HttpClient, token: string, seat: number, beforePay?: (orderId: string) => void, steps?: Steps): Promise<string> {
  const hold = await client.request('POST', `/api/v1/showtimes/pay-${Math.floor(seat / 500)}/holds`, { token, body: { seats: [seatName(seat)] } });
  if (hold.status !== 201) throw new Error(`hold answered ${hold.status}: ${JSON.stringify(hold.body)}`);
  steps?.hold.push(hold.ms);
  const holdId = (hold.body as { id: string }).id;
  const order = await client.request('POST', `/api/v1/holds/${encodeURIComponent(holdId)}/checkout`, { token, body: { email: 'bench@example.com' } });
  if (order.status !== 201) throw new Error(`checkout answered ${order.status}: ${JSON.stringify(order.body)}`);
  steps?.checkout.push(order.ms);
  const orderId = (order.body as { id: string }).id;
  beforePay?.(orderId);
  const paid = await client.request('POST', `/api/v1/orders/${orderId}/payments`, { token, body: { card } });
  if (paid.status !== 202) throw new Error(`payment answered ${paid.status}: ${JSON.stringify(paid.body)}`);
  steps?.pay.push(paid.ms);
  return orderId;
}

/** A buyer's /ws following its orders: `outcome(id)` resolves with the order's state once it leaves pending_payment, whether before or after the call. */
async function followOrders(url: string, token: string) {
  const ws = new WebSocket(url);
  const states = new Map<string, string>();
  const waiting = new Map<string, () => void>();
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'follow-orders', token })));
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as { type: string; order?: { id: string; state: string } };
      if (m.type === 'following-orders') resolve();
      if (m.type === 'order' && m.order) {
        states.set(m.order.id, m.order.state);
        if (m.order.state !== 'pending_payment') waiting.get(m.order.id)?.();
      }
    });
  });
  return {
    outcome(orderId: string, timeoutMs: number): Promise<string> {
      return new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          waiting.delete(orderId);
          resolve(states.get(orderId)!);
        };
        const timer = setTimeout(() => (waiting.delete(orderId), reject(new Error(`order ${orderId}: no outcome on /ws in ${timeoutMs} ms`))), timeoutMs);
        waiting.set(orderId, done);
        if (states.has(orderId) && states.get(orderId) !== 'pending_payment') done();
      });
    },
    close: () => ws.terminate(),
  };
}

async function benchCheckout(queue: 'embedded' | 'rabbitmq'): Promise<void> {
  const store = queue === 'embedded' ? 'redis+pg, embedded queue' : 'redis+pg, RabbitMQ';
  log(`checkout: ${store}`);
  const { id, dataDir, env } = await serverEnv((id) => ({
    HOLD_STORE: 'redis',
    REDIS_URL,
    // The name marks this run's PostgreSQL backends, whose CPU is measured too.
    DATABASE_URL: `${DATABASE_URL}?application_name=${id}`,
    DATABASE_SCHEMA: id,
    AMQP_URL: queue === 'rabbitmq' ? AMQP_URL : '',
    AMQP_PREFIX: `${id}.`,
    PAYMENT_WORKER: 'false',
    GATEWAY_LATENCY_MS,
  }));
  await seedCheckout(env);
  const profile = (role: string) => (PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, `${role}-${queue}-${id}`)}`] : []);
  const server = await startChild(['src/server.ts'], { ...env, LOG_LEVEL: 'info' }, /Boxoffice is serving http:\/\/127\.0\.0\.1:(\d+)/, profile('server'));
  const base = `http://127.0.0.1:${server.match[1]}`;
  const client = new HttpClient(base, CONCURRENCY);
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  await db.query(`SET search_path TO ${id}`);
  const pgApp = { db, applicationName: id };
  let worker: Awaited<ReturnType<typeof startChild>> | undefined;
  try {
    // 1. Holds/s of this very server: the baseline the checkouts stand beside.
    let meter = cpuMeter({ server: server.child.pid! }, pgApp);
    const holds = await rate(client, (i) => client.request('POST', `/api/v1/showtimes/hold-${Math.floor(i / 500)}/holds`, { token: tokens.issue().token, body: { seats: [seatName(i)] } }), 201);
    const holdRow: Row = { scenario: 'holds of distinct seats over HTTP, on the checkout server', store, value: holds.perSecond, unit: 'holds/s', p50: holds.p50, p99: holds.p99, cpu: await meter(holds.count) };
    record(holdRow);

    // 2. The worker's messages/s: a backlog of charges enqueued while no worker runs, then one
    //    worker process started and timed until every order of the backlog is paid.
    let seat = 0;
    const backlogStarted = performance.now();
    await drive({ concurrency: BUYERS, total: BACKLOG }, async () => {
      await holdCheckoutPay(client, tokens.issue().token, seat++);
    });
    log(`  backlog of ${BACKLOG} paid orders made in ${((performance.now() - backlogStarted) / 1000).toFixed(1)} s`);
    // RabbitMQ: the server's relay has published the backlog before the worker starts, so the
    // drain is the consumer's work alone.
    const deadline = Date.now() + 30_000;
    while (queue === 'rabbitmq' && Number((await db.query('SELECT count(*) AS n FROM payment_outbox WHERE published_at IS NULL')).rows[0].n) > 0) {
      if (Date.now() > deadline) throw new Error('the relay did not publish the backlog in 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    worker = await startChild(['src/worker.ts'], { ...env, LOG_LEVEL: 'info' }, /payment worker running/, profile('worker'));
    // Timed from the tenth of the backlog on: the first messages also pay for loading and compiling
    // the worker's code paths. CPU over the same stretch.
    const paidCount = async () => Number(((await db.query(`SELECT count(*) AS n FROM orders WHERE state = 'paid'`)).rows[0] as { n: string }).n);
    const drainDeadline = Date.now() + 60_000;
    let from = 0;
    let fromAt = 0;
    for (;;) {
      const n = await paidCount();
      if (!fromAt && n >= BACKLOG / 10) {
        meter = cpuMeter({ server: server.child.pid!, worker: worker.child.pid! }, pgApp);
        [from, fromAt] = [n, performance.now()];
      }
      if (n === BACKLOG) break;
      if (Date.now() > drainDeadline) throw new Error(`the worker paid ${n} of ${BACKLOG} orders in 60 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const drainCpu = await meter(BACKLOG - from);
    const drainMs = performance.now() - fromAt;
    const stuck = (await db.query(`SELECT count(*) AS n FROM payments WHERE state <> 'succeeded'`)).rows[0] as { n: string };
    if (Number(stuck.n) > 0) throw new Error(`${stuck.n} payments of the backlog did not succeed`);
    record({
      scenario: `payment worker: a backlog of ${BACKLOG} charges drained by one worker process (charge, book, order paid)`,
      store,
      value: (BACKLOG - from) / (drainMs / 1000),
      unit: 'messages/s',
      note: `gateway latency ${GATEWAY_LATENCY_MS} ms, PAYMENT_PREFETCH 16; timed from the ${from}th paid order to the last`,
      cpu: drainCpu,
    });

    // 3. Checkouts end to end, the worker process running: each buyer holds a seat, checks out,
    //    pays and waits until /ws says the order is paid, then starts again with the next seat.
    const wsUrl = `${base.replace('http', 'ws')}/ws`;
    const buyers = await Promise.all(Array.from({ length: BUYERS }, async () => {
      const token = tokens.issue().token;
      return { token, ws: await followOrders(wsUrl, token) };
    }));
    // Warm-up, not counted: one checkout per buyer, so the paths of /ws and of a paid order's view
    // are loaded and compiled before the clock and the CPU meters start.
    await Promise.all(buyers.map(async ({ token, ws }) => {
      let outcome!: Promise<string>;
      await holdCheckoutPay(client, token, seat++, (orderId) => {
        outcome = ws.outcome(orderId, 30_000);
      });
      await outcome;
    }));
    const latencies: number[] = [];
    const steps: Steps = { hold: [], checkout: [], pay: [], worker: [] };
    const outcomes = new Map<string, number>();
    meter = cpuMeter({ server: server.child.pid!, worker: worker.child.pid! }, pgApp);
    const started = performance.now();
    const end = started + CHECKOUT_SECONDS * 1000;
    await Promise.all(buyers.map(async ({ token, ws }) => {
      while (performance.now() < end) {
        const t0 = performance.now();
        let outcome!: Promise<string>;
        await holdCheckoutPay(client, token, seat++, (orderId) => {
          outcome = ws.outcome(orderId, 30_000);
        }, steps);
        const t1 = performance.now();
        const state = await outcome;
        steps.worker.push(performance.now() - t1);
        outcomes.set(state, (outcomes.get(state) ?? 0) + 1);
        latencies.push(performance.now() - t0);
      }
    }));
    const elapsed = performance.now() - started;
    for (const b of buyers) b.ws.close();
    const paid = outcomes.get('paid') ?? 0;
    if (paid !== latencies.length) throw new Error(`checkouts ended ${JSON.stringify(Object.fromEntries(outcomes))}`);
    const booked = (await db.query(`SELECT count(*) AS n FROM orders o JOIN bookings b ON b.id = o.booking_id WHERE o.state = 'paid'`)).rows[0] as { n: string };
    if (Number(booked.n) !== BACKLOG + BUYERS + paid) throw new Error(`${booked.n} paid orders have a booking, expected ${BACKLOG + BUYERS + paid}`);
    record({
      scenario: 'checkouts paid end to end (hold, checkout, pay, paid seen on /ws)',
      store,
      value: paid / (elapsed / 1000),
      unit: 'checkouts/s',
      baseline: { name: 'holds/s of the same server', value: holdRow.value, unit: 'holds/s' },
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      note: `${BUYERS} buyers at once, gateway latency ${GATEWAY_LATENCY_MS} ms, one worker process; p50 per step: ${Object.entries(steps).map(([k, v]) => `${k} ${percentile(v, 50).toFixed(0)} ms`).join(', ')}`,
      cpu: await meter(paid),
    });
  } finally {
    client.close();
    await worker?.stop();
    await server.stop();
    await db.query(`DROP SCHEMA IF EXISTS ${id} CASCADE`).catch(() => {});
    await db.end();
    await rm(dataDir, { recursive: true, force: true });
    await dropRedisPrefix(id);
    if (queue === 'rabbitmq') await dropQueues(`${id}.`);
  }
}

async function dropRedisPrefix(id: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${id}:*`, 'COUNT', 10_000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

/** The run's queues on the broker: main, dead and the retry queues of the default settings. */
async function dropQueues(prefix: string): Promise<void> {
  const { connect } = await import('amqplib');
  const { queueNames } = await import('../src/payments/queue/rabbitmq-queue.ts');
  const names = queueNames(prefix, { maxAttempts: 6, backoffMs: 1000 });
  const conn = await connect(AMQP_URL);
  for (const name of [names.main, names.dead, ...names.retries.map((r) => r.name)]) {
    const channel = await conn.createChannel();
    channel.on('error', () => {});
    await channel.deleteQueue(name).catch(() => {});
    await channel.close().catch(() => {});
  }
  await conn.close();
}

function markdown(meta: Record<string, string>): string {
  const lines = [
    `Measured ${meta.date} on ${meta.machine}, ${CONCURRENCY} connections, ${SECONDS} s per rate. Ratios compare with a baseline measured in the same run.`,
    '',
    '| scenario | store | result | p50 / p99 (ms) | baseline | ratio |',
    '|---|---|---:|---:|---|---:|',
    ...rows.map((r) =>
      [
        '',
        r.scenario + (r.note ? ` (${r.note})` : '') + (r.cpu ? `; ${cpuText(r.cpu)}` : ''),
        r.store,
        `${fmt(r.value)} ${r.unit}`,
        r.p50 !== undefined ? `${r.p50.toFixed(2)} / ${r.p99!.toFixed(2)}` : '',
        r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)} ${r.baseline.unit}` : '',
        r.ratio !== undefined ? `${(r.ratio * 100).toFixed(1)}%` : '',
        '',
      ].join(' | ').trim(),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const redisUp = await reachable(REDIS_URL);
  const postgresUp = await reachable(DATABASE_URL);
  if (ONLY !== 'checkout') {
    const stores: ('memory' | 'redis' | 'postgres')[] = ['memory'];
    if (redisUp) {
      if (postgresUp) stores.push('redis');
    } else log(`SKIPPED redis: not reachable at ${REDIS_URL}`);
    if (postgresUp) stores.push('postgres');
    else log(`SKIPPED postgres (and redis, which keeps bookings there): not reachable at ${DATABASE_URL}`);

    const ceiling = await httpCeiling();
    for (const store of stores) await benchStore(store, ceiling);
  }
  if (ONLY !== 'stores') {
    // A worker process of its own needs the orders in a PostgreSQL server and the holds in Redis.
    if (!redisUp || !postgresUp) log(`SKIPPED checkout: needs Redis (${REDIS_URL}) and PostgreSQL (${DATABASE_URL})`);
    else {
      await benchCheckout('embedded');
      if (await reachable(AMQP_URL)) await benchCheckout('rabbitmq');
      else log(`SKIPPED checkout on RabbitMQ: not reachable at ${AMQP_URL}`);
    }
  }

  const meta = { date: new Date().toISOString().slice(0, 10), machine: `${(await import('node:os')).cpus().length} cores, Node ${process.version}`, seconds: ((Date.now() - started) / 1000).toFixed(0) };
  // A partial run (BENCH_ONLY) keeps the full run's results file as it was.
  const name = ONLY ? `bench/results/${ONLY}` : 'bench/results/latest';
  await writeFile(`${name}.json`, `${JSON.stringify({ ...meta, rows }, null, 2)}\n`);
  const md = markdown(meta);
  await writeFile(`${name}.md`, md);
  process.stdout.write(`\n${md}\nbench took ${meta.seconds} s; written to ${name}.{json,md}\n`);
}

await main();
process.exit(0);
