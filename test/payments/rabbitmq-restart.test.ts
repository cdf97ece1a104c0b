// exclusive: it stops and starts the RabbitMQ application (rabbitmqctl stop_app / start_app) of the
// machine for a few seconds; the other RabbitMQ tests' connections recover, as this one's must.
// What this proves: nothing committed is lost across a broker restart, neither what the broker had
// confirmed (durable queues, persistent messages) nor what was committed while it was down (outbox).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'amqplib';
import type { PaymentMessage } from '../../src/domain/orders.ts';
import { queueNames, RabbitMqPaymentQueue } from '../../src/payments/queue/rabbitmq-queue.ts';
import { openDb } from '../../src/stores/postgres/db.ts';
import { seedPglite } from '../support/pglite.ts';
import { AMQP_URL, rabbitSkip, runId } from '../support/services.ts';
import { enqueue, loadCatalog, SETTINGS } from './payment-queue.contract.ts';

const run = promisify(execFile);
const rabbitmqctl = (...args: string[]) => run('rabbitmqctl', args, { timeout: 60_000 });
const skip = (await rabbitSkip()) || (await rabbitmqctl('status').then(() => false, (e: Error) => `rabbitmqctl does not work here (${e.message.split('\n')[0]}): restart test skipped`));
if (skip && typeof skip === 'string' && skip.startsWith('rabbitmqctl')) console.log(`# SKIPPED: ${skip}`);

async function until(what: string, done: () => boolean | Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) assert.fail(`not within ${ms / 1000} s: ${what}`);
    await sleep(50);
  }
}

describe('RabbitMQ payment queue across a broker restart', { skip }, () => {
  it('delivers what the broker had confirmed and what was committed while it was stopped, once it is back', async () => {
    const prefix = `${runId('t_queue_restart')}.`;
    const dir = await mkdtemp(join(tmpdir(), 'boxoffice-rabbit-restart-'));
    await seedPglite(join(dir, 'db'));
    const db = await openDb({ dataDir: join(dir, 'db') });
    await loadCatalog(db);
    const queue = await RabbitMqPaymentQueue.open({ ...SETTINGS, url: AMQP_URL, prefix, db, relayPollMs: 100 });
    let stopped = false;
    try {
      await queue.connected();
      // Confirmed by the broker, waiting in its durable queue (no consumer yet).
      const confirmed = [(await enqueue(db)).id, (await enqueue(db)).id];
      queue.nudge();
      await until('relayed', async () => (await db.query('SELECT 1 FROM payment_outbox WHERE published_at IS NULL')).length === 0, 10_000);

      await rabbitmqctl('stop_app');
      stopped = true;
      // Committed while the broker is down: the outbox keeps them.
      const duringOutage = [(await enqueue(db)).id, (await enqueue(db)).id, (await enqueue(db)).id];
      queue.nudge();
      const seen: PaymentMessage[] = [];
      await queue.consume(async (m) => void seen.push(m));
      await sleep(1_000);
      assert.equal(seen.length, 0, 'nothing is delivered while the broker is down');
      assert.equal((await db.query('SELECT 1 FROM payment_outbox WHERE published_at IS NULL')).length, 3);

      await rabbitmqctl('start_app');
      stopped = false;
      const ids = () => new Set(seen.map((m) => m.id));
      await until('all five delivered', () => ids().size === 5, 60_000);
      assert.deepEqual([...ids()].sort(), [...confirmed, ...duringOutage].sort());
      await until('all done', async () => (await db.query('SELECT 1 FROM payment_outbox WHERE done_at IS NULL')).length === 0, 10_000);
    } finally {
      if (stopped) await rabbitmqctl('start_app');
      await queue.close();
      const admin = await connect(AMQP_URL);
      const channel = await admin.createChannel();
      const names = queueNames(prefix, SETTINGS);
      for (const name of [names.main, names.dead, ...names.retries.map((r) => r.name)]) await channel.deleteQueue(name).catch(() => {});
      await admin.close();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
