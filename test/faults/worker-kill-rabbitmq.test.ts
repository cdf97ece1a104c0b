// The payment worker (its own process) killed with SIGKILL mid-payment and restarted, on RabbitMQ: the
// broker redelivers the dead connection's unacked messages to the restarted worker.
import { describe, it } from 'node:test';
import { postgresSkip, rabbitSkip, redisSkip } from '../support/services.ts';
import { workerKilledMidPayment } from './worker-kill.scenario.ts';

const skip = (await postgresSkip()) || (await redisSkip()) || (await rabbitSkip());

describe('payment worker killed mid-payment (RabbitMQ)', { skip }, () => {
  it('restarted, it charges nobody twice and leaves no order stuck', { timeout: 90_000 }, (t) => workerKilledMidPayment(t, 'rabbitmq'));
});
