import type { Logger } from '../booking/booking-service.ts';
import type { PaymentMessage } from '../domain/orders.ts';
import type { PaymentQueue } from '../domain/payment-queue.ts';

/** What processes one payment message (src/checkout/payment-processor.ts): idempotent, as delivery is at least once. */
export type PaymentHandler = (message: PaymentMessage) => Promise<void>;

/**
 * Runs the handler on the queue's messages until the returned function is called (it waits for the
 * messages in flight). Inside the server (PAYMENT_WORKER, the default) or in `npm run worker`
 * processes, any number at once: the queue gives each message to one of them at a time.
 */
export async function startPaymentWorker(queue: PaymentQueue, handler: PaymentHandler, log?: Logger): Promise<() => Promise<void>> {
  const stop = await queue.consume(async (message) => {
    try {
      await handler(message);
    } catch (err) {
      // Only ids travel in a message: nothing of a card can reach this log line.
      log?.warn({ err, messageId: message.id, kind: message.kind, orderId: message.orderId, subjectId: message.subjectId, attempt: message.attempt }, 'payment message failed; the queue retries it');
      throw err;
    }
  });
  log?.info({ queue: queue.kind }, 'payment worker started');
  return stop;
}
