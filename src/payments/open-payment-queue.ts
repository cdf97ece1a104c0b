import type { Logger } from '../booking/booking-service.ts';
import type { CheckoutConfig } from '../config.ts';
import type { PaymentQueue } from '../domain/payment-queue.ts';
import type { Db } from '../stores/postgres/db.ts';

/** The one switch on AMQP_URL: RabbitMQ when it is set, else the outbox table itself (embedded default). */
export async function openPaymentQueue(config: Pick<CheckoutConfig, 'amqpUrl' | 'amqpPrefix' | 'maxAttempts' | 'backoffMs' | 'prefetch'>, db: Db, log?: Logger): Promise<PaymentQueue> {
  const settings = { maxAttempts: config.maxAttempts, backoffMs: config.backoffMs, prefetch: config.prefetch, db, ...(log && { log }) };
  // An adapter that is not configured is not even loaded (amqplib stays out of the embedded default).
  if (config.amqpUrl) {
    const { RabbitMqPaymentQueue } = await import('./queue/rabbitmq-queue.ts');
    return RabbitMqPaymentQueue.open({ ...settings, url: config.amqpUrl, prefix: config.amqpPrefix });
  }
  const { EmbeddedPaymentQueue } = await import('./queue/embedded-queue.ts');
  return new EmbeddedPaymentQueue(settings);
}
