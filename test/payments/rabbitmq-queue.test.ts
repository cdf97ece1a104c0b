// The RabbitMQ payment queue keeps the PaymentQueue contract, and survives the broker being out of
// reach: the outbox keeps what was committed meanwhile, and it goes out when the broker is back.
// Every run has its own AMQP prefix, and deletes its queues at the end.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type ChannelModel } from 'amqplib';
import type { PaymentMessage } from '../../src/domain/orders.ts';
import type { QueueSettings } from '../../src/domain/payment-queue.ts';
import { queueNames, RabbitMqPaymentQueue } from '../../src/payments/queue/rabbitmq-queue.ts';
import { openDb, type Db } from '../../src/stores/postgres/db.ts';
import { seedPglite } from '../support/pglite.ts';
import { AMQP_URL, rabbitSkip, runId } from '../support/services.ts';
import { tcpProxy } from '../support/tcp-proxy.ts';
import { enqueue, loadCatalog, paymentQueueContract, SETTINGS, type QueueHarness } from './payment-queue.contract.ts';

const skip = await rabbitSkip();

/** The queue's database: PGlite in a folder of its own (the broker is the service under test). */
async function openQueueDb() {
  const dir = await mkdtemp(join(tmpdir(), 'boxoffice-rabbit-'));
  await seedPglite(join(dir, 'db'));
  const db = await openDb({ dataDir: join(dir, 'db') });
  await loadCatalog(db);
  return { db, close: async () => (await db.close(), await rm(dir, { recursive: true, force: true })) };
}

/** Deletes (or purges) every queue of a prefix, on a connection of the test's own. */
async function brokerQueues(prefix: string, settings: QueueSettings) {
  const admin: ChannelModel = await connect(AMQP_URL);
  const names = queueNames(prefix, settings);
  const all = [names.main, names.dead, ...names.retries.map((r) => r.name)];
  const each = async (fn: (channel: Awaited<ReturnType<ChannelModel['createChannel']>>, name: string) => Promise<unknown>) => {
    for (const name of all) {
      const channel = await admin.createChannel();
      channel.on('error', () => {});
      await fn(channel, name).catch(() => {}); // not declared yet: nothing to purge
      await channel.close().catch(() => {});
    }
  };
  return {
    purge: () => each((c, name) => c.purgeQueue(name)),
    async remove() {
      await each((c, name) => c.deleteQueue(name));
      await admin.close();
    },
  };
}

const open = (db: Db, prefix: string, settings: QueueSettings, url = AMQP_URL) => RabbitMqPaymentQueue.open({ ...settings, url, prefix, db, relayPollMs: 100 });

describe('RabbitMQ payment queue', { skip }, () => {
  paymentQueueContract('rabbitmq', async () => {
    const prefix = `${runId('t_queue')}.`;
    const store = await openQueueDb();
    const broker = await brokerQueues(prefix, SETTINGS);
    const proxies: Awaited<ReturnType<typeof tcpProxy>>[] = [];
    const harness: QueueHarness = {
      db: store.db,
      async open(settings) {
        const queue = await open(store.db, prefix, settings);
        await queue.connected();
        return queue;
      },
      async openDoomed(settings) {
        // Through a proxy the test cuts: the broker sees the connection die, as when its worker is killed.
        const { hostname, port } = new URL(AMQP_URL);
        const proxy = await tcpProxy({ host: hostname, port: Number(port) });
        proxies.push(proxy);
        const url = new URL(AMQP_URL);
        url.hostname = '127.0.0.1';
        url.port = String(proxy.port);
        const queue = await open(store.db, prefix, settings, url.toString());
        await queue.connected();
        return { queue, kill: async () => proxy.cut() };
      },
      async reset() {
        await store.db.query('DELETE FROM payment_outbox');
        await store.db.query('DELETE FROM orders');
        await broker.purge();
      },
      async close() {
        for (const proxy of proxies) await proxy.close();
        await broker.remove();
        await store.close();
      },
    };
    return harness;
  });

  describe('when the broker is out of reach', () => {
    const prefix = `${runId('t_queue_outage')}.`;
    let store: Awaited<ReturnType<typeof openQueueDb>>;
    let broker: Awaited<ReturnType<typeof brokerQueues>>;
    before(async () => {
      store = await openQueueDb();
      broker = await brokerQueues(prefix, SETTINGS);
    });
    after(async () => {
      await broker.remove();
      await store.close();
    });

    it('keeps committed messages in the outbox while it cannot reach RabbitMQ, and delivers them all once it can', async () => {
      const { hostname, port } = new URL(AMQP_URL);
      const proxy = await tcpProxy({ host: hostname, port: Number(port) });
      const url = new URL(AMQP_URL);
      url.hostname = '127.0.0.1';
      url.port = String(proxy.port);
      const queue = await open(store.db, prefix, SETTINGS, url.toString());
      try {
        await queue.connected();
        const seen: PaymentMessage[] = [];
        await queue.consume(async (m) => void seen.push(m));
        const before = await enqueue(store.db);
        queue.nudge();
        for (let i = 0; i < 100 && seen.length < 1; i++) await sleep(50);
        assert.deepEqual(seen.map((m) => m.id), [before.id]);

        proxy.cut();
        const during: string[] = [];
        for (let i = 0; i < 5; i++) during.push((await enqueue(store.db)).id);
        queue.nudge();
        await sleep(800);
        const unpublished = await store.db.query<{ id: string }>('SELECT id::text AS id FROM payment_outbox WHERE published_at IS NULL ORDER BY id');
        assert.deepEqual(unpublished.map((r) => r.id), during, 'the outbox holds what could not be published');
        assert.deepEqual((await queue.depth()).waiting, 5);

        proxy.resume();
        const ids = () => new Set(seen.map((m) => m.id));
        for (let i = 0; i < 300 && ids().size < 6; i++) await sleep(50);
        // The first one may come twice: its ack can be lost with the connection (at least once).
        assert.deepEqual([...ids()].sort(), [before.id, ...during].sort(), 'every message committed during the outage was delivered once it was back');
        assert.deepEqual(seen.filter((m) => during.includes(m.id)).map((m) => m.id).sort(), [...during].sort(), 'one delivery each of the messages relayed after the outage');
        const left = await store.db.query('SELECT id FROM payment_outbox WHERE published_at IS NULL OR done_at IS NULL');
        assert.deepEqual(left, []);
      } finally {
        await queue.close();
        await proxy.close();
      }
    });
  });
});
