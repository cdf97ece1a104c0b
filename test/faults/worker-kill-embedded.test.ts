// The payment worker (its own process) killed with SIGKILL mid-payment and restarted, on the embedded
// queue (the outbox table, leases): the killed deliveries come back when their lease runs out (10 s).
import { describe, it } from 'node:test';
import { postgresSkip, redisSkip } from '../support/services.ts';
import { workerKilledMidPayment } from './worker-kill.scenario.ts';

const skip = (await postgresSkip()) || (await redisSkip());

describe('payment worker killed mid-payment (embedded queue)', { skip }, () => {
  it('restarted, it charges nobody twice and leaves no order stuck', { timeout: 90_000 }, (t) => workerKilledMidPayment(t, 'embedded'));
});
